"""The job lease: one holder at a time, dead holders taken over, one run per scheduled tick."""

import datetime as dt
import subprocess
import sys
import threading
import time

from sqlalchemy import insert, select, update

from tracker.schedule.locks import LockManager, read_lock, this_host
from tracker.store.tables.scheduler import JobLock

LEASE = dt.timedelta(seconds=30)


def manager(engine, token, **kw):
    return LockManager(engine, lease=kw.pop("lease", LEASE), trigger="test", token=token, **kw)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_one_holder_at_a_time_and_the_other_is_told_who(engine):
    a, b = manager(engine, "a"), manager(engine, "b")
    first = a.try_acquire("crawl:openrouter")
    assert first.acquired
    second = b.try_acquire("crawl:openrouter")
    assert second.status == "busy"
    assert "already running elsewhere" in second.reason() and f"pid {a.pid}" in second.reason()
    assert b.try_acquire("site").acquired  # other jobs are independent
    first.lease.release()
    assert b.try_acquire("crawl:openrouter").acquired
    assert read_lock(engine, "crawl:openrouter").holder == b.holder


def test_contenders_racing_for_a_free_lease_exactly_one_wins(engine):
    managers = [manager(engine, f"m{i}") for i in range(8)]
    barrier = threading.Barrier(len(managers))
    outcomes = []

    def contend(m):
        barrier.wait()
        outcomes.append(m.try_acquire("newsletter"))

    threads = [threading.Thread(target=contend, args=(m,)) for m in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.status for o in outcomes) == ["acquired"] + ["busy"] * 7


def test_processes_racing_for_a_lease_exactly_one_wins(engine, db_url, tmp_path):
    go = tmp_path / "go"
    script = (
        "import datetime as dt, pathlib, time, sys\n"
        "from tracker.store.db import make_engine\n"
        "from tracker.schedule.locks import LockManager\n"
        f"go = pathlib.Path({str(go)!r})\n"
        "while not go.exists(): time.sleep(0.01)\n"
        f"m = LockManager(make_engine({db_url!r}), lease=dt.timedelta(seconds=30), trigger='test')\n"
        "print(m.try_acquire('crawl:huggingface').status)\n"
        "time.sleep(1)\n"  # keep the process (and so the lease) alive while the others look
    )
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    time.sleep(1.5)
    go.touch()
    results = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert results == ["acquired", "busy", "busy", "busy"]


def test_a_stale_lease_of_a_dead_process_on_this_host_is_taken_over(engine):
    pid = dead_pid()
    with engine.begin() as conn:
        conn.execute(
            insert(JobLock).values(
                name="crawl:openrouter",
                holder=f"{this_host()}:{pid}:gone",
                host=this_host(),
                pid=pid,
                trigger="schedule",
                acquired_at=dt.datetime.now(dt.UTC),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),  # not expired: the process is gone
                version=1,
            )
        )
    outcome = manager(engine, "new").try_acquire("crawl:openrouter")
    assert outcome.acquired
    assert read_lock(engine, "crawl:openrouter").pid != pid


def test_a_live_holder_is_never_taken_over_even_when_its_lease_ran_out(engine):
    a = manager(engine, "a", lease=dt.timedelta(milliseconds=10))
    assert a.try_acquire("site").acquired
    time.sleep(0.05)
    assert read_lock(engine, "site").expires_at < dt.datetime.now(dt.UTC)
    # same host, process alive (this one): a stalled heartbeat is not death
    assert manager(engine, "b").try_acquire("site").status == "busy"


def test_a_lease_of_another_host_is_taken_over_once_expired(engine):
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(JobLock).values(
                name="site",
                holder="elsewhere:1:x",
                host="elsewhere",
                pid=1,
                acquired_at=now,
                expires_at=now + dt.timedelta(minutes=5),
                version=3,
            )
        )
    assert manager(engine, "b").try_acquire("site").status == "busy"
    with engine.begin() as conn:
        conn.execute(update(JobLock).values(expires_at=now - dt.timedelta(seconds=1)))
    assert manager(engine, "b").try_acquire("site").acquired


def test_the_heartbeat_keeps_a_long_job_s_lease_alive(engine):
    m = manager(engine, "a", lease=dt.timedelta(seconds=0.6))
    with m.held("crawl:openrouter") as outcome:
        assert outcome.acquired
        first = read_lock(engine, "crawl:openrouter").expires_at
        time.sleep(1.5)
        later = read_lock(engine, "crawl:openrouter")
        assert later.expires_at > first and later.expires_at > dt.datetime.now(dt.UTC)
    released = read_lock(engine, "crawl:openrouter")
    assert released.holder is None and released.released_at is not None


def test_a_scheduled_tick_runs_once_even_after_its_run_ended(engine):
    tick = dt.datetime(2026, 3, 17, 12, 0, tzinfo=dt.UTC)
    tolerance = dt.timedelta(minutes=10)
    a, b = manager(engine, "a"), manager(engine, "b")
    with a.held("crawl:openrouter", tick=tick, tick_tolerance=tolerance) as outcome:
        assert outcome.acquired
    # the second scheduler fires the same tick (or one a few seconds off) after the first one finished
    late = b.try_acquire("crawl:openrouter", tick=tick + dt.timedelta(seconds=3), tick_tolerance=tolerance)
    assert late.status == "done" and "already run for the tick of 2026-03-17 12:00:00" in late.reason()
    assert b.try_acquire("crawl:openrouter", tick=tick, tick_tolerance=tolerance).status == "done"
    # the next tick runs
    assert b.try_acquire("crawl:openrouter", tick=tick + dt.timedelta(hours=1), tick_tolerance=tolerance).acquired
    with engine.connect() as conn:
        assert conn.execute(select(JobLock.last_tick)).scalar_one() is not None


def test_the_same_tick_without_tolerance_runs_once(engine):
    tick = dt.datetime(2026, 3, 17, 12, 0, tzinfo=dt.UTC)
    with manager(engine, "a").held("site", tick=tick) as outcome:
        assert outcome.acquired
    assert manager(engine, "b").try_acquire("site", tick=tick).status == "done"
    assert manager(engine, "b").try_acquire("site", tick=tick + dt.timedelta(microseconds=1)).acquired


def test_a_manual_run_takes_the_lease_without_consuming_a_tick(engine):
    tick = dt.datetime(2026, 3, 17, 12, 0, tzinfo=dt.UTC)
    with manager(engine, "cli").held("crawl:openrouter") as outcome:
        assert outcome.acquired
    assert manager(engine, "daemon").try_acquire("crawl:openrouter", tick=tick).acquired


def test_waiting_for_a_busy_lease(engine):
    a, b = manager(engine, "a"), manager(engine, "b")
    outcome = a.try_acquire("site")
    threading.Timer(0.5, outcome.lease.release).start()
    assert b.acquire("site", wait=0.1).status == "busy"
    assert b.acquire("site", wait=60, poll=0.05).acquired
