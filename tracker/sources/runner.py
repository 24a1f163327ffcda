"""Run one crawl in a child process and return its summary.

Scrapy's Twisted reactor cannot be restarted inside one process, so every
crawl gets a fresh child process; the parent records the run, and marks it
failed if the child dies without reporting, or when the parent is stopped.

Children are forked by a multiprocessing fork server that has already imported
Scrapy and the project (:mod:`tracker.sources.crawl_preload`), so a crawl pays
no start-up. A child starts as the parent left it: the parent's environment,
working directory, stdout and stderr are handed over at each start.

Children die with their parent:

* each runs in its own process group, which the parent ends (SIGTERM, then
  SIGKILL after a grace period) when it is told to stop (SIGTERM in the main
  thread, Ctrl-C, a timeout);
* a child watches the process that asked for it (a pidfd on Linux, else a poll)
  and kills its group when that process is gone (kill -9 of a daemon);
* a child also gets SIGKILL when the fork server dies (``PR_SET_PDEATHSIG``),
  and the fork server exits when its parent does.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any

from tracker.config import Settings
from tracker.sources.registry import spider_for
from tracker.sources.summary import CrawlSummary
from tracker.store.db import ensure_schema, make_engine, make_sessionmaker, session_scope
from tracker.store.runs import mark_stale_runs_failed, start_run

logger = logging.getLogger(__name__)


def run_crawl(
    settings: Settings,
    source: str,
    *,
    trigger: str = "cli",
    log_level: str = "WARNING",
    timeout_seconds: float | None = None,
    on_child: Callable[[int | None], None] | None = None,
) -> CrawlSummary:
    """Crawl ``source`` into ``settings.database_url``; never raises for source failures.

    ``on_child(pid)`` is told the child's pid once it runs, and ``None`` once it is gone
    (the scheduler records it in the job's lease). When this process is stopped
    (Ctrl-C, SIGTERM) the child is stopped first, the run is recorded as failed
    unless the child finished it, and the interruption is raised again.
    """
    spider_for(source, settings)  # fail fast on an unknown source, before starting a run
    engine = make_engine(settings.database_url)
    try:
        ensure_schema(engine)
        factory = make_sessionmaker(engine)
        with session_scope(factory) as session:
            run_id = start_run(session, job="crawl", source=source, trigger=trigger).id
        try:
            data = run_child(settings, source, run_id, log_level, timeout_seconds, on_child=on_child)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (CrawlStopped)
            reason = str(exc) if isinstance(exc, CrawlStopped) else "interrupted (Ctrl-C)"
            with session_scope(factory) as session:
                mark_stale_runs_failed(session, run_id=run_id, message=f"the crawl was stopped: {reason}")
            raise
        if data is None:
            with session_scope(factory) as session:
                mark_stale_runs_failed(session, run_id=run_id, message=NO_REPORT)
            return CrawlSummary(source=source, run_id=run_id, status="failed", message=NO_REPORT)
        return CrawlSummary.from_dict(data)
    finally:
        engine.dispose()


NO_REPORT = "the crawl process ended without reporting (killed or crashed)"
#: Name of a crawl child's process (multiprocessing) and of its thread in ``ps`` (``comm``, 15 bytes at most).
PROCESS_PREFIX = "tracker-crawl-"
COMM = b"tracker-crawl"

_PR_SET_NAME = 15
_PR_SET_PDEATHSIG = 1
_context_lock = threading.Lock()
_context: Any = None


class CrawlStopped(KeyboardInterrupt):
    """The parent got SIGTERM while a crawl ran; its child was stopped (the CLI exits 130 as for Ctrl-C)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def _crawl_context() -> Any:
    """The multiprocessing context crawl children start from: the preloaded fork server where there is one."""
    global _context
    with _context_lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods() and not os.environ.get("TRACKER_CRAWL_SPAWN"):
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["tracker.sources.crawl_preload"])
            else:
                ctx = multiprocessing.get_context("spawn")
            _context = ctx
        return _context


