"""The scheduler side of the workers: one task per unit per tick, and stalled tasks handed to another worker.

``tracker schedule --workers`` runs :func:`run_producer`: every enabled source has
ticks every ``schedule.<source>_interval_minutes`` (aligned: :mod:`ticks`); at each
new tick it defers one task per unit with the unit's key as Procrastinate's
``queueing_lock`` (at most one waiting task per unit: a unit still queued from an
earlier tick is not queued twice) and as its ``lock`` (no two tasks of one unit
run at once, on any worker). A worker that stops sending heartbeats (killed,
its machine gone) leaves its task ``doing``; :func:`retry_stalled` (run by the
producer and by every worker) puts it back in the queue for another worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.config import Settings
from tracker.schedule.plan import interval_minutes
from tracker.sources.registry import enabled_sources
from tracker.workers.queue import CRAWL_QUEUE, CRAWL_TASK
from tracker.workers.ticks import current_tick, due
from tracker.workers.units import Unit, units_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickReport:
    """What one tick of one source deferred."""

    source: str
    tick: dt.datetime
    deferred: int
    already_queued: int

    def line(self) -> str:
        text = f"{self.source} tick {self.tick.strftime('%Y-%m-%d %H:%M:%S')} UTC: {self.deferred} tasks deferred"
        if self.already_queued:
            text += f", {self.already_queued} units still queued from an earlier tick"
        return text


def plan_units(settings: Settings) -> dict[str, tuple[dt.timedelta, list[Unit]]]:
    """Every enabled source → (its interval, its units)."""
    return {
        source: (dt.timedelta(minutes=interval_minutes(settings, source)), units_of(settings, source))
        for source in enabled_sources(settings)
    }


async def defer_units(app: Any, units: list[Unit], tick: dt.datetime) -> tuple[int, int]:
    """Defer one crawl task per unit for ``tick``: (deferred, already queued)."""
    from procrastinate.exceptions import AlreadyEnqueued

    deferred = queued = 0
    for unit in units:
        task = app.configure_task(CRAWL_TASK, queue=CRAWL_QUEUE, lock=unit.key, queueing_lock=unit.key)
        try:
            await task.defer_async(unit=unit.key, tick=tick.isoformat())
        except AlreadyEnqueued:
            queued += 1
        else:
            deferred += 1
    return deferred, queued


async def retry_stalled(app: Any, stalled_seconds: float) -> int:
    """Put the tasks of workers silent for ``stalled_seconds`` back in the queue; how many."""
    from procrastinate.exceptions import ConnectorException, UniqueViolation
    from procrastinate.jobs import Status

    count = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
        try:
            await app.job_manager.retry_job(job)
        except UniqueViolation:
            # a newer task of the unit already waits (a later tick): it does the work; this one must not keep
            # holding the unit's lock, or that task would never start
            log.warning("job %s of a stalled worker is given up: a newer task of its unit is queued", job.id)
            with contextlib.suppress(ConnectorException):
                await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
            continue
        except ConnectorException as exc:  # retried by another worker or the scheduler first
            log.info("stalled job %s not retried: %s", job.id, " ".join(str(exc).split())[:200])
            continue
        log.warning("job %s (%s) of a stalled worker is queued again", job.id, job.task_kwargs.get("unit"))
        count += 1
    return count


async def reap_forever(app: Any, stalled_seconds: float, stop: asyncio.Event) -> None:
    """Run :func:`retry_stalled` every half ``stalled_seconds`` until ``stop`` (errors logged, never raised)."""
    while not stop.is_set():
        try:
            await retry_stalled(app, stalled_seconds)
        except Exception as exc:  # the database went away for a moment: try again at the next round
            log.warning("looking for stalled tasks failed: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(stalled_seconds / 2, 0.2))


async def run_producer(
    settings: Settings,
    app: Any,
    stop: asyncio.Event,
    *,
    stalled_seconds: float,
    report: Callable[[TickReport], None] | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> None:
    """Defer every unit at each new tick of its source until ``stop`` is set."""
    plan = plan_units(settings)
    last: dict[str, dt.datetime] = {}
    reaper = asyncio.create_task(reap_forever(app, stalled_seconds, stop))
    try:
        while not stop.is_set():
            for source, (interval, units) in plan.items():
                tick = current_tick(now(), interval)
                if not due(last.get(source), tick):
                    continue
                deferred, queued = await defer_units(app, units, tick)
                last[source] = tick
                if report is not None:
                    report(TickReport(source, tick, deferred, queued))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.5)
    finally:
        stop.set()
        await reaper
