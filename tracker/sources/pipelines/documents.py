"""Blogs and press pipelines: validate → normalize (read the article) → store.

* **Validate**: a feed entry without a link is rejected (``entry-no-link``); one
  without a date is reported (``entry-no-date``) and its page is still read (the
  page's own date is used when it has one).
* **Normalize**: the page's article text (:func:`tracker.normalize.articles.read_article`);
  a page that is too large, has a wrong charset or no article is rejected with
  that reason.
* **Store**: the read pages are handed to the update step (:func:`tracker.update.apply`)
  as they arrive, ``store_chunk`` pages per transaction (documents, claims, the
  pages' validators, the ledger of the models the chunk's claims name, events,
  retirements); when the spider closes, one last transaction stores the rest,
  weighs every checked model, writes the feeds' validators and the frontier
  (article URLs owed, listing health), the rejections and fetch failures in
  ``crawl_errors``, and closes the run. A ``304`` stores nothing. The feeds'
  validators wait for the end on purpose: a crawl that dies after some chunks
  keeps them, and the next crawl reads the feeds again (its pages already stored
  answer ``304`` or add nothing) and completes.
  For ``tracker check`` (``collect_only``) nothing is stored: the articles go
  back to the caller as a :class:`tracker.sources.fetch.FetchResult`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
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
from tracker.sources.pipelines.store import StoreOnClose, store_failed
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

#: Pages stored per transaction unless ``store_chunk`` says otherwise.
DEFAULT_CHUNK = 300


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
    #: The read pages not stored yet (at most one chunk while the crawl streams).
    pages: list[ReadPage] = field(default_factory=list)
    #: The validators of those pages (stored with them).
    validators: list[Validators] = field(default_factory=list)
    #: The feeds' and index pages' validators (and 304s): written by the last transaction only.
    listing_validators: list[Validators] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    not_modified: Counter[str] = field(default_factory=Counter)
    feeds_read: int = 0
    entries: int = 0
    frontier: FrontierLog = field(default_factory=FrontierLog)
    stream: DocumentsStream = field(default_factory=lambda: DocumentsStream())


@dataclass
class DocumentsStream:
    """What the stored chunks of one crawl amounted to (the pages themselves are in the database)."""

    progress: CrawlSummary = field(default_factory=lambda: CrawlSummary(source="feeds"))
    #: The crawl's time for claims and verdicts: the earliest fetch of the first chunk.
    now: dt.datetime | None = None
    pages_stored: int = 0
    chunks: int = 0
    longest_seconds: float = 0.0
    store_error: str | None = None


class StorePipeline(StoreOnClose):
    """Store the read pages ``TRACKER_STORE_CHUNK`` at a time; the rest and the frontier when the spider closes."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = DocumentsCrawlState()
        self.fetched: FetchResult | None = None
        self.chunk = max(1, crawler.settings.getint("TRACKER_STORE_CHUNK", DEFAULT_CHUNK))
        #: The most pages the pipeline held at once (bounded by the chunk while storing).
        self.peak_buffer = 0

    def process_item(self, item: Any) -> Any:
        state = self.state
        observe(state.frontier, item)
        if isinstance(item, FeedEntry):
            state.entries += 1
            state.rejections.extend(item.rejections)
        elif isinstance(item, FetchedFeed):
            state.feeds_read += 1
            state.listing_validators.append(
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
            state.listing_validators.append(Validators(url=item.url, fetched_at=utcnow(), status=304))
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
            self.peak_buffer = max(self.peak_buffer, len(state.pages))
            if len(state.pages) >= self.chunk and not self.collect_only:
                store_documents_chunk(self.sessions, self.run_id, state, source=self.source_of(self.crawler.spider))
        return item

    @property
    def collect_only(self) -> bool:
        return bool(getattr(getattr(self.crawler, "spider", None), "collect_only", False))

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

    def annotate(self, summary: CrawlSummary) -> None:
        if self.state.stream.chunks:  # a crawl that streamed: the most read pages it held at once
            summary.extra["peak_pages_held"] = self.peak_buffer

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
    pages: int,
    *,
    feeds: int,
    finish_reason: str,
    owed: int = 0,
) -> None:
    """The crawl's status and message (article URLs still owed make it partial)."""
    fetched = state.feeds_read + pages + sum(state.not_modified.values()) + len(state.rejections)
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
    _close(summary, state, len(pages), feeds=feeds, finish_reason=finish_reason)
    summary.finished_at = utcnow()
    return summary, result


