"""RSS/Atom feeds and single pages (vendor blogs, press, ``tracker check``).

One base spider, small subclasses (``blogs``, ``press``, ``check``) that only pick
their feeds. It maps responses to raw items and never interprets articles:

* every request is a **conditional GET** with the validators remembered for its
  URL (``If-None-Match`` / ``If-Modified-Since`` from ``http_cache``): a ``304``
  yields a :class:`NotModified` item and nothing else;
* ``robots.txt`` is obeyed (Scrapy's ``RobotsTxtMiddleware``, on by default; a
  refused URL becomes a ``robots-txt`` failure) and the User-Agent is the
  tracker's own;
* each response is capped (``http.max_page_bytes``): a bigger page is a
  ``too-large`` failure, not a download;
* a feed is read with feedparser: one :class:`FeedEntry` per entry (with its link,
  title and date as the feed gives them) and a request for each entry's page;
  broken XML is reported (:class:`FeedProblem`) and whatever entries could be
  read are still followed;
* a page becomes one ``RawRecord(kind="page")`` with its body, content type and
  validators; the pipeline reads the article;
* an ``index`` source is an HTML page that links to articles (:mod:`tracker.sources.spiders.index`);
* a ``sitemap`` source is a sitemap or sitemap index listing articles (:mod:`tracker.sources.spiders.sitemap`);
* after the configured sources, the article URLs the crawl frontier still owes (pending, or
  failed and due again) are fetched, even when their feed answered ``304``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from tracker.normalize.rejection import Rejection
from tracker.sources.items import FetchFailure, Provenance, RawRecord
from tracker.sources.spiders.base import TrackerSpider
from tracker.sources.spiders.index import IndexSpiderMixin
from tracker.sources.spiders.sitemap import SitemapSpiderMixin

PIPELINES = {
    "tracker.sources.pipelines.documents.ValidatePipeline": 100,
    "tracker.sources.pipelines.documents.NormalizePipeline": 200,
    "tracker.sources.pipelines.documents.StorePipeline": 300,
}
DEFAULT_MAX_PAGE_BYTES = 5 * 1024 * 1024
#: Entries followed per feed (feeds list the newest first).
DEFAULT_MAX_ENTRIES = 50


@dataclass
class NotModified:
    """A conditional GET answered ``304``: nothing to do."""

    url: str
    #: ``feed``, ``index``, ``sitemap`` or ``page``.
    part: str


def unusable(spider: Any, response: Any, what: str, subject: str | None) -> NotModified | FetchFailure | None:
    """What a conditional fetch of ``what`` (feed, page, index, sitemap, catalog) yields instead of parsing:
    :class:`NotModified` for a 304, the spider's failure item for another non-2xx, else None."""
    if response.status == 304:
        return NotModified(response.url, what)
    return spider.http_failure(response, subject=subject)


@dataclass
class FeedProblem:
    """A feed that could only partly be read (broken XML), or that is not a feed at all."""

    source: str
    url: str
    reason: str
    detail: str
    entries: int = 0


@dataclass
class FeedEntry:
    """One entry of a feed, as the feed gives it."""

    feed_url: str
    position: int
    title: str | None
    link: str | None
    #: The entry's date text (``published`` or ``updated``) and feedparser's UTC reading of it.
    date_text: str | None
    date_parsed: tuple[int, ...] | None
    entry_id: str | None
    feed: dict[str, Any] = field(default_factory=dict)
    #: Set by the validate pipeline (no link, no date).
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class FetchedFeed:
    """A feed that answered ``200``: its validators are remembered for the next conditional GET."""

    provenance: Provenance
    feed: dict[str, Any]
    etag: str | None
    last_modified: str | None
    entries: int


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    if not value:
        return None
    return value.decode("latin-1").strip() or None


