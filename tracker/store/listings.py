"""The size of the last complete listing, read back from the runs that recorded it.

A crawl whose listing was complete by rule (``tracker.normalize.completeness``)
records its size in the run's counts: ``extra.listing_entries`` (OpenRouter) or
``extra.org_listing_entries`` (Hugging Face, per organisation). The next crawl
compares its own size with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.tables import Run

#: Runs looked back through for an organisation's last complete listing.
LOOKBACK_RUNS = 50


def _extra(counts: Any) -> dict[str, Any]:
    extra = counts.get("extra") if isinstance(counts, dict) else None
    return extra if isinstance(extra, dict) else {}


def last_complete_size(session: Session, source: str) -> int | None:
    """Entries of the newest complete listing of ``source``, or None if it never had one."""
    rows = session.execute(
        select(Run.counts, Run.items_seen, Run.items_rejected)
        .where(Run.source == source, Run.complete.is_(True))
        .order_by(Run.id.desc())
        .limit(1)
    ).all()
    if not rows:
        return None
    counts, seen, rejected = rows[0]
    size = _extra(counts).get("listing_entries")
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    return int(seen or 0) + int(rejected or 0)


def last_complete_org_sizes(session: Session, source: str) -> dict[str, int]:
    """Organisation (lower-case) → entries of its newest complete listing, over the recent runs."""
    sizes: dict[str, int] = {}
    rows = session.execute(
        select(Run.counts).where(Run.source == source).order_by(Run.id.desc()).limit(LOOKBACK_RUNS)
    ).scalars()
    for counts in rows:
        per_org = _extra(counts).get("org_listing_entries")
        if not isinstance(per_org, dict):
            continue
        for org, size in per_org.items():
            if isinstance(size, int) and not isinstance(size, bool):
                sizes.setdefault(str(org).lower(), size)
    return sizes
