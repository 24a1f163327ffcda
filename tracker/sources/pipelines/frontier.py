"""The blogs/press store pipeline's frontier step: what each item says about article URLs and listings.

:func:`observe` files an item of the crawl in the :class:`~tracker.normalize.frontier.FrontierLog`;
:func:`record_frontier` writes the log (in the crawl's transaction) and puts the figures in the
summary: ``owed`` (URLs still to fetch) and ``broken_listings`` (feeds or index pages to look at).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from tracker.normalize.frontier import FrontierLog
from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.spiders.feeds import FeedEntry, FetchedFeed, NotModified
from tracker.sources.summary import CrawlSummary
from tracker.store.frontier import apply_frontier


def observe(log: FrontierLog, item: Any) -> None:
    """Note what ``item`` tells about the frontier (anything else is ignored)."""
    now = dt.datetime.now(dt.UTC)
    if isinstance(item, FeedEntry):
        if item.link:
            log.entry(item.feed, item.link, item.title, item.date_text)
    elif isinstance(item, RawRecord) and item.kind == "page":
        requested = (item.data or {}).get("requested") or item.provenance.url
        log.page(requested, item.provenance.fetched_at, item.provenance.response_hash)
        if requested != item.provenance.url:
            log.page(item.provenance.url, item.provenance.fetched_at, item.provenance.response_hash)
        read = item.normalized
        if read is not None and getattr(read, "entry", None) is None and getattr(read, "feed", None):
            log.listing(read.feed, item.provenance.url, item.provenance.fetched_at, item.provenance.http_status, 1)
    elif isinstance(item, NotModified):
        log.not_modified(item.url, item.part, now)
    elif isinstance(item, FetchedFeed):
        log.listing(
            item.feed, item.provenance.url, item.provenance.fetched_at, item.provenance.http_status, item.entries
        )
    elif isinstance(item, FetchFailure):
        log.failed(item.subject or item.url, now, item.reason, item.http_status, item.detail)


def record_frontier(
    session: Session,
    log: FrontierLog,
    summary: CrawlSummary,
    *,
    source: str,
    listings: list[dict[str, Any]],
    now: dt.datetime,
    retry_minutes: float,
    broken_after_runs: int,
) -> int:
    """Write the frontier and listing health; returns the URLs still owed."""
    result = apply_frontier(
        session,
        log,
        source=source,
        listings=listings,
        now=now,
        first_wait_minutes=retry_minutes,
        broken_after_runs=broken_after_runs,
    )
    summary.extra["owed"] = result.owed
    if result.discovered:
        summary.extra["urls_discovered"] = result.discovered
    if result.broken:
        summary.extra["broken_listings"] = len(result.broken)
    return result.owed
