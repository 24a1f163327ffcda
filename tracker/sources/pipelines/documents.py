"""Blogs and press pipelines: validate → normalize (read the article) → store.

* **Validate**: a feed entry without a link is rejected (``entry-no-link``); one
  without a date is reported (``entry-no-date``) and its page is still read (the
  page's own date is used when it has one).
* **Normalize**: the page's article text (:func:`tracker.normalize.articles.read_article`);
  a page that is too large, has a wrong charset or no article is rejected with
  that reason.
* **Store**: everything in one transaction when the spider closes
  (:func:`tracker.store.ingest_documents.ingest_documents`), the rejections and
  fetch failures in ``crawl_errors``, the run closed. A ``304`` stores nothing.
  For ``tracker check`` (``collect_only``) the articles go back to the caller
  in the summary instead.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from tracker.normalize.articles import Article, ArticleError, read_article
from tracker.normalize.rejection import Rejection
from tracker.sources.frontier import FrontierLog
from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.pipelines.frontier import observe, record_frontier
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.spiders.feeds import (
    DEFAULT_MAX_PAGE_BYTES,
    FeedEntry,
    FeedProblem,
    FetchedFeed,
    NotModified,
    utc_from_struct,
)
from tracker.sources.summary import CrawlSummary
from tracker.store.db import make_engine, make_sessionmaker, session_scope
from tracker.store.ingest_documents import DocumentsBatch, PageRecord, Validators, ingest_documents, text_hash
from tracker.store.retirements import announce_vendor_retirements
from tracker.store.runs import finish_run, record_errors, utcnow
from tracker.store.tables import Run

logger = logging.getLogger(__name__)


def _entry_subject(entry: FeedEntry) -> str:
    return (entry.title or entry.entry_id or f"{entry.feed_url} entry {entry.position + 1}")[:200]


class ValidatePipeline:
    """Feed entries need a link (and should have a date)."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FeedEntry):
            rejections: list[Rejection] = []
            if not item.link:
                rejections.append(
                    Rejection(_entry_subject(item), "entry-no-link", "the feed entry has no link", item.feed_url)
                )
            elif not item.date_text:
                rejections.append(
                    Rejection(
                        _entry_subject(item),
                        "entry-no-date",
                        "the feed entry has no date: the page's own date is used if it has one",
                        item.link,
                    )
                )
            elif item.date_parsed is None:
                rejections.append(
                    Rejection(_entry_subject(item), "entry-bad-date", f"unreadable date {item.date_text!r}", item.link)
                )
            item.rejections.extend(rejections)
        return item


@dataclass
class ReadPage:
    """A page whose article was read."""

    url: str
    article: Article
    feed: dict[str, Any]
    entry: FeedEntry | None
    fetched_at: Any
    etag: str | None
    last_modified: str | None
    body_hash: str


class NormalizePipeline:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        spider = getattr(crawler, "spider", None)
        return cls(getattr(spider, "max_page_bytes", DEFAULT_MAX_PAGE_BYTES))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawRecord) and item.kind == "page" and item.rejection is None:
            data = item.data
            feed = data["feed"]
            fallback = feed.get("type") if feed.get("type") in ("markdown", "html") else None
            try:
                article = read_article(
                    data["body"],
                    content_type=data["content_type"],
                    url=item.provenance.url,
                    max_bytes=self.max_bytes,
                    fallback_format=fallback or "markdown",
                )
            except ArticleError as exc:
                item.rejection = Rejection(item.provenance.url, exc.reason, exc.detail, item.provenance.url)
            else:
                item.normalized = ReadPage(
                    url=item.provenance.url,
                    article=article,
                    feed=feed,
                    entry=data["entry"],
                    fetched_at=item.provenance.fetched_at,
                    etag=data["etag"],
                    last_modified=data["last_modified"],
                    body_hash=item.provenance.response_hash,
                )
                for warning in article.warnings:
                    logger.warning("%s: %s", item.provenance.url, warning)
            item.data = {  # the body is read
                "etag": data["etag"],
                "last_modified": data["last_modified"],
                "requested": data.get("requested"),
            }
        return item


@dataclass
class DocumentsCrawlState:
    pages: list[ReadPage] = field(default_factory=list)
    validators: list[Validators] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    not_modified: Counter[str] = field(default_factory=Counter)
    feeds_read: int = 0
    entries: int = 0
    frontier: FrontierLog = field(default_factory=FrontierLog)


