"""``tracker schedule``: an APScheduler 3.x daemon running the configured jobs.

* Job store in the database (``apscheduler_jobs``, created by Alembic). A stored
  job keeps its next run time across restarts: runs missed while the daemon was
  down are coalesced into one run when it starts again. The stored state names
  the job only (``crawl:openrouter``); settings and secrets never go into it.
* One instance per job (``max_instances=1``) in this process, and a database
  lease per job (:mod:`tracker.schedule.locks`) across processes: a second daemon
  started by mistake, or a manual ``tracker run``, never runs a job at the same
  time, and two daemons firing the same tick run it once.
* Crawls run in child processes (:func:`tracker.sources.runner.run_crawl`);
  after a crawl that changed something (and after the newsletter) the site is rebuilt.
* SIGTERM or Ctrl-C: no new job starts; running jobs finish (a crawl stores what
  it fetched in one transaction). After ``stop_grace_seconds``, or at a second
  signal, crawl processes are asked to stop: they store what arrived as a partial
  run (nothing delisted) or roll back, and their run is recorded as such.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from types import FrameType
from typing import Any

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from tracker.config import Settings
from tracker.errors import DatabaseError, TrackerError
from tracker.schedule import jobs
from tracker.schedule.jobs import JobResult
from tracker.schedule.locks import LockManager
from tracker.schedule.plan import NEWSLETTER, SITE, JobSpec, plan, source_of
from tracker.sources.runner import prepare_crawl_processes
from tracker.store.db import ensure_schema, make_engine, make_sessionmaker
from tracker.store.tables.scheduler import SchedulerJob

log = logging.getLogger(__name__)

JOB_TABLE = SchedulerJob.__tablename__
#: Prefix of the crawl child processes' names (``tracker-crawl-openrouter``), set by the runner.
CRAWL_PROCESS_PREFIX = "tracker-crawl-"

_context = threading.local()


def run_scheduled(name: str) -> JobResult:
    """The function every stored job points at; runs ``name`` in the daemon that fired it."""
    daemon: Daemon | None = getattr(_context, "daemon", None)
    if daemon is None:
        raise RuntimeError(f"job {name!r} can only run inside `tracker schedule`")
    return daemon.execute(name, getattr(_context, "tick", None))


class _PatientJobStore(SQLAlchemyJobStore):
    """The SQLAlchemy job store, retrying writes while the database is busy.

    APScheduler does not catch a failed ``update_job`` in its loop; on SQLite a
    crawl's long store transaction can outlast the busy timeout once, and that
    must not stop the scheduler.
    """

    attempts = 5

    def _retry(self, method: Callable[..., Any], *args: Any) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                return method(*args)
            except OperationalError as exc:
                if attempt == self.attempts:
                    raise
                log.warning("job store busy (%s); retrying", exc.orig)
                time.sleep(attempt)
        return None

    def add_job(self, job: Job) -> None:
        self._retry(super().add_job, job)

    def update_job(self, job: Job) -> None:
        self._retry(super().update_job, job)

    def remove_job(self, job_id: str) -> None:
        self._retry(super().remove_job, job_id)


class _DaemonExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, telling each job which daemon fired it and for which scheduled time."""

    def __init__(self, daemon: Daemon, max_workers: int) -> None:
        super().__init__(max_workers)
        self._daemon = daemon

    def _do_submit_job(self, job: Job, run_times: list[dt.datetime]) -> None:
        daemon, logger_name = self._daemon, self._logger.name

        def call() -> Any:
            _context.daemon, _context.tick = daemon, run_times[-1]
            try:
                return run_job(job, job._jobstore_alias, run_times, logger_name)
            finally:
                _context.daemon = _context.tick = None

        future = self._pool.submit(call)
        future.add_done_callback(lambda f: self._done(job.id, f))

    def _done(self, job_id: str, future: Future[Any]) -> None:
        exc = future.exception()
        if exc is not None:
            self._run_job_error(job_id, exc, exc.__traceback__)
        else:
            self._run_job_success(job_id, future.result())


