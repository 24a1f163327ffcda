"""The task a worker runs: crawl one unit for one tick, through the same crawl entry point as everything else.

The crawl itself is :func:`tracker.sources.runner.run_crawl` (a fresh child
process, its own ``runs`` row, which the child finishes); this module only
narrows the settings to the unit and records the attempt in ``unit_runs``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
from tracker.sources.registry import SOURCES
from tracker.sources.runner import run_crawl
from tracker.workers.history import ClaimDecision, claim, finish, run_trigger, worker_name
from tracker.workers.queue import CRAWL_QUEUE, CRAWL_TASK, make_app
from tracker.workers.units import parse_unit, unit_settings

log = logging.getLogger(__name__)

#: Told one line per task: the unit, what happened.
Report = Callable[[str, str], None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_unit(
    settings: Settings,
    sessions: sessionmaker[Session],
    unit_key: str,
    tick_text: str,
    *,
    job_id: int | None,
    log_level: str = "WARNING",
) -> str:
    """Crawl ``unit_key`` for the tick ``tick_text`` (ISO 8601) unless it was crawled for it; one line of outcome."""
    unit = parse_unit(unit_key, tuple(SOURCES))
    tick = dt.datetime.fromisoformat(tick_text)
    if tick.tzinfo is None:
        raise ValueError(f"tick {tick_text!r} has no time zone")
    narrowed = unit_settings(settings, unit)  # before the claim: a unit the configuration lost is an error
    with sessions() as session:
        claimed = claim(session, unit.key, tick, worker=worker_name(os.getpid()), job_id=job_id, now=_now())
    if isinstance(claimed, ClaimDecision):
        return f"skipped ({claimed.reason})"
    timeout = settings.schedule.crawl_timeout_minutes * 60 or None
    try:
        summary = run_crawl(
            narrowed,
            unit.source,
            trigger=run_trigger(claimed),
            log_level=log_level,
            timeout_seconds=timeout,
        )
    except BaseException as exc:
        with sessions() as session:
            finish(session, claimed, status="failed", run_id=None, message=f"the task stopped: {exc!r}", now=_now())
        raise
    with sessions() as session:
        finish(session, claimed, status=summary.status, run_id=summary.run_id, message=summary.message, now=_now())
    errors = sum(summary.errors.values()) + sum(summary.rejected.values())
    return f"{summary.status} — {summary.seen} items, {summary.new} new, {summary.changed} changed, {errors} errors"


def build_app(
    settings: Settings,
    sessions: sessionmaker[Session] | None = None,
    *,
    log_level: str = "WARNING",
    report: Report | None = None,
) -> Any:
    """The Procrastinate app with tracker's crawl task (``sessions`` only where tasks run: a worker)."""
    app = make_app(settings.database_url)

    @app.task(name=CRAWL_TASK, queue=CRAWL_QUEUE, pass_context=True)
    def crawl_unit(context: Any, unit: str, tick: str) -> str:
        if sessions is None:
            raise RuntimeError("this process defers crawl tasks; it does not run them")
        job = getattr(context, "job", None)
        outcome = run_unit(settings, sessions, unit, tick, job_id=getattr(job, "id", None), log_level=log_level)
        if report is not None:
            report(unit, outcome)
        return outcome

    return app
