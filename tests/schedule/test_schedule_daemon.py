"""The scheduler in this process, against the loopback server: crawls on short intervals, two schedulers, kills."""

import datetime as dt
import itertools
import multiprocessing
import os
import signal
import threading
from collections import Counter

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from helpers.db import data_counts
from helpers.server import Reply
from sched_helpers import HeldReply, crawl_runs, runs_of, wait_for
from sqlalchemy import select

from tracker.schedule.daemon import JOB_TABLE, Daemon
from tracker.schedule.locks import LockManager, read_lock
from tracker.schedule.plan import JobSpec
from tracker.sources.runner import run_crawl
from tracker.store.tables.scheduler import SchedulerJob

CRAWL = "crawl:openrouter"


def every(seconds: float, *, first_run_now: bool = True, name: str = CRAWL) -> JobSpec:
    return JobSpec(
        name=name,
        trigger=IntervalTrigger(seconds=seconds, timezone=dt.UTC),
        description=f"crawl openrouter every {seconds:g} s",
        first_run_now=first_run_now,
        tick_tolerance=dt.timedelta(seconds=seconds / 2),
    )


class Recorder:
    def __init__(self):
        self.results = []
        self.lock = threading.Lock()

    def __call__(self, name, result):
        with self.lock:
            self.results.append((name, result))

    def of(self, name, *statuses):
        with self.lock:
            return [r for n, r in self.results if n == name and (not statuses or r.status in statuses)]


@pytest.fixture
def daemons():
    started = []

    def make(settings, specs, token=None):
        recorder = Recorder()
        daemon = Daemon(settings, specs=specs, trigger="schedule", token=token, on_result=recorder)
        started.append(daemon)
        return daemon, recorder

    yield make
    for daemon in started:
        daemon.stop(grace=30)


def test_the_scheduler_runs_crawls_on_its_interval_and_rebuilds_the_site(served, sched_settings, sessions, daemons):
    daemon, seen = daemons(sched_settings, [every(2)])
    daemon.start()
    wait_for(lambda: len(seen.of(CRAWL, "success")) >= 2, what="two completed crawls")
    wait_for(lambda: seen.of("site"), what="the site build after the first crawl")
    daemon.stop()

    runs = [r for r in crawl_runs(sessions) if r.status == "success"]
    assert len(runs) >= 2 and {r.trigger for r in runs} == {"schedule"}
    assert runs[0].items_new == 345 and runs[1].items_seen == 345 and runs[1].items_new == 0
    assert all(r.finished_at is not None for r in runs)
    # each crawl in its own child process; the run row names the scheduler's process
    assert {r.pid for r in runs} == {os.getpid()}
    site = seen.of("site")[0]
    assert site.status == "success", site.message
    index = os.path.join(sched_settings.site.out_dir, "index.html")
    assert os.path.isfile(index)
    assert next(r.status for r in runs_of(sessions, "site")) == "success"
    with sessions() as session:
        stored = session.scalars(select(SchedulerJob.id)).all()
    assert CRAWL in stored  # the job lives in the database job store
    assert read_lock(daemon.engine, CRAWL).holder is None


def test_two_schedulers_at_once_run_each_tick_once(served, sched_settings, sessions, daemons):
    spec = every(3)
    first, seen_first = daemons(sched_settings, [spec], token="first")
    second, seen_second = daemons(sched_settings, [spec], token="second")
    first.start()
    second.start()
    wait_for(lambda: len(seen_first.of(CRAWL, "success")) + len(seen_second.of(CRAWL, "success")) >= 3, timeout=180)
    first.stop()
    second.stop()

    ran = [r for r in seen_first.of(CRAWL) + seen_second.of(CRAWL) if r.status != "skipped"]
    skipped = [r for r in seen_first.of(CRAWL) + seen_second.of(CRAWL) if r.status == "skipped"]
    per_tick = Counter(r.tick for r in ran)
    assert per_tick and set(per_tick.values()) == {1}, per_tick
    assert all("already" in r.message or "stopping" in r.message for r in skipped)
    # the database agrees: one crawl per tick, never two at the same time
    runs = crawl_runs(sessions)
    assert len(runs) == len(ran)
    spans = sorted((r.started_at, r.finished_at) for r in runs)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


def test_a_second_scheduler_skips_a_tick_the_first_ran_or_is_running(served, sched_settings, sessions, daemons):
    spec = every(3600, first_run_now=False)
    first, _ = daemons(sched_settings, [spec], token="first")
    second, _ = daemons(sched_settings, [spec], token="second")
    tick = dt.datetime.now(dt.UTC).replace(microsecond=0)
    assert first.execute(CRAWL, tick).status == "success"
    again = second.execute(CRAWL, tick + dt.timedelta(seconds=1))
    assert again.status == "skipped" and "already run for the tick" in again.message
    # while another process holds the job, a later tick is skipped and says who holds it
    other = LockManager(first.engine, trigger="cli", token="manual")
    with other.held(CRAWL) as outcome:
        assert outcome.acquired
        busy = second.execute(CRAWL, tick + dt.timedelta(hours=1))
    assert busy.status == "skipped" and "already running elsewhere" in busy.message
    assert len(crawl_runs(sessions)) == 1


