"""The shape every store pipeline shares: store during the crawl in chunks, finish when the spider closes.

A subclass gathers items in ``process_item`` and hands them to the update step
(:func:`tracker.update.apply` or a source's own step in :mod:`tracker.update`) every
``TRACKER_STORE_CHUNK`` records (the ``store_chunk`` setting), each chunk in a short transaction of
the process's session factory (:func:`tracker.sources.database.process_sessions`);
:meth:`StoreOnClose.store` stores what is left and makes the crawl's once-per-crawl decisions
(delistings, the frontier, superseded versions) from what was recorded, then closes the run. A
chunk that fails rolls back alone: the chunks before it stay, nothing more is stored and the run
closes as failed. If :meth:`StoreOnClose.store` itself raises (a bug, a database problem), its
transaction has rolled back, the run is closed as failed with the error, and the crawl's summary
says so.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from sqlalchemy.orm import Session, sessionmaker

from tracker.sources.database import process_sessions, release_connections
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.runs import finish_run, utcnow
from tracker.store.tables import Run

logger = logging.getLogger(__name__)


class StoreOnClose:
    #: The source named in a failure summary (``source_of`` may read it from the spider instead).
    source = ""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url: str = crawler.settings.get("TRACKER_DATABASE_URL")
        self.run_id: int | None = crawler.settings.get("TRACKER_RUN_ID")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The crawl process's session factory (one engine per process)."""
        return process_sessions(self.database_url)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        """Store what the crawl collected and close the run; returns the crawl's summary."""
        raise NotImplementedError

    def source_of(self, spider: Spider) -> str:
        return self.source

    def annotate(self, summary: CrawlSummary) -> None:
        """Add source-specific figures to the summary (after storing, also after a failure)."""

    def report(self, summary: CrawlSummary) -> dict[str, Any]:
        """What the crawl child sends back: the summary (a subclass may add a typed result beside it)."""
        return summary.to_dict()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        requests = stats.get_value("downloader/request_count", 0) if stats else 0
        try:
            try:
                summary = self.store(spider, reason, requests)
            except Exception as exc:  # a bug or a database problem: the run says so, nothing half-written stays
                source = self.source_of(spider)
                logger.exception("storing the %s crawl failed", source)
                summary = store_failed(
                    self.sessions, self.run_id, source, f"storing the crawl failed: {exc!r}", requests
                )
        finally:
            release_connections(self.database_url)
        self.annotate(summary)
        if stats:
            stats.set_value("tracker/summary", self.report(summary))


def store_failed(
    sessions: sessionmaker[Session], run_id: int | None, source: str, message: str, requests: int
) -> CrawlSummary:
    """Close the run as failed with ``message`` (in a transaction of its own) and say so in a summary."""
    summary = CrawlSummary(source=source, run_id=run_id, status="failed", message=message[:1000], requests=requests)
    with session_scope(sessions) as session:
        run = session.get(Run, run_id) if run_id is not None else None
        if run is not None:
            finish_run(session, run, status="failed", error_message=summary.message, requests=requests)
    summary.finished_at = utcnow()
    return summary
