"""Blogs and press pipelines: validate → normalize (read the article) → store.

* **Validate**: a feed entry without a link is rejected (``entry-no-link``); one
  without a date is reported (``entry-no-date``) and its page is still read (the
  page's own date is used when it has one).
* **Normalize**: the page's article text (:func:`tracker.normalize.articles.read_article`);
  a page that is too large, has a wrong charset or no article is rejected with
  that reason.
* **Store**: everything handed to the update step in one transaction when the
  spider closes (:func:`tracker.update.apply`), the rejections and fetch
  failures in ``crawl_errors``, the run closed. A ``304`` stores nothing.
  For ``tracker check`` (``collect_only``) nothing is stored: the articles go
  back to the caller as a :class:`tracker.sources.fetch.FetchResult`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from sqlalchemy.orm import Session, sessionmaker

from tracker.normalize.articles import Article, ArticleError, read_article
from tracker.normalize.frontier import FrontierLog
from tracker.normalize.rejection import Rejection
from tracker.sources.fetch import RESULT_KEY, FetchedArticle, FetchProblem, FetchResult
from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.pipelines.frontier import observe, record_frontier
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.spiders.feeds import (
    DEFAULT_MAX_PAGE_BYTES,
    FeedEntry,
    FeedProblem,
    FetchedFeed,
    NotModified,
    is_web_link,
    utc_from_struct,
)
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_documents import DocumentsBatch, PageRecord, Validators
from tracker.store.runs import finish_run, utcnow
from tracker.store.tables import Run
from tracker.update import apply, record_run
from tracker.update.retirements import announce_vendor_retirements

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
            elif not is_web_link(item.link):
                rejections.append(
                    Rejection(
                        _entry_subject(item),
                        "entry-bad-link",
                        f"the entry's link is not an http(s) URL: {item.link[:200]!r}",
                        item.feed_url,
                    )
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
        self.fetched: FetchResult | None = None

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
        if getattr(spider, "collect_only", False):
            summary, self.fetched = collect_documents(
                self.state,
                source=self.source_of(spider),
                feeds=len(getattr(spider, "feeds", [])),
                finish_reason=reason,
                requests=requests,
            )
            return summary
        return store_documents_crawl(
            self.sessions,
            self.run_id,
            self.state,
            source=self.source_of(spider),
            feeds=len(getattr(spider, "feeds", [])),
            finish_reason=reason,
            requests=requests,
            listings=list(getattr(spider, "feeds", [])),
            retry_minutes=float(getattr(spider, "retry_minutes", 30)),
            broken_after_runs=int(getattr(spider, "broken_after_runs", 2)),
        )

    def report(self, summary: CrawlSummary) -> dict[str, Any]:
        data = summary.to_dict()
        if self.fetched is not None:
            data[RESULT_KEY] = self.fetched
        return data


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


def _failure_rows(state: DocumentsCrawlState) -> list[Rejection]:
    return [Rejection(subject=f.subject or f.url, reason=f.reason, detail=f.detail, url=f.url) for f in state.failures]


def _summary(
    state: DocumentsCrawlState, pages: list[PageRecord], *, source: str, feeds: int, run_id: int | None, requests: int
) -> CrawlSummary:
    summary = CrawlSummary(source=source, run_id=run_id, requests=requests)
    summary.rejected = Counter(r.reason for r in state.rejections)
    summary.errors = Counter(f.reason for f in state.failures)
    summary.extra.update(
        feeds=feeds,
        feeds_read=state.feeds_read,
        feed_entries=state.entries,
        pages_read=len(pages),
        not_modified=sum(state.not_modified.values()),
    )
    return summary


def _close(
    summary: CrawlSummary,
    state: DocumentsCrawlState,
    pages: list[PageRecord],
    *,
    feeds: int,
    finish_reason: str,
    owed: int = 0,
) -> None:
    """The crawl's status and message (article URLs still owed make it partial)."""
    fetched = state.feeds_read + len(pages) + sum(state.not_modified.values()) + len(state.rejections)
    summary.complete = finish_reason == "finished"
    if feeds == 0:
        summary.status = "success"
        summary.message = f"no {summary.source} feeds configured: nothing to crawl"
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


def collect_documents(
    state: DocumentsCrawlState, *, source: str, feeds: int, finish_reason: str = "finished", requests: int = 0
) -> tuple[CrawlSummary, FetchResult]:
    """``tracker check``: the read articles and the problems, typed; nothing is stored or recorded."""
    pages = [page_record(p) for p in state.pages]
    summary = _summary(state, pages, source=source, feeds=feeds, run_id=None, requests=requests)
    result = FetchResult(
        articles=[
            FetchedArticle(
                url=p.url,
                title=p.title,
                text=p.text,
                published_at=p.published_at,
                fetched_at=p.fetched_at,
                content_hash=p.content_hash,
            )
            for p in pages
        ],
        problems=[FetchProblem(r.url or "", r.reason, r.detail or "") for r in state.rejections + _failure_rows(state)],
    )
    summary.seen = len(pages)
    _close(summary, state, pages, feeds=feeds, finish_reason=finish_reason)
    summary.finished_at = utcnow()
    return summary, result


def store_documents_crawl(
    sessions: sessionmaker[Session],
    run_id: int | None,
    state: DocumentsCrawlState,
    *,
    source: str,
    feeds: int,
    finish_reason: str = "finished",
    requests: int = 0,
    listings: list[dict[str, Any]] | None = None,
    retry_minutes: float = 30,
    broken_after_runs: int = 2,
) -> CrawlSummary:
    """Apply a blogs/press crawl, record its frontier (article URLs owed) and close the run."""
    pages = [page_record(p) for p in state.pages]
    summary = _summary(state, pages, source=source, feeds=feeds, run_id=run_id, requests=requests)
    with session_scope(sessions) as session:
        run = session.get(Run, run_id) if run_id is not None else None
        now = min((p.fetched_at for p in pages), default=utcnow())
        if pages or state.validators:
            if run is not None:
                run.observed_at = now
            outcome = apply(
                session, DocumentsBatch(pages=pages, validators=state.validators, observed_at=now), run_id=run_id
            )
            summary.absorb(outcome.counts, outcome.events)
            summary.extra.update(outcome.shown_extra())
            summary.absorb(*announce_vendor_retirements(session, pages, source=source, run_id=run_id, now=now))
        record_run(session, state.rejections + _failure_rows(state), source=source, run_id=run_id)
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
        _close(summary, state, pages, feeds=feeds, finish_reason=finish_reason, owed=owed)
        if run is not None:
            finish_run(session, run, **summary.run_fields(requests=requests))
    summary.finished_at = utcnow()
    return summary


def _failure_message(failures: list[FetchFailure]) -> str:
    first = failures[0]
    status = f" (HTTP {first.http_status})" if first.http_status else ""
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    return f"{first.subject or first.url}: {first.reason}{status}{more}"[:1000]