def store_missed_job(engine, spec: JobSpec, due: dt.datetime) -> None:
    """The job row a daemon that went down before ``due`` left behind, written by the job store alone.

    (A scheduler started and shut down to write it would process its jobs once more on shutdown and
    move the missed run time to the next tick, which is not what a daemon that died leaves.)"""
    scheduler = BackgroundScheduler(timezone=dt.UTC)  # never started: its loop never runs
    store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    store.start(scheduler, "default")
    job = Job(
        scheduler,
        id=spec.name,
        func="tracker.schedule.daemon:run_scheduled",
        trigger=spec.trigger,
        executor="default",
        args=[spec.name],
        kwargs={},
        name=spec.description,
        misfire_grace_time=None,
        coalesce=True,
        max_instances=1,
        next_run_time=due,
    )
    store.add_job(job)
    store.shutdown()


def test_missed_runs_are_coalesced_into_one(served, sched_settings, engine, sessions, daemons):
    spec = every(60, first_run_now=False)
    # the daemon was down for five ticks
    store_missed_job(engine, spec, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5 * 60 + 30))

    daemon, seen = daemons(sched_settings, [spec], token="after")
    started = dt.datetime.now(dt.UTC)
    daemon.start()
    wait_for(lambda: seen.of(CRAWL), what="the coalesced run")
    daemon.stop()
    assert [r.status for _, r in seen.results if _ == CRAWL] == ["success"]
    [run] = crawl_runs(sessions)
    assert run.started_at.replace(tzinfo=dt.UTC) - started < dt.timedelta(seconds=30)  # at once, not a tick later
    job = daemon_job(sessions)
    assert job.next_run_time > dt.datetime.now(dt.UTC).timestamp()


def daemon_job(sessions):
    with sessions() as session:
        return session.scalars(select(SchedulerJob).where(SchedulerJob.id == CRAWL)).one()


def test_a_restart_keeps_the_stored_schedule_and_a_new_interval_reschedules(sched_settings, sessions, daemons):
    first, _ = daemons(sched_settings, [every(3600, first_run_now=False)], token="one")
    first.start()
    first.stop()
    stored = daemon_job(sessions).next_run_time
    again, _ = daemons(sched_settings, [every(3600, first_run_now=False)], token="two")
    again.start()
    again.stop()
    assert daemon_job(sessions).next_run_time == stored  # not pushed back by the restart
    changed, _ = daemons(sched_settings, [every(60, first_run_now=False)], token="three")
    changed.start()
    changed.stop()
    assert daemon_job(sessions).next_run_time < stored
    gone, _ = daemons(sched_settings, [every(60, first_run_now=False, name="crawl:huggingface")], token="four")
    gone.start()
    gone.stop()
    with sessions() as session:
        assert session.scalars(select(SchedulerJob.id)).all() == ["crawl:huggingface"]


def test_a_crawl_process_killed_mid_crawl_is_recorded_failed_and_loses_nothing(
    corpus, served, sched_settings, engine, sessions, daemons
):
    assert run_crawl(sched_settings, "openrouter", trigger="test").status == "success"
    before = data_counts(engine)
    held = HeldReply(Reply(200, b'{"data": []}'))
    served.route("/api/v1/models", held)
    daemon, seen = daemons(sched_settings, [every(3600)])
    daemon.start()
    assert held.arrived.wait(60)
    [child] = wait_for(
        lambda: [p for p in multiprocessing.active_children() if p.name == "tracker-crawl-openrouter"],
        what="the crawl process",
    )
    os.kill(child.pid, signal.SIGKILL)
    wait_for(lambda: seen.of(CRAWL), what="the scheduler noticing")
    held.release.set()

    [result] = seen.of(CRAWL)
    assert result.status == "failed" and "killed or crashed" in result.message
    killed = crawl_runs(sessions)[-1]
    assert killed.status == "failed" and "killed or crashed" in killed.error_message
    assert killed.finished_at is not None
    assert data_counts(engine) == before  # nothing half-written, nothing delisted
    assert read_lock(engine, CRAWL).holder is None  # the next run is not blocked
    assert daemon.scheduler.running


def test_stop_lets_the_running_crawl_finish(served, sched_settings, sessions, daemons):
    held = HeldReply(Reply(200, served_body(served)))
    served.route("/api/v1/models", held)
    daemon, seen = daemons(sched_settings, [every(3600)])
    daemon.start()
    assert held.arrived.wait(60)
    stopper = threading.Thread(target=daemon.stop)
    stopper.start()
    wait_for(lambda: daemon._stopping.is_set(), what="the stop to begin")
    assert stopper.is_alive()  # waiting for the crawl
    held.release.set()
    stopper.join(120)
    assert not stopper.is_alive()
    [result] = seen.of(CRAWL)
    assert result.status == "success"
    assert crawl_runs(sessions)[-1].status == "success"


def test_stop_past_its_grace_stops_the_crawl_which_stores_nothing_half_done(
    served, sched_settings, engine, sessions, daemons
):
    held = HeldReply(Reply(200, served_body(served)))
    served.route("/api/v1/models", held)
    daemon, seen = daemons(sched_settings, [every(3600)])
    daemon.start()
    assert held.arrived.wait(60)
    before = data_counts(engine)
    daemon.stop(grace=0.5)  # the crawl child gets SIGTERM: Scrapy closes the spider
    held.release.set()
    [result] = seen.of(CRAWL)
    assert result.status == "failed"
    run = crawl_runs(sessions)[-1]
    assert run.status == "failed" and run.finished_at is not None
    assert data_counts(engine) == before
    assert read_lock(engine, CRAWL).holder is None


def served_body(server):
    reply = server.routes["/api/v1/models"][0]
    return reply.body