def prepare_crawl_processes() -> None:
    """Start the fork server now (it imports Scrapy in the background), so the first crawl does not wait."""
    ctx = _crawl_context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class _InheritedFd:
    """A file descriptor of the parent (stdout, stderr) handed to the child when it starts."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        from multiprocessing import reduction

        return _rebuild_fd, (reduction.DupFd(self.fd),)


def _rebuild_fd(handle: Any) -> int:
    return int(handle.detach())


def _stdio() -> tuple[_InheritedFd | None, _InheritedFd | None]:
    out: list[_InheritedFd | None] = []
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:
            out.append(None)
        else:
            out.append(_InheritedFd(fd))
    return out[0], out[1]


def run_child(
    settings: Settings,
    source: str,
    run_id: int | None,
    log_level: str,
    timeout_seconds: float | None,
    *,
    on_child: Callable[[int | None], None] | None = None,
) -> dict[str, Any] | None:
    """Crawl ``source`` in a fresh child process; its summary (a dict), or None when it did not report.

    ``run_id`` names the ``runs`` row the child's pipeline finishes (None: the
    spider records no run). The child is stopped after ``timeout_seconds``, and
    when this process is told to stop (SIGTERM in the main thread raises
    :class:`CrawlStopped` after the child is gone; Ctrl-C raises KeyboardInterrupt).
    """
    _count_spawn(source)
    ctx = _crawl_context()
    receiver, sender = ctx.Pipe(duplex=False)
    stdout, stderr = _stdio()
    start = _ChildStart(parent_pid=os.getpid(), environ=dict(os.environ), cwd=os.getcwd(), stdout=stdout, stderr=stderr)
    process = ctx.Process(
        target=_child_main,
        args=(start, settings, source, run_id, log_level, sender),
        name=f"{PROCESS_PREFIX}{source}",
    )
    data: dict[str, Any] | None = None
    with _sigterm_raises():
        process.start()
        sender.close()
        if on_child is not None:
            on_child(process.pid)
        try:
            data = _wait_for(process, receiver, source, timeout_seconds, settings.http.stop_grace_seconds)
        except BaseException:
            _stop(process, grace=settings.http.stop_grace_seconds)
            raise
        finally:
            receiver.close()
        process.join(60)
        if process.is_alive():
            _stop(process, grace=0)
    if on_child is not None:
        on_child(None)
    return data


#: The name other modules used before :func:`run_child` was public.
_run_child = run_child


def _wait_for(
    process: Any, receiver: Connection, source: str, timeout_seconds: float | None, grace: float
) -> dict[str, Any] | None:
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    while True:
        if receiver.poll(0.2):
            return _received(receiver)
        if not process.is_alive():
            # what it sent before it ended, if anything (a killed child's pipe only reads as closed)
            return _received(receiver) if receiver.poll(0) else None
        if deadline is not None and time.monotonic() > deadline:
            logger.error("crawl of %s exceeded %.0fs; terminating", source, timeout_seconds)
            _stop(process, grace=grace)
            return None


def _received(receiver: Connection) -> dict[str, Any] | None:
    """The child's result, or None when its end of the pipe closed without one (the child died)."""
    try:
        return receiver.recv()  # type: ignore[no-any-return]
    except EOFError:
        return None


def _signal_group(pid: int | None, sig: int) -> None:
    """Send ``sig`` to the child's process group (or the child alone, before it made its group)."""
    if not pid:
        return
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    except PermissionError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _stop(process: Any, *, grace: float) -> None:
    """SIGTERM the child's group (Scrapy stores what arrived), SIGKILL it after ``grace`` seconds."""
    if process.is_alive() and grace > 0:
        _signal_group(process.pid, signal.SIGTERM)
        process.join(grace)
    _signal_group(process.pid, signal.SIGKILL)
    process.join(10)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """In the main thread, SIGTERM raises :class:`CrawlStopped` while a crawl runs (the daemon has its own)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
        signal.SIG_DFL,
        None,
    ):
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise CrawlStopped(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _count_spawn(source: str) -> None:
    """Append one line per started crawl child to ``$CRAWL_SPAWN_LOG`` (a measuring aid for the test suite)."""
    path = os.environ.get("CRAWL_SPAWN_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {source} {os.environ.get('PYTEST_CURRENT_TEST', '')}\n")


@dataclass(frozen=True)
class _ChildStart:
    """How the parent was when it asked for the child: handed over so the child starts the same."""

    parent_pid: int
    environ: dict[str, str]
    cwd: str
    stdout: Any
    stderr: Any


def _child_main(
    start: _ChildStart, settings: Settings, source: str, run_id: int | None, log_level: str, conn: Connection
) -> None:
    """The child's entry point: become the parent's stand-in, then crawl."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_fork_server()
    _watch_parent(start.parent_pid)
    for target, fd in ((1, start.stdout), (2, start.stderr)):
        if isinstance(fd, int):
            os.dup2(fd, target)
            os.close(fd)
    os.environ.clear()
    os.environ.update(start.environ)
    with contextlib.suppress(OSError):
        os.chdir(start.cwd)
    crawl_in_this_process(settings, source, run_id, log_level, conn)


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _die_with_fork_server() -> None:
    """Linux: SIGKILL this process when the process that forked it (the fork server) dies."""
    libc = _libc()
    if libc is None:
        return
    forked_by = os.getppid()
    libc.prctl(_PR_SET_NAME, ctypes.c_char_p(COMM), 0, 0, 0)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != forked_by:  # it died before the signal was armed
        os._exit(1)


def _watch_parent(parent_pid: int) -> None:
    """Kill this process group as soon as ``parent_pid`` is gone (a daemon killed with SIGKILL)."""
    if parent_pid == os.getppid():  # forked by the parent itself: the death signal covers it
        return
    pidfd: int | None = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(parent_pid)
        except ProcessLookupError:
            os._exit(1)
        except OSError:
            pidfd = None
    elif not _alive(parent_pid):
        os._exit(1)

    def watch() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])
        else:
            while _alive(parent_pid):
                time.sleep(0.5)
        with contextlib.suppress(OSError):
            os.write(2, f"tracker: crawl process {os.getpid()}: its parent {parent_pid} is gone; stopping\n".encode())
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(0), signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, name="tracker-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def crawl_in_this_process(
    settings: Settings, source: str, run_id: int | None, log_level: str, conn: Connection | None = None
) -> dict[str, Any] | None:
    """Run the spider here (the child's entry point); sends the summary through ``conn``."""
    from scrapy.crawler import CrawlerProcess

    from tracker.sources.settings import scrapy_settings

    spider_cls, kwargs = spider_for(source, settings)
    process = CrawlerProcess(scrapy_settings(settings, run_id=run_id, log_level=log_level))
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **kwargs)
    process.start()
    summary = crawler.stats.get_value("tracker/summary") if crawler.stats else None
    if conn is not None:
        if summary is not None:
            conn.send(summary)
        conn.close()
    return summary