class FeedSpider(IndexSpiderMixin, SitemapSpiderMixin, TrackerSpider):
    """Fetch the configured feeds, index pages and pages, then the URLs still owed (see the module docstring)."""

    name = "feeds"
    source = "feeds"
    custom_settings: ClassVar[dict[str, Any]] = {"ITEM_PIPELINES": PIPELINES, "CONCURRENT_ITEMS": 8}

    def __init__(
        self,
        feeds: list[Mapping[str, Any]] | tuple[Mapping[str, Any], ...] = (),
        *,
        validators: Callable[[], Mapping[str, tuple[str | None, str | None]]] | Mapping[str, Any] | None = None,
        conditional: bool = True,
        max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        collect_only: bool = False,
        owed: Callable[[], list[dict[str, Any]]] | list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.feeds = [dict(f) for f in feeds]
        self._validators_source = validators
        self._validators: Mapping[str, tuple[str | None, str | None]] | None = None
        self.conditional = conditional
        self.max_page_bytes = max_page_bytes
        self.max_entries = max(1, max_entries)
        #: ``tracker check``: hand the articles back instead of storing them.
        self.collect_only = collect_only
        self.requested: set[str] = set()
        #: Article URLs a crawl discovered and did not fetch yet (the frontier), read in ``start``.
        self._owed_source = owed

    @property
    def validators(self) -> Mapping[str, tuple[str | None, str | None]]:
        if self._validators is None:
            source = self._validators_source
            self._validators = source() if callable(source) else (source or {})
        return self._validators

    def fetch(self, url: str, callback: Any, **meta: Any) -> Request:
        headers: dict[str, str] = {}
        if self.conditional:
            etag, modified = self.validators.get(url, (None, None))
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        meta = {"download_maxsize": self.max_page_bytes, "subject": url, **meta}
        return self.request(url, callback, meta=meta, headers=headers, dont_filter=False)

    async def start(self) -> AsyncIterator[Any]:
        for feed in self.feeds:
            url = feed["url"]
            if url in self.requested:
                continue
            self.requested.add(url)
            if feed.get("type", "feed") == "feed":
                yield self.fetch(url, self.parse_feed, feed=feed)
            elif feed.get("type") == "index":
                yield self.fetch(url, self.parse_index, feed=feed)
            elif feed.get("type") == "sitemap":
                yield self.fetch(url, self.parse_sitemap, feed=feed)
            else:
                yield self.fetch(url, self.parse_page, feed=feed, entry=None)
        # the frontier: pending and due-for-retry articles, fetched even when their feed answers 304
        owed = self._owed_source() if callable(self._owed_source) else (self._owed_source or [])
        by_url = {f["url"]: f for f in self.feeds}
        for row in owed:
            url = row["url"]
            if url in self.requested:
                continue
            self.requested.add(url)
            feed = by_url.get(row.get("feed_url") or "") or {
                "url": row.get("feed_url") or url,
                "vendor": row.get("vendor"),
                "kind": row.get("kind") or "vendor",
                "type": "feed",
            }
            entry = FeedEntry(
                feed_url=feed["url"],
                position=0,
                title=row.get("title"),
                link=url,
                date_text=row.get("date_text"),
                date_parsed=tuple(row["date_parsed"]) if row.get("date_parsed") else None,
                entry_id=url,
                feed=feed,
            )
            yield self.fetch(url, self.parse_page, feed=feed, entry=entry, subject=url)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        feed: dict[str, Any] = response.meta["feed"]
        skipped = unusable(self, response, "feed", feed["url"])
        if skipped is not None:
            yield skipped
            return
        headers = {"content-type": _header(response, "Content-Type") or ""}
        parsed = feedparser.parse(response.body, response_headers=headers)
        entries = list(parsed.entries)
        if parsed.bozo:
            problem = parsed.get("bozo_exception")
            detail = f"{type(problem).__name__}: {problem}"[:500] if problem else "malformed feed"
            reason = "bad-xml" if entries else "not-a-feed"
            if entries:
                detail = f"{detail} ({len(entries)} entries read anyway)"
            yield FeedProblem(self.source, response.url, reason, detail, len(entries))
            if not entries:
                return
        yield FetchedFeed(
            provenance=self.provenance(response),
            feed=feed,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            entries=len(entries),
        )
        for position, entry in enumerate(entries[: self.max_entries]):
            link = entry.get("link") or None
            if link:
                # a link that cannot be joined is kept as written: the validate pipeline rejects it
                with contextlib.suppress(ValueError):
                    link = response.urljoin(link)
            date_text = entry.get("published") or entry.get("updated") or None
            parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
            item = FeedEntry(
                feed_url=response.url,
                position=position,
                title=entry.get("title") or None,
                link=link,
                date_text=date_text,
                date_parsed=tuple(parsed_date)[:6] if parsed_date else None,
                entry_id=entry.get("id") or None,
                feed=feed,
            )
            yield item
            if link and is_web_link(link) and link not in self.requested:
                self.requested.add(link)
                yield self.fetch(link, self.parse_page, feed=feed, entry=item, subject=link)

    def parse_page(self, response: Response) -> Iterator[Any]:
        feed: dict[str, Any] = response.meta["feed"]
        entry: FeedEntry | None = response.meta.get("entry")
        skipped = unusable(self, response, "page", response.meta.get("subject", response.url))
        if skipped is not None:
            yield skipped
            return
        yield RawRecord(
            provenance=self.provenance(response),
            kind="page",
            data={
                "body": response.body,
                "content_type": _header(response, "Content-Type"),
                "etag": _header(response, "ETag"),
                "last_modified": _header(response, "Last-Modified"),
                "feed": feed,
                "entry": entry,
                "requested": response.meta.get("subject", response.url),
            },
        )

    def on_error(self, failure: Failure) -> Iterator[FetchFailure]:
        exc = failure.value
        request = getattr(failure, "request", None)
        if "robots.txt" in str(exc).lower():
            url = request.url if request is not None else ""
            self.logger.info("%s: refused by robots.txt", url)
            yield FetchFailure(self.source, url, "robots-txt", "robots.txt does not allow this URL", subject=url)
            return
        yield from super().on_error(failure)


class BlogsSpider(FeedSpider):
    """Vendor blogs, release notes and docs pages (feeds of kind ``vendor``)."""

    name = "blogs"
    source = "blogs"


class PressSpider(FeedSpider):
    """News sites (feeds of kind ``press``)."""

    name = "press"
    source = "press"


class CheckSpider(FeedSpider):
    """``tracker check URL``: fetch the given pages (not conditionally) and hand the articles back."""

    name = "check"
    source = "check"


def is_web_link(link: str) -> bool:
    """An absolute ``http(s)`` URL with a host (``javascript:``, ``mailto:``, ``data:`` are not fetched)."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def utc_from_struct(parsed: tuple[int, ...] | None) -> dt.datetime | None:
    """feedparser's UTC time tuple → an aware datetime."""
    if not parsed:
        return None
    try:
        return dt.datetime(*parsed[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None
