"""Source health and job history, read from ``runs`` (``tracker status``).

Per source: the last run, the last success, the last error, the items of the
last run, and flags:

* ``failing`` — the last finished crawl failed (with how many in a row);
* ``partial`` — the last finished crawl got only part of the source (some fetches failed), or
  article URLs it discovered are still owed (``tracker status`` says "partial, N owed");
* ``broken`` — a feed or index page stopped working (404/410, moved, failing or empty for
  ``sources.broken_after_runs`` crawls);
* ``stale`` — no data (a successful or partial crawl) for ``stale_after_hours``, or never;
* ``empty`` — the last ``empty_runs_before_flag`` crawls that did not fail saw no item at all;
* ``stuck`` — a crawl has been ``running`` for longer than the crawl timeout allows,
  or its process is gone (the next ``tracker run`` or ``tracker schedule`` marks it failed).

Read-only: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.config import Settings
from tracker.store.runs import process_gone
from tracker.store.tables import Run

#: Finished crawls read per source (enough for the streaks).
HISTORY = 50
#: Non-crawl jobs shown with their last run.
OTHER_JOBS = ("run", "site", "newsletter-build", "newsletter-send", "backfill")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class RunInfo:
    id: int
    job: str
    source: str | None
    trigger: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    items_seen: int
    items_new: int
    items_changed: int
    items_delisted: int
    errors: int
    rejected: int
    error_message: str | None
    pid: int | None
    host: str | None

    @classmethod
    def of(cls, run: Run) -> RunInfo:
        return cls(
            id=run.id,
            job=run.job,
            source=run.source,
            trigger=run.trigger,
            status=run.status,
            started_at=run.started_at,
            finished_at=run.finished_at,
            items_seen=run.items_seen or 0,
            items_new=run.items_new or 0,
            items_changed=run.items_changed or 0,
            items_delisted=run.items_delisted or 0,
            errors=run.errors or 0,
            rejected=run.items_rejected or 0,
            error_message=run.error_message,
            pid=run.pid,
            host=run.host,
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["started_at"] = _iso(self.started_at)
        out["finished_at"] = _iso(self.finished_at)
        return out


@dataclass
class SourceHealth:
    source: str
    enabled: bool
    last_run: RunInfo | None = None
    running: RunInfo | None = None
    last_success_at: dt.datetime | None = None
    #: The newest successful or partial crawl (data arrived).
    last_data_at: dt.datetime | None = None
    last_error_at: dt.datetime | None = None
    last_error: str | None = None
    items_last_run: int | None = None
    consecutive_failures: int = 0
    consecutive_empty: int = 0
    #: Article URLs discovered and not fetched yet (the crawl frontier of blogs and press).
    owed: int = 0
    #: Feeds or index pages that stopped working: url → what is wrong.
    broken: dict[str, str] = field(default_factory=dict)
    #: ``failing``, ``partial``, ``suspicious``, ``stale``, ``empty``, ``stuck``, ``broken``.
    flags: list[str] = field(default_factory=list)
    #: One sentence per flag.
    notes: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.flags

    @property
    def result(self) -> str:
        """The last crawl in one word: ``never`` (not crawled yet), ``failed`` (the ``failing`` flag),
        ``partial`` (the ``partial`` flag: part of the source, or article URLs still owed) or ``ok``."""
        if self.last_run is None:
            return "never"
        if "failing" in self.flags:
            return "failed"
        if "partial" in self.flags:
            return "partial"
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "enabled": self.enabled,
            "healthy": self.healthy,
            "result": self.result,
            "flags": self.flags,
            "notes": self.notes,
            "last_success_at": _iso(self.last_success_at),
            "last_data_at": _iso(self.last_data_at),
            "last_error_at": _iso(self.last_error_at),
            "last_error": self.last_error,
            "items_last_run": self.items_last_run,
            "consecutive_failures": self.consecutive_failures,
            "consecutive_empty": self.consecutive_empty,
            "owed": self.owed,
            "broken": self.broken,
            "last_run": self.last_run.to_dict() if self.last_run else None,
            "running": self.running.to_dict() if self.running else None,
        }


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"


def source_health(
    session: Session, settings: Settings, sources: list[str], *, now: dt.datetime | None = None
) -> list[SourceHealth]:
    """Health of ``sources`` (the enabled ones) and of any other source that has crawl runs."""
    now = now or dt.datetime.now(dt.UTC)
    schedule = settings.schedule
    known = list(sources)
    for (name,) in session.execute(
        select(Run.source).where(Run.job == "crawl", Run.source.is_not(None)).distinct().order_by(Run.source)
    ):
        if name not in known:
            known.append(name)
    out = []
    for name in known:
        health = _one(session, name, name in sources, schedule, now)
        _frontier(session, health, settings)
        out.append(health)
    return out


def _frontier(session: Session, health: SourceHealth, settings: Settings) -> None:
    """URLs still owed make a source partial; a broken feed or index page flags it."""
    from tracker.normalize.frontier import listing_broken
    from tracker.store.frontier import listing_rows, owed_count

    health.owed = owed_count(session, health.source)
    if health.owed and "failing" not in health.flags:
        if "partial" not in health.flags:
            health.flags.insert(0, "partial")
        health.notes.append(
            f"{health.owed} article URL(s) discovered and not fetched yet (the next crawl fetches them)"
        )
    for row in listing_rows(session, health.source):
        if listing_broken(row, settings.sources.broken_after_runs):
            health.broken[row["url"]] = f"{row['name'] or row['url']}: {row['detail'] or row['state']}"
    if health.broken:
        health.flags.append("broken")
        for detail in health.broken.values():
            health.notes.append(f"listing stopped working: {detail}")


def _one(session: Session, name: str, enabled: bool, schedule: Any, now: dt.datetime) -> SourceHealth:
    health = SourceHealth(source=name, enabled=enabled)
    running = session.scalars(
        select(Run).where(Run.job == "crawl", Run.source == name, Run.status == "running").order_by(Run.id.desc())
    ).first()
    finished = [
        RunInfo.of(r)
        for r in session.scalars(
            select(Run)
            .where(Run.job == "crawl", Run.source == name, Run.status != "running")
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(HISTORY)
        )
    ]
    if running is not None:
        health.running = RunInfo.of(running)
    if finished:
        last = finished[0]
        health.last_run = last
        health.items_last_run = last.items_seen
        suspicious = _suspicious_listing(session, last.id)
    for run in finished:
        if run.status == "failed":
            health.consecutive_failures += 1
        else:
            break
    for run in finished:
        if run.status == "failed":
            continue
        if run.items_seen == 0:
            health.consecutive_empty += 1
        else:
            break
    health.last_success_at = _newest(session, name, ("success",))
    health.last_data_at = _newest(session, name, ("success", "partial"))
    errored = next((r for r in finished if r.status in ("failed", "partial") and r.error_message), None)
    if errored is not None:
        health.last_error_at = errored.finished_at or errored.started_at
        health.last_error = errored.error_message

    if health.consecutive_failures:
        count = health.consecutive_failures
        health.flags.append("failing")
        health.notes.append(f"the last {count} crawls failed" if count > 1 else "the last crawl failed")
    elif health.last_run is not None and health.last_run.status == "partial":
        health.flags.append("partial")
        health.notes.append("the last crawl got only part of the source (nothing was delisted)")
    if finished and suspicious:
        health.flags.append("suspicious")
        health.notes.append(f"suspicious listing: {suspicious} (nothing was delisted)")
    stale_after = dt.timedelta(hours=schedule.stale_after_hours)
    if health.last_data_at is None:
        if enabled:
            health.flags.append("stale")
            health.notes.append("never crawled successfully")
    elif now - health.last_data_at > stale_after:
        health.flags.append("stale")
        health.notes.append(
            f"no data for {_hours(now - health.last_data_at)} (more than {schedule.stale_after_hours:g} h)"
        )
    if schedule.empty_runs_before_flag > 0 and health.consecutive_empty >= schedule.empty_runs_before_flag:
        health.flags.append("empty")
        health.notes.append(f"returned nothing {health.consecutive_empty} runs in a row")
    if health.running is not None:
        limit = dt.timedelta(minutes=schedule.crawl_timeout_minutes + 10)
        if process_gone(health.running.host, health.running.pid):
            health.flags.append("stuck")
            health.notes.append(
                f"run {health.running.id} is marked running but its process (pid {health.running.pid}) is gone"
            )
        elif schedule.crawl_timeout_minutes > 0 and now - health.running.started_at > limit:
            health.flags.append("stuck")
            health.notes.append(
                f"run {health.running.id} has been running for {_hours(now - health.running.started_at)}"
            )
    return health


def _suspicious_listing(session: Session, run_id: int) -> str | None:
    """What the run recorded as a suspicious listing (a large drop below the last complete one), if anything."""
    counts = session.execute(select(Run.counts).where(Run.id == run_id)).scalar_one_or_none()
    extra = counts.get("extra") if isinstance(counts, dict) else None
    value = extra.get("suspicious_listing") if isinstance(extra, dict) else None
    return str(value)[:500] if value else None


def _newest(session: Session, source: str, statuses: tuple[str, ...]) -> dt.datetime | None:
    value = session.execute(
        select(func.max(Run.finished_at)).where(Run.job == "crawl", Run.source == source, Run.status.in_(statuses))
    ).scalar_one_or_none()
    if isinstance(value, str):  # an aggregate bypasses the column type on SQLite
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def last_runs(session: Session, jobs: tuple[str, ...] = OTHER_JOBS) -> dict[str, RunInfo]:
    """The newest run of each job in ``jobs`` (that has one)."""
    out: dict[str, RunInfo] = {}
    for job in jobs:
        run = session.scalars(select(Run).where(Run.job == job).order_by(Run.started_at.desc(), Run.id.desc())).first()
        if run is not None:
            out[job] = RunInfo.of(run)
    return out
