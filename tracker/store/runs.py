"""Run bookkeeping: start, finish, errors. The caller owns the session."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.normalize.rejection import Rejection
from tracker.store.tables import CrawlError, Run


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def start_run(
    session: Session, *, job: str, source: str | None, trigger: str = "cli", observed_at: dt.datetime | None = None
) -> Run:
    run = Run(
        job=job,
        source=source,
        trigger=trigger,
        status="running",
        complete=False,
        started_at=utcnow(),
        observed_at=observed_at,
        pid=os.getpid(),
        host=socket.gethostname()[:255],
    )
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run: Run,
    *,
    status: str,
    error_message: str | None = None,
    counts: dict[str, Any] | None = None,
    **fields: Any,
) -> Run:
    run.status = status
    run.finished_at = utcnow()
    if error_message is not None:
        run.error_message = error_message[:4000]
    if counts is not None:
        run.counts = counts
    for name, value in fields.items():
        setattr(run, name, value)
    session.flush()
    return run


def record_errors(session: Session, rejections: Iterable[Rejection], *, source: str, run_id: int | None) -> int:
    now = utcnow()
    rows = [
        {
            "run_id": run_id,
            "source": source,
            "subject": r.subject[:512],
            "url": r.url,
            "reason": r.reason[:64],
            "detail": r.detail[:4000] if r.detail else None,
            "created_at": now,
        }
        for r in rejections
    ]
    if rows:
        session.execute(CrawlError.__table__.insert(), rows)
    return len(rows)


def last_observed_at(session: Session, source: str, *, exclude_run_id: int | None = None) -> dt.datetime | None:
    """When the source last delivered data (successful or partial run)."""
    query = select(func.max(Run.observed_at)).where(
        Run.source == source, Run.status.in_(("success", "partial")), Run.observed_at.is_not(None)
    )
    if exclude_run_id is not None:
        query = query.where(Run.id != exclude_run_id)
    value = session.execute(query).scalar_one_or_none()
    if isinstance(value, str):  # aggregate bypasses the column type on SQLite
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def mark_stale_runs_failed(
    session: Session,
    *,
    job: str | None = None,
    older_than: dt.timedelta | None = None,
    run_id: int | None = None,
    message: str = "the process running this job died",
) -> int:
    """Mark ``running`` runs as failed (their process is gone)."""
    query = select(Run).where(Run.status == "running")
    if run_id is not None:
        query = query.where(Run.id == run_id)
    if job is not None:
        query = query.where(Run.job == job)
    if older_than is not None:
        query = query.where(Run.started_at < utcnow() - older_than)
    count = 0
    for run in session.scalars(query):
        finish_run(session, run, status="failed", error_message=message)
        count += 1
    return count


def process_gone(host: str | None, pid: int | None) -> bool:
    """True when ``host``/``pid`` name a process of this machine that no longer exists.

    A process on another host cannot be checked: it is never reported gone here.
    """
    if not pid or pid <= 0 or host != socket.gethostname()[:255]:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