class Daemon:
    """The scheduler of one process. ``start()``/``stop()`` for embedding; ``run_forever()`` for the CLI."""

    def __init__(
        self,
        settings: Settings,
        *,
        specs: list[JobSpec] | None = None,
        trigger: str = "schedule",
        token: str | None = None,
        log_level: str = "WARNING",
        on_result: Callable[[str, JobResult], None] | None = None,
    ) -> None:
        self.settings = settings
        self.trigger = trigger
        self.log_level = log_level
        self.on_result = on_result
        self.specs = plan(settings) if specs is None else specs
        self._by_name = {spec.name: spec for spec in self.specs}
        self.engine = make_engine(settings.database_url)
        self.factory = make_sessionmaker(self.engine)
        self.locks = LockManager(
            self.engine,
            lease=dt.timedelta(seconds=settings.schedule.lease_seconds),
            trigger=trigger,
            token=token,
        )
        self.scheduler = BackgroundScheduler(
            jobstores={"default": _PatientJobStore(engine=self.engine, tablename=JOB_TABLE)},
            executors={"default": _DaemonExecutor(self, max_workers=len(self.specs) + 2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=dt.UTC,
        )
        self._running: dict[str, float] = {}
        self._running_lock = threading.Lock()
        self._site_dirty = threading.Event()
        self._stopping = threading.Event()
        self._stop_requested = threading.Event()
        self._force = threading.Event()
        self.started = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Migrate, recover runs of dead processes, reconcile the stored jobs with the plan, and start."""
        ensure_schema(self.engine)
        if not inspect(self.engine).has_table(JOB_TABLE):
            raise DatabaseError(f"the job store table {JOB_TABLE} is missing: run `tracker init`")
        jobs.recover_dead_runs(self.factory)
        if any(source_of(spec.name) for spec in self.specs):
            prepare_crawl_processes()
        self.scheduler.start(paused=True)
        self.started = True
        self._reconcile()
        self.scheduler.resume()

    def _reconcile(self) -> None:
        now = dt.datetime.now(dt.UTC)
        for job in self.scheduler.get_jobs():
            if job.id not in self._by_name and job.id != SITE:
                log.info("removing job %s (no longer configured)", job.id)
                with contextlib.suppress(JobLookupError):
                    self.scheduler.remove_job(job.id)
        for spec in self.specs:
            job = self.scheduler.get_job(spec.name)
            if job is None:
                extra: dict[str, Any] = {"next_run_time": now} if spec.first_run_now else {}
                with contextlib.suppress(ConflictingIdError):  # another daemon added it a moment ago
                    self.scheduler.add_job(
                        run_scheduled, spec.trigger, args=[spec.name], id=spec.name, name=spec.description, **extra
                    )
            elif job.name != spec.description:
                log.info("rescheduling %s: %s", spec.name, spec.description)
                self.scheduler.modify_job(spec.name, name=spec.description)
                self.scheduler.reschedule_job(spec.name, trigger=spec.trigger)
            # else: the stored next run time stands (a missed run fires once, now)

    def request_site_build(self) -> None:
        """Build the site soon (once, however many crawls ask)."""
        self._site_dirty.set()
        if self._stopping.is_set():
            return
        self.scheduler.add_job(
            run_scheduled,
            "date",
            run_date=dt.datetime.now(dt.UTC),
            args=[SITE],
            id=SITE,
            name="build the site after a change",
            replace_existing=True,
        )

    def stop(self, grace: float | None = None) -> None:
        """Start no new job; let running ones finish (stopping crawl processes after ``grace`` seconds)."""
        if not self.started:
            self.engine.dispose()
            return
        self._stopping.set()
        grace = self.settings.schedule.stop_grace_seconds if grace is None else grace
        with contextlib.suppress(Exception):
            self.scheduler.pause()
        running = self.running()
        if running:
            log.warning("stopping: waiting for %s to finish (up to %.0fs)", ", ".join(running), grace)
        deadline = time.monotonic() + grace
        while self.running() and time.monotonic() < deadline and not self._force.is_set():
            time.sleep(0.2)
        if self.running():
            self.stop_crawls()
            while self.running():
                time.sleep(0.2)
        self.scheduler.shutdown(wait=True)
        self.started = False
        self.engine.dispose()

    def stop_crawls(self) -> int:
        """Ask this process's crawl processes to stop (SIGTERM: Scrapy closes the spider, stores what arrived)."""
        children = [p for p in multiprocessing.active_children() if p.name.startswith(CRAWL_PROCESS_PREFIX)]
        for child in children:
            log.warning("stopping crawl process %s (pid %s)", child.name, child.pid)
            child.terminate()
        return len(children)

    def run_forever(self) -> None:
        """Run until SIGTERM or SIGINT (the CLI's entry point; call from the main thread)."""
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        for sig in previous:
            signal.signal(sig, self._on_signal)
        try:
            self.start()
            while not self._stop_requested.wait(1.0):
                if not self.alive():
                    raise TrackerError("the scheduler stopped unexpectedly (see the log above)")
            self.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._stop_requested.is_set():
            log.warning("second %s: stopping the running crawls now", signal.Signals(signum).name)
            self._force.set()
            return
        log.warning(
            "%s: no new jobs; waiting for the running ones to finish (send it again to stop them sooner)",
            signal.Signals(signum).name,
        )
        self._stop_requested.set()

    def alive(self) -> bool:
        """The scheduler is running and its thread has not died (APScheduler lets some store errors kill it)."""
        thread = getattr(self.scheduler, "_thread", None)
        return bool(self.scheduler.running) and (thread is None or thread.is_alive())

    def request_stop(self) -> None:
        self._stop_requested.set()

    # ------------------------------------------------------------------ jobs

    def running(self) -> list[str]:
        with self._running_lock:
            return sorted(self._running)

    @contextlib.contextmanager
    def _track(self, name: str) -> Iterator[None]:
        with self._running_lock:
            self._running[name] = time.monotonic()
        try:
            yield
        finally:
            with self._running_lock:
                self._running.pop(name, None)

    def execute(self, name: str, tick: dt.datetime | None = None) -> JobResult:
        """Run job ``name`` (fired for the scheduled time ``tick``) and report it."""
        if self._stopping.is_set():
            result = JobResult(name, "skipped", "the scheduler is stopping")
        else:
            with self._track(name):
                result = self._execute(name, tick)
        result.tick = tick
        self._report(name, result)
        return result

    def _execute(self, name: str, tick: dt.datetime | None) -> JobResult:
        spec = self._by_name.get(name)
        tolerance = spec.tick_tolerance if spec else dt.timedelta(0)
        schedule = self.settings.schedule
        source = source_of(name)
        if source is not None:
            result = jobs.crawl(
                self.settings,
                source,
                self.locks,
                trigger=self.trigger,
                tick=tick,
                tick_tolerance=tolerance,
                log_level=self.log_level,
            )
            if result.changed and schedule.site_after_crawls:
                self.request_site_build()
            return result
        if name == SITE:
            return self._build_site()
        if name == NEWSLETTER:
            result = jobs.newsletter(
                self.settings,
                self.factory,
                self.locks,
                trigger=self.trigger,
                send=self.settings.newsletter.send,
                tick=tick,
                tick_tolerance=tolerance,
            )
            if result.status != "skipped" and schedule.site_after_crawls:
                self.request_site_build()
            return result
        return JobResult(name, "failed", f"unknown job {name!r} (a job store written by another version?)")

    def _build_site(self) -> JobResult:
        """Build until no crawl asked for a newer build while building (at most a few rounds)."""
        result = JobResult(SITE, "skipped", "nothing to build")
        for round_ in range(4):
            if round_ and not self._site_dirty.is_set():
                break
            self._site_dirty.clear()
            result = jobs.site(
                self.settings,
                self.factory,
                self.locks,
                trigger=self.trigger,
                wait=self.settings.schedule.lease_seconds * 5,
            )
        return result

    def _report(self, name: str, result: JobResult) -> None:
        level = logging.INFO if result.status in ("success", "skipped") else logging.WARNING
        log.log(level, "%s: %s%s", name, result.status, f" ({result.message})" if result.message else "")
        if self.on_result is not None:
            try:
                self.on_result(name, result)
            except Exception:
                log.exception("reporting %s failed", name)
