"""The per-crawl "seen" record: what a chunked crawl has listed so far (tables/seen.py).

Each chunk of a crawl writes the ids it listed here in its own transaction; the crawl's last step
reads them back to decide what is absent (delistings, Hub repos removed) without holding the
listing in memory, then deletes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.store.bulk import TupleRows
from tracker.store.tables import Run
from tracker.store.tables.seen import CrawlSeen

__all__ = ["CrawlSeen", "crawl_key", "forget_seen", "record_seen", "seen_count", "seen_subjects"]


def crawl_key(run_id: int | None) -> str:
    """The key of one crawl's rows: its run, or a random key when the crawl has no run."""
    return f"run:{run_id}" if run_id is not None else f"crawl:{uuid.uuid4().hex}"


def record_seen(session: Session, key: str, run_id: int | None, source: str, subjects: Iterable[str]) -> int:
    """Remember that the crawl ``key`` listed ``subjects`` (stored lower-case); returns the rows written."""
    out = TupleRows(session, CrawlSeen.__table__, ("crawl_key", "run_id", "source", "subject"))
    return out.insert([(key, run_id, source, subject.lower()) for subject in dict.fromkeys(subjects)])


def seen_count(session: Session, key: str) -> int:
    """Distinct subjects the crawl ``key`` listed."""
    return int(
        session.execute(
            select(func.count(func.distinct(CrawlSeen.subject))).where(CrawlSeen.crawl_key == key)
        ).scalar_one()
    )


def seen_subjects(key: str) -> object:
    """A subquery of the lower-case subjects the crawl ``key`` listed (for ``NOT IN``)."""
    return select(CrawlSeen.subject).where(CrawlSeen.crawl_key == key)


def forget_seen(session: Session, key: str, source: str) -> int:
    """Delete the crawl's rows and those left by finished (or dead) runs of ``source``; returns the rows deleted."""
    own = session.execute(delete(CrawlSeen).where(CrawlSeen.crawl_key == key)).rowcount or 0
    finished = select(Run.id).where(Run.status != "running")
    stale = (
        session.execute(delete(CrawlSeen).where(CrawlSeen.source == source, CrawlSeen.run_id.in_(finished))).rowcount
        or 0
    )
    return own + stale
