"""Import archived OpenRouter ``/models`` responses, oldest first.

Each file goes through the same normalize and store code as a crawl, stamped
with the time it was observed (``--observed-at`` or a date in the file name),
so that events carry the time of the change, not of the import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import BackfillError, NormalizationError
from tracker.events.hashing import body_hash
from tracker.normalize.openrouter import snapshot_from_payload
from tracker.perf import gc_paused
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.runs import finish_run, last_observed_at, start_run
from tracker.store.tables import Run

_NAME_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T_](\d{2})(\d{2})(?:(\d{2}))?Z?)?")


def observed_at_from_name(path: Path) -> dt.datetime | None:
    """``models-2026-03-17.json`` → 2026-03-17T00:00Z; ``…T1934Z`` → 19:34Z."""
    match = _NAME_TIME.search(path.name)
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        return dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=dt.UTC
        )
    except ValueError:
        return None


def parse_time(text: str) -> dt.datetime:
    """An ISO date or datetime; naive values are taken as UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BackfillError(
            f"cannot read {text!r} as a date or time (use e.g. 2026-03-17 or 2026-03-17T19:34Z)"
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass
class BackfillItem:
    path: Path
    observed_at: dt.datetime


def plan(files: list[Path], observed_at: dt.datetime | None) -> list[BackfillItem]:
    """Files with their observation times, in time order; raises when a time is unknown."""
    items = []
    for path in files:
        when = observed_at or observed_at_from_name(path)
        if when is None:
            raise BackfillError(f"cannot tell when {path} was observed: put a date in its name or pass --observed-at")
        items.append(BackfillItem(path, when))
    return sorted(items, key=lambda i: (i.observed_at, i.path.name))


def backfill_openrouter(
    factory: sessionmaker[Session],
    database_url: str,
    files: list[Path],
    *,
    observed_at: dt.datetime | None = None,
    partial: bool = False,
    trigger: str = "cli",
) -> list[CrawlSummary]:
    summaries = []
    for item in plan(files, observed_at):
        summaries.append(_backfill_one(factory, item, partial=partial, trigger=trigger))
    return summaries


def _backfill_one(factory: sessionmaker[Session], item: BackfillItem, *, partial: bool, trigger: str) -> CrawlSummary:
    with session_scope(factory) as session:
        latest = last_observed_at(session, "openrouter")
        run = start_run(session, job="backfill", source="openrouter", trigger=trigger, observed_at=item.observed_at)
        run_id = run.id
        problem = None
        if latest is not None and item.observed_at <= latest:
            problem = (
                f"{item.path.name}: observed {item.observed_at.isoformat()}, not after data already stored "
                f"({latest.isoformat()}); backfill imports oldest first — skipped"
            )
        if problem:
            finish_run(session, run, status="failed", error_message=problem)
            return CrawlSummary(source="openrouter", run_id=run_id, status="failed", message=problem)
    try:
        body = item.path.read_bytes()
        with gc_paused():
            payload = json.loads(body)
            snapshot = snapshot_from_payload(
                payload,
                observed_at=item.observed_at,
                url=item.path.resolve().as_uri(),
                response_hash=body_hash(body),
                complete=not partial,
            )
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, NormalizationError) as exc:
        message = f"{item.path}: cannot import: {exc}"
        with session_scope(factory) as session:
            run = session.get_one(Run, run_id)
            finish_run(session, run, status="failed", error_message=message)
        return CrawlSummary(source="openrouter", run_id=run_id, status="failed", message=message)
    from tracker.sources.pipelines.openrouter import store_listing  # Scrapy's import: only when storing

    summary = store_listing(factory, run_id, snapshot, [])
    summary.extra["file"] = item.path.name
    summary.extra["observed_at"] = item.observed_at.isoformat()
    return summary
