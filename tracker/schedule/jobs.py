"""The jobs, shared by ``tracker run`` and ``tracker schedule``: crawl a source, build the site, the newsletter.

Each job takes its lease first (:mod:`tracker.schedule.locks`); when another
process holds it the job is *skipped* (or waits, when asked to) and says who is
running it. Each job returns a :class:`JobResult` and never raises for a
failing source, build or send: the failure is recorded in ``runs`` and in the
result, and the caller goes on with the next job.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.schedule.locks import LockManager, LockState, pid_alive, this_host
from tracker.schedule.plan import NEWSLETTER, SITE, crawl_job
from tracker.sources.runner import run_crawl
from tracker.sources.summary import CrawlSummary
from tracker.store.db import make_sessionmaker, session_scope
from tracker.store.runs import finish_run, mark_stale_runs_failed, start_run
from tracker.store.tables import Run

log = logging.getLogger(__name__)

#: Jobs whose ``running`` rows this package may declare dead (the newsletter sender recovers its own).
RECOVERABLE_JOBS = ("crawl", "site", "run")


@dataclass
class JobResult:
    """What one job did."""

    job: str
    #: ``success``, ``partial``, ``failed`` or ``skipped``.
    status: str
    message: str | None = None
    #: The job's own figures (a crawl summary, the site build, the issue and its sending).
    details: dict[str, Any] = field(default_factory=dict)
    #: The job changed what the site shows (a crawl with new, changed or delisted items; a new issue).
    changed: bool = False
    crawl: CrawlSummary | None = None
    #: The scheduled time this run was fired for (scheduled runs only).
    tick: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("success", "skipped")

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "status": self.status,
            "message": self.message,
            "changed": self.changed,
            "tick": self.tick.isoformat() if self.tick else None,
            "details": self.details,
        }


def _crawl_changed(summary: CrawlSummary) -> bool:
    return bool(summary.new or summary.changed or summary.delisted or sum(summary.events.values()))


def crawl(
    settings: Settings,
    source: str,
    locks: LockManager,
    *,
    trigger: str,
    wait: float = 0.0,
    tick: dt.datetime | None = None,
    tick_tolerance: dt.timedelta = dt.timedelta(0),
    log_level: str = "WARNING",
) -> JobResult:
    """Crawl ``source`` in a child process (:func:`tracker.sources.runner.run_crawl`) under its lease."""
    name = crawl_job(source)
    with locks.held(name, wait=wait, tick=tick, tick_tolerance=tick_tolerance) as outcome:
        if not outcome.acquired:
            return JobResult(name, "skipped", outcome.reason())
        timeout = settings.schedule.crawl_timeout_minutes * 60 if settings.schedule.crawl_timeout_minutes > 0 else None
        if outcome.other is not None:  # taken over from a holder that is gone, with its crawl process
            recover_runs_of(make_sessionmaker(locks.engine), outcome.other)
        try:
            summary = run_crawl(
                settings,
                source,
                trigger=trigger,
                log_level=log_level,
                timeout_seconds=timeout,
                on_child=lambda pid: locks.set_child(name, pid),
            )
        except TrackerError as exc:
            return JobResult(name, "failed", str(exc))
        except Exception as exc:  # a bug or a broken database: report it, keep the other jobs going
            log.exception("crawl of %s raised", source)
            return JobResult(name, "failed", f"{type(exc).__name__}: {exc}")
        if outcome.lease is not None and outcome.lease.lost:
            log.error("%s ran past the loss of its lease; another process may have run it too", name)
    return JobResult(
        name,
        summary.status,
        summary.message,
        details=summary.to_dict(),
        changed=summary.status != "failed" and _crawl_changed(summary),
        crawl=summary,
    )


def site(
    settings: Settings,
    factory: sessionmaker[Session],
    locks: LockManager,
    *,
    trigger: str,
    out_dir: Path | None = None,
    wait: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> JobResult:
    """Build the static site under the ``site`` lease; recorded as a ``site`` run."""
    from tracker.site.build import build_site

    target = Path(out_dir or settings.site.out_dir)
    with locks.held(SITE, wait=wait) as outcome:
        if not outcome.acquired:
            return JobResult(SITE, "skipped", outcome.reason())
        with session_scope(factory) as session:
            run_id = start_run(session, job="site", source=None, trigger=trigger).id
        try:
            result = build_site(factory, settings, target, progress=progress)
        except Exception as exc:
            if not isinstance(exc, TrackerError):
                log.exception("the site build raised")
            message = f"{exc}" if isinstance(exc, TrackerError) else f"{type(exc).__name__}: {exc}"
            _finish(factory, run_id, "failed", message=message)
            return JobResult(SITE, "failed", message)
        details = result.to_dict()
        status = "partial" if result.problems else "success"
        message = "; ".join(result.problems[:3]) if result.problems else None
        _finish(factory, run_id, status, message=message, counts=details, items_seen=result.pages)
    return JobResult(SITE, status, message, details=details)


def newsletter(
    settings: Settings,
    factory: sessionmaker[Session],
    locks: LockManager,
    *,
    trigger: str,
    send: bool,
    week: str | None = None,
    wait: float = 0.0,
    tick: dt.datetime | None = None,
    tick_tolerance: dt.timedelta = dt.timedelta(0),
) -> JobResult:
    """Build the issue of ``week`` (default: the last complete week) and send it when ``send``.

    The build and the send record their own runs (``newsletter-build``,
    ``newsletter-send``); the sender never sends an issue twice to anyone.
    """
    from tracker.newsletter.build import build_issue
    from tracker.newsletter.send import send_issue

    with locks.held(NEWSLETTER, wait=wait, tick=tick, tick_tolerance=tick_tolerance) as outcome:
        if not outcome.acquired:
            return JobResult(NEWSLETTER, "skipped", outcome.reason())
        try:
            issue = build_issue(factory, settings, week, trigger=trigger)
        except TrackerError as exc:
            return JobResult(NEWSLETTER, "failed", f"building the issue: {exc}")
        except Exception as exc:
            log.exception("the newsletter build raised")
            return JobResult(NEWSLETTER, "failed", f"building the issue: {type(exc).__name__}: {exc}")
        details: dict[str, Any] = {"issue": issue.to_dict(), "send": None}
        result = JobResult(NEWSLETTER, "success", details=details, changed=issue.written)
        if not send:
            return result
        try:
            sent = send_issue(factory, settings, issue.week, trigger=trigger)
        except TrackerError as exc:
            result.status, result.message = "failed", f"sending {issue.week}: {exc}"
            return result
        except Exception as exc:
            log.exception("the newsletter send raised")
            result.status, result.message = "failed", f"sending {issue.week}: {type(exc).__name__}: {exc}"
            return result
        details["send"] = sent.to_dict()
        if sent.failed or sent.pending:
            result.status = "partial"
            result.message = f"{sent.failed} failed, {sent.pending} still to send"
    return result


def _finish(
    factory: sessionmaker[Session],
    run_id: int,
    status: str,
    *,
    message: str | None = None,
    counts: dict[str, Any] | None = None,
    **fields: Any,
) -> None:
    with session_scope(factory) as session:
        run = session.get(Run, run_id)
        if run is not None:
            finish_run(session, run, status=status, error_message=message, counts=counts, **fields)


def recover_runs_of(factory: sessionmaker[Session], gone: LockState) -> list[int]:
    """Mark the ``running`` runs of a lease holder that is gone (it and its crawl process) as failed."""
    if gone.host != this_host() or not gone.pid:
        return []
    with session_scope(factory) as session:
        ids = list(
            session.scalars(
                select(Run.id).where(
                    Run.status == "running", Run.host == gone.host, Run.pid == gone.pid, Run.job.in_(RECOVERABLE_JOBS)
                )
            )
        )
        for run_id in ids:
            mark_stale_runs_failed(session, run_id=run_id, message="the process running this job died")
    if ids:
        log.warning("marked %d run(s) of the gone holder of %s as failed: %s", len(ids), gone.name, ids)
    return ids


def recover_dead_runs(factory: sessionmaker[Session]) -> list[int]:
    """Mark ``running`` crawl, site and run rows of this host whose process is gone as failed."""
    host = this_host()
    with session_scope(factory) as session:
        rows = session.execute(
            select(Run.id, Run.pid).where(Run.status == "running", Run.host == host, Run.job.in_(RECOVERABLE_JOBS))
        ).all()
        dead = [run_id for run_id, pid in rows if not pid_alive(pid)]
        for run_id in dead:
            mark_stale_runs_failed(session, run_id=run_id, message="the process running this job died")
    if dead:
        log.warning("marked %d run(s) of dead processes on %s as failed: %s", len(dead), socket.gethostname(), dead)
    return dead