class StorePipeline(StoreOnClose):
    """Collect the crawl; store it when the spider closes."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = DocumentsCrawlState()

    def process_item(self, item: Any) -> Any:
        state = self.state
        observe(state.frontier, item)
        if isinstance(item, FeedEntry):
            state.entries += 1
            state.rejections.extend(item.rejections)
        elif isinstance(item, FetchedFeed):
            state.feeds_read += 1
            state.validators.append(
                Validators(
                    url=item.provenance.url,
                    fetched_at=item.provenance.fetched_at,
                    status=item.provenance.http_status,
                    etag=item.etag,
                    last_modified=item.last_modified,
                    content_hash=item.provenance.response_hash,
                )
            )
        elif isinstance(item, FeedProblem):
            state.rejections.append(Rejection(item.url, item.reason, item.detail, item.url))
        elif isinstance(item, NotModified):
            state.not_modified[item.part] += 1
            state.validators.append(Validators(url=item.url, fetched_at=utcnow(), status=304))
        elif isinstance(item, FetchFailure):
            state.failures.append(item)
        elif isinstance(item, RawRecord) and item.kind == "page":
            state.validators.append(
                Validators(
                    url=item.provenance.url,
                    fetched_at=item.provenance.fetched_at,
                    status=item.provenance.http_status,
                    etag=item.data.get("etag"),
                    last_modified=item.data.get("last_modified"),
                    content_hash=item.provenance.response_hash,
                )
            )
            if item.rejection is not None:
                state.rejections.append(item.rejection)
            elif isinstance(item.normalized, ReadPage):
                state.pages.append(item.normalized)
        return item

    def source_of(self, spider: Spider) -> str:
        return str(getattr(spider, "source", "feeds"))

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        return store_documents_crawl(
            self.database_url,
            self.run_id,
            self.state,
            source=self.source_of(spider),
            feeds=len(getattr(spider, "feeds", [])),
            finish_reason=reason,
            requests=requests,
            collect_only=bool(getattr(spider, "collect_only", False)),
            listings=list(getattr(spider, "feeds", [])),
            retry_minutes=float(getattr(spider, "retry_minutes", 30)),
            broken_after_runs=int(getattr(spider, "broken_after_runs", 2)),
        )


def page_record(page: ReadPage) -> PageRecord:
    """A read page as the store step wants it (dates: the feed entry's, else the page's own)."""
    feed = page.feed
    entry = page.entry
    published = utc_from_struct(entry.date_parsed) if entry is not None else None
    return PageRecord(
        url=page.url,
        kind=feed.get("kind", "vendor"),
        source=feed.get("vendor") or feed.get("url", ""),
        vendor=feed.get("vendor") if feed.get("kind", "vendor") == "vendor" else None,
        fetched_at=page.fetched_at,
        text=page.article.text,
        title=(entry.title if entry is not None and entry.title else None) or page.article.title,
        published_at=published or page.article.published_at,
        feed_url=feed.get("url") if feed.get("type", "feed") == "feed" else None,
    )


def store_documents_crawl(
    database_url: str,
    run_id: int | None,
    state: DocumentsCrawlState,
    *,
    source: str,
    feeds: int,
    finish_reason: str = "finished",
    requests: int = 0,
    collect_only: bool = False,
    listings: list[dict[str, Any]] | None = None,
    retry_minutes: float = 30,
    broken_after_runs: int = 2,
) -> CrawlSummary:
    """Apply a blogs/press crawl and close the run (or, for ``tracker check``, hand the articles back)."""
    summary = CrawlSummary(source=source, run_id=run_id, requests=requests)
    pages = [page_record(p) for p in state.pages]
    failure_rows = [
        Rejection(subject=f.subject or f.url, reason=f.reason, detail=f.detail, url=f.url) for f in state.failures
    ]
    summary.rejected = Counter(r.reason for r in state.rejections)
    summary.errors = Counter(f.reason for f in state.failures)
    summary.extra.update(
        feeds=feeds,
        feeds_read=state.feeds_read,
        feed_entries=state.entries,
        pages_read=len(pages),
        not_modified=sum(state.not_modified.values()),
    )
    fetched = state.feeds_read + len(pages) + sum(state.not_modified.values()) + len(state.rejections)
    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            run = session.get(Run, run_id) if run_id is not None else None
            now = min((p.fetched_at for p in pages), default=utcnow())
            if collect_only:
                summary.extra["articles"] = [
                    {
                        "url": p.url,
                        "title": p.title,
                        "text": p.text,
                        "published_at": p.published_at.isoformat() if p.published_at else None,
                        "fetched_at": p.fetched_at.isoformat(),
                        "content_hash": text_hash(p.text),
                    }
                    for p in pages
                ]
                summary.extra["problems"] = [
                    {"url": r.url, "reason": r.reason, "detail": r.detail} for r in state.rejections + failure_rows
                ]
                summary.seen = len(pages)
            elif pages or state.validators:
                if run is not None:
                    run.observed_at = now
                result = ingest_documents(
                    session, DocumentsBatch(pages=pages, validators=state.validators), run_id=run_id, now=now
                )
                summary.absorb(result.counts(), result.events)
                summary.extra.update({k: v for k, v in result.extra().items() if v})
                summary.absorb(*announce_vendor_retirements(session, pages, source=source, run_id=run_id, now=now))
            owed = 0
            if not collect_only:  # tracker check prints its problems; it records nothing
                record_errors(session, state.rejections + failure_rows, source=source, run_id=run_id)
                owed = record_frontier(
                    session,
                    state.frontier,
                    summary,
                    source=source,
                    listings=listings or [],
                    now=utcnow(),
                    retry_minutes=retry_minutes,
                    broken_after_runs=broken_after_runs,
                )
            summary.complete = finish_reason == "finished"
            if feeds == 0:
                summary.status = "success"
                summary.message = f"no {source} feeds configured: nothing to crawl"
            elif fetched == 0 and state.failures:
                summary.status = "failed"
                summary.message = _failure_message(state.failures)
            elif state.failures or finish_reason != "finished" or owed:
                summary.status = "partial"
                summary.message = _failure_message(state.failures) if state.failures else f"stopped ({finish_reason})"
                if owed and not state.failures and finish_reason == "finished":
                    summary.message = f"{owed} article URL(s) still owed"
            else:
                summary.status = "success"
            if run is not None:
                counts = {k: v for k, v in summary.to_dict().items() if k != "extra"} | {
                    "extra": {k: v for k, v in summary.extra.items() if k not in ("articles", "problems")}
                }
                finish_run(session, run, **summary.run_fields(requests=requests, counts=counts))
    finally:
        engine.dispose()
    summary.finished_at = utcnow()
    return summary


def _failure_message(failures: list[FetchFailure]) -> str:
    first = failures[0]
    status = f" (HTTP {first.http_status})" if first.http_status else ""
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    return f"{first.subject or first.url}: {first.reason}{status}{more}"[:1000]