def store_documents_chunk(
    sessions: sessionmaker[Session], run_id: int | None, state: DocumentsCrawlState, *, source: str
) -> None:
    """Store the pages read so far (and their validators) in one transaction of their own, and let them go.

    A chunk that fails rolls back alone: the chunks before it stay, nothing more is stored (the pages
    still arriving are let go to keep memory bounded) and the crawl's run closes as failed.
    """
    read, state.pages = state.pages, []
    validators, state.validators = state.validators, []
    stream = state.stream
    if stream.store_error is not None or not (read or validators):
        return
    from tracker.update.documents import extract_new

    pages = [page_record(p) for p in read]
    del read
    try:
        with sessions() as session:  # a read, then pure CPU: no transaction holds a lock while text is read
            extracted = extract_new(session, pages)
    except Exception as exc:  # a database problem: the chunks stored so far stay, the run closes as failed
        logger.exception("reading a %s chunk failed", source)
        stream.store_error = f"storing the crawl failed: {exc!r}"
        return
    started = time.perf_counter()
    try:
        with session_scope(sessions) as session:
            if stream.now is None:
                stream.now = min((p.fetched_at for p in pages), default=utcnow())
                run = session.get(Run, run_id) if run_id is not None else None
                if run is not None:
                    run.observed_at = stream.now
            outcome = apply(
                session,
                DocumentsBatch(
                    pages=pages, validators=validators, observed_at=stream.now, final=False, extracted=extracted
                ),
                run_id=run_id,
            )
            retirements = announce_vendor_retirements(session, pages, source=source, run_id=run_id, now=stream.now)
    except Exception as exc:  # a database problem: the chunks stored so far stay, the run closes as failed
        logger.exception("storing a %s chunk failed", source)
        stream.store_error = f"storing the crawl failed: {exc!r}"
        return
    _add_progress(stream.progress, outcome.counts, outcome.events, outcome.shown_extra())
    stream.progress.absorb(*retirements)
    stream.pages_stored += len(pages)
    stream.chunks += 1
    stream.longest_seconds = max(stream.longest_seconds, time.perf_counter() - started)


def _add_progress(progress: CrawlSummary, counts: Any, events: Any, extra: dict[str, int]) -> None:
    progress.absorb(counts, events)
    for name, value in extra.items():
        progress.extra[name] = progress.extra.get(name, 0) + value


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
    """Store the rest of a blogs/press crawl, weigh the ledger, record its frontier and close the run.

    The pages still held (the crawl's last chunk, or a whole crawl handed over at once) go with this
    last transaction, together with what is decided once per crawl: the ledger over every checked
    model, the feeds' validators, the frontier (article URLs owed) and the listings' health. A crawl
    whose chunk failed records none of that (the next crawl reads the feeds again) and fails.
    """
    stream = state.stream
    if stream.store_error is not None:
        summary = store_failed(sessions, run_id, source, stream.store_error, requests)
        summary.absorb({"seen": stream.progress.seen, "new": stream.progress.new, "writes": stream.progress.writes})
        summary.extra.update(stored_chunks=stream.chunks)
        with session_scope(sessions) as session:
            record_run(session, state.rejections + _failure_rows(state), source=source, run_id=run_id)
        return summary
    pages = [page_record(p) for p in state.pages]
    state.pages = []
    summary = _summary(state, pages, source=source, feeds=feeds, run_id=run_id, requests=requests)
    progress = stream.progress
    summary.absorb({name: getattr(progress, name) for name in ("seen", "new", "changed", "unchanged", "writes")})
    summary.events.update(progress.events)
    summary.extra.update(progress.extra)
    summary.extra["pages_read"] = stream.pages_stored + len(pages)
    started = time.perf_counter()
    validators = state.validators + state.listing_validators
    with session_scope(sessions) as session:
        run = session.get(Run, run_id) if run_id is not None else None
        now = stream.now or min((p.fetched_at for p in pages), default=utcnow())
        if pages or validators or stream.chunks:
            if run is not None and stream.now is None:
                run.observed_at = now
            outcome = apply(session, DocumentsBatch(pages=pages, validators=validators, observed_at=now), run_id=run_id)
            summary.absorb(outcome.counts, outcome.events)
            for name, value in outcome.shown_extra().items():
                summary.extra[name] = summary.extra.get(name, 0) + value
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
        if listings:  # what this crawl's feeds owe (a crawl of one feed is not partial for another feed's debt)
            owed = summary.extra["owed"] = owed_by_feeds(session, source, [str(f.get("url")) for f in listings])
        _close(
            summary,
            state,
            stream.pages_stored + len(pages),
            feeds=feeds,
            finish_reason=finish_reason,
            owed=owed,
        )
        if stream.chunks:  # a crawl that streamed: its transactions
            last = time.perf_counter() - started
            summary.extra["stored_chunks"] = stream.chunks + 1
            summary.extra["longest_store_ms"] = round(1000 * max(stream.longest_seconds, last))
        if run is not None:
            finish_run(session, run, **summary.run_fields(requests=requests))
    summary.finished_at = utcnow()
    return summary


def owed_by_feeds(session: Session, source: str, feed_urls: list[str]) -> int:
    """Article URLs of ``source`` still owed by these feeds (or by no feed)."""
    from sqlalchemy import func, or_, select

    from tracker.normalize.frontier import OWED
    from tracker.store.tables.frontier import FrontierUrl

    named = or_(FrontierUrl.feed_url.is_(None), FrontierUrl.feed_url == "", FrontierUrl.feed_url.in_(feed_urls))
    query = select(func.count()).select_from(FrontierUrl)
    where = query.where(FrontierUrl.source == source, FrontierUrl.state.in_(OWED), named)
    return int(session.scalar(where) or 0)


def _failure_message(failures: list[FetchFailure]) -> str:
    first = failures[0]
    status = f" (HTTP {first.http_status})" if first.http_status else ""
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    return f"{first.subject or first.url}: {first.reason}{status}{more}"[:1000]
