"""The attempts of every unit per tick (``unit_runs``): a unit is crawled once per tick.

:func:`decide_claim` is the pure rule; :func:`claim` and :func:`finish` apply it.
A task that finds a finished attempt of its tick does nothing (a second scheduler
deferred the tick again, or the job was retried after it had finished). An attempt
still ``running`` when a task of the same unit starts belongs to a worker that
died: the queue's lock lets no two tasks of one unit run at once, so it becomes
``abandoned`` (its ``runs`` row failed) and a new attempt begins.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tracker.store.tables import Run
from tracker.store.tables.workers import UnitRun

FINISHED = ("success", "partial", "failed")
ABANDONED = "abandoned"


def worker_name(pid: int) -> str:
    return f"{socket.gethostname()[:200]}:{pid}"


def run_trigger(attempt_id: int) -> str:
    """The ``runs.trigger`` of the crawl an attempt started (how a takeover finds the crawl of a dead worker)."""
    return f"worker:{attempt_id}"


@dataclass(frozen=True)
class Attempt:
    id: int
    attempt: int
    status: str


@dataclass(frozen=True)
class ClaimDecision:
    """``start`` attempt number ``attempt`` after abandoning ``abandon``; or ``skip`` because of ``reason``."""

    start: bool
    attempt: int = 0
    abandon: tuple[int, ...] = ()
    reason: str = ""


def decide_claim(attempts: Sequence[Attempt]) -> ClaimDecision:
    """What a task does, given the unit's attempts for its tick."""
    done = [a for a in attempts if a.status in FINISHED]
    if done:
        last = max(done, key=lambda a: a.attempt)
        reason = f"already crawled for this tick ({last.status}, attempt {last.attempt})"
        return ClaimDecision(start=False, reason=reason)
    running = tuple(a.id for a in attempts if a.status == "running")
    number = max((a.attempt for a in attempts), default=0) + 1
    return ClaimDecision(start=True, attempt=number, abandon=running)


def claim(
    session: Session, unit: str, tick: dt.datetime, *, worker: str, job_id: int | None, now: dt.datetime
) -> int | ClaimDecision:
    """Start an attempt (its id) or say why not (the decision); commits."""
    rows = session.execute(
        select(UnitRun.id, UnitRun.attempt, UnitRun.status).where(UnitRun.unit == unit, UnitRun.tick == tick)
    ).all()
    decision = decide_claim([Attempt(r.id, r.attempt, r.status) for r in rows])
    if not decision.start:
        return decision
    for attempt_id in decision.abandon:
        session.execute(
            update(UnitRun)
            .where(UnitRun.id == attempt_id, UnitRun.status == "running")
            .values(status=ABANDONED, finished_at=now, message=f"its worker stopped; taken over by {worker}")
        )
        session.execute(
            update(Run)
            .where(Run.trigger == run_trigger(attempt_id), Run.status == "running")
            .values(status="failed", finished_at=now, error_message="the worker running this crawl died")
        )
    attempt_id = session.execute(
        insert(UnitRun)
        .values(
            unit=unit,
            tick=tick,
            attempt=decision.attempt,
            status="running",
            worker=worker,
            job_id=job_id,
            started_at=now,
        )
        .returning(UnitRun.id)
    ).scalar_one()
    session.commit()
    return int(attempt_id)


def finish(
    session: Session, attempt_id: int, *, status: str, run_id: int | None, message: str | None, now: dt.datetime
) -> None:
    session.execute(
        update(UnitRun)
        .where(UnitRun.id == attempt_id)
        .values(status=status, run_id=run_id, message=(message or None) and message[:2000], finished_at=now)
    )
    session.commit()


def attempts_of(session: Session, unit_prefix: str = "") -> list[UnitRun]:
    """Every attempt (of the units whose key starts with ``unit_prefix``), oldest first."""
    query = select(UnitRun).order_by(UnitRun.started_at, UnitRun.id)
    if unit_prefix:
        query = query.where(func.substr(UnitRun.unit, 1, len(unit_prefix)) == unit_prefix)
    return list(session.scalars(query))
