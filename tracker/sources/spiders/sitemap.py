"""Sitemaps (``sitemap.xml`` and sitemap index files) as a discovery source for the crawl frontier.

Like Scrapy's ``SitemapSpider`` (a sitemap index is followed to its sitemaps, ``sitemap_follow``
picks which, ``sitemap_rules`` which URLs, ``sitemap_filter`` can look at ``lastmod``), but the
state is ours: every article URL a sitemap lists becomes a :class:`~tracker.sources.spiders.feeds.FeedEntry`,
so it is a frontier row (pending → fetched / failed → retried), and its page is read by the
existing extraction path. A source of type ``sitemap`` sets

* ``link_pattern`` (a regular expression the article URL must match; default: every URL);
* ``follow_pattern`` (a regular expression a sitemap of an index must match to be followed;
  default: every one), at most ``max_pages`` sitemaps per index, newest ``lastmod`` first;
* ``since`` (a date): URLs whose ``lastmod`` is older are left out (URLs without one are kept).

The source's URL may also be a site's ``robots.txt``: its ``Sitemap:`` lines are followed like
the sitemaps of an index.

URLs are taken newest ``lastmod`` first (at most the spider's ``max_entries`` per sitemap);
``lastmod`` is the entry's date. Each sitemap is fetched like a feed: conditional GET (an unchanged
sitemap index costs that one request: ``304``, nothing after it), robots.txt, the User-Agent,
the size cap (a gzipped sitemap is capped after decompression too). :func:`read_sitemap` is pure.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from tracker.normalize.frontier import parse_listing_date

URLSET, INDEX = "urlset", "sitemapindex"
#: A sitemap index may point at sitemap indexes; deeper than this is not followed.
MAX_DEPTH = 2
_GZIP_MAGIC = b"\x1f\x8b"
_PARSER_OPTIONS = {
    "recover": True,
    "resolve_entities": False,
    "no_network": True,
    "remove_comments": True,
    "remove_pis": True,
    "huge_tree": False,
}


class SitemapTooLarge(ValueError):
    """A gzipped sitemap that decompresses to more than the size cap."""


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` (or, in an index, one ``<sitemap>``)."""

    url: str
    lastmod_text: str | None
    lastmod: dt.datetime | None


@dataclass(frozen=True)
class SitemapDoc:
    #: ``urlset``, ``sitemapindex`` or None (not a sitemap).
    kind: str | None
    #: What to follow, newest ``lastmod`` first (filtered by the hooks).
    entries: tuple[SitemapEntry, ...]
    #: Entries the hooks left out (pattern, ``since``).
    skipped: int = 0


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def gunzipped(body: bytes, max_bytes: int) -> bytes:
    """``body`` decompressed when it is gzip data (a ``.xml.gz`` sitemap), at most ``max_bytes`` of it."""
    if body[:2] != _GZIP_MAGIC:
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1 if max_bytes > 0 else 0)
    except zlib.error as exc:
        raise ValueError(f"broken gzip data: {exc}") from exc
    if max_bytes > 0 and len(out) > max_bytes:
        raise SitemapTooLarge(f"the sitemap decompresses to more than {max_bytes} bytes")
    return out


def since_date(text: str | None) -> dt.datetime | None:
    """The ``since`` hook as a UTC datetime; a ValueError names an unreadable one."""
    if not text:
        return None
    value = parse_listing_date(text)
    if value is None:
        raise ValueError(f"since must be a date like 2025-01-31, not {text!r}")
    return value


def is_robots_txt(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


def sitemaps_in_robots(text: str, base_url: str) -> SitemapDoc:
    """The ``Sitemap:`` lines of a robots.txt, as a sitemap index would list them (in file order, each once)."""
    seen: list[str] = []
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() != "sitemap" or not value.strip():
            continue
        url = urldefrag(urljoin(base_url, value.strip()))[0]
        if urlsplit(url).scheme in ("http", "https") and url not in seen:
            seen.append(url)
    return SitemapDoc(INDEX, tuple(SitemapEntry(url, None, None) for url in seen))


def read_sitemap(body: bytes, base_url: str, hooks: Mapping[str, Any]) -> SitemapDoc:
    """The URLs (or sitemaps) of a sitemap document, filtered by ``hooks`` and newest ``lastmod`` first."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError:
        root = None
    kind = _local(root.tag) if root is not None else None
    if kind not in (URLSET, INDEX):
        return SitemapDoc(None, ())
    assert root is not None
    child = "url" if kind == URLSET else "sitemap"
    hook = hooks.get("link_pattern") if kind == URLSET else hooks.get("follow_pattern")
    pattern = re.compile(hook) if hook else None
    since = since_date(hooks.get("since")) if kind == URLSET else None
    seen: set[str] = set()
    entries: list[SitemapEntry] = []
    skipped = 0
    for element in root:
        if _local(element.tag) != child:
            continue
        fields = {_local(e.tag): (e.text or "").strip() for e in element if _local(e.tag) in ("loc", "lastmod")}
        loc = fields.get("loc")
        if not loc:
            continue
        url = urldefrag(urljoin(base_url, loc))[0]
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        lastmod_text = fields.get("lastmod") or None
        lastmod = parse_listing_date(lastmod_text)
        if (pattern is not None and not pattern.search(url)) or (since and lastmod and lastmod < since):
            skipped += 1
            continue
        entries.append(SitemapEntry(url, lastmod_text, lastmod))
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    entries.sort(key=lambda e: e.lastmod or oldest, reverse=True)  # stable: undated ones keep their order, last
    return SitemapDoc(kind, tuple(entries), skipped)


class SitemapSpiderMixin:
    """``parse_sitemap`` for :class:`~tracker.sources.spiders.feeds.FeedSpider` (sources of type ``sitemap``)."""

    def parse_sitemap(self, response: Any) -> Iterator[Any]:
        from tracker.sources.spiders.feeds import FeedEntry, FeedProblem, FetchedFeed, _header, unusable

        spider: Any = self
        feed: dict[str, Any] = response.meta["feed"]
        depth: int = response.meta.get("sitemap_depth", 0)
        skipped = unusable(spider, response, "sitemap", response.meta.get("subject", response.url))
        if skipped is not None:
            yield skipped
            return
        try:
            body = gunzipped(response.body, spider.max_page_bytes)
        except SitemapTooLarge as exc:
            from tracker.sources.items import FetchFailure

            yield FetchFailure(spider.source, response.url, "too-large", str(exc), subject=response.url)
            return
        except ValueError as exc:
            yield FeedProblem(spider.source, response.url, "not-a-sitemap", str(exc))
            return
        if is_robots_txt(response.url):  # a site's robots.txt names its sitemaps
            doc = sitemaps_in_robots(body.decode("utf-8", "replace"), response.url)
            pattern = re.compile(feed["follow_pattern"]) if feed.get("follow_pattern") else None
            if pattern is not None:
                doc = SitemapDoc(INDEX, tuple(e for e in doc.entries if pattern.search(e.url)))
        else:
            doc = read_sitemap(body, response.url, feed)
        if doc.kind is None:
            yield FeedProblem(spider.source, response.url, "not-a-sitemap", "neither a <urlset> nor a <sitemapindex>")
            return
        yield FetchedFeed(
            provenance=spider.provenance(response),
            feed=feed,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            entries=len(doc.entries),
        )
        if doc.kind == INDEX:
            if depth >= MAX_DEPTH:
                return
            for entry in doc.entries[: max(1, int(feed.get("max_pages") or 1))]:
                if entry.url not in spider.requested:
                    spider.requested.add(entry.url)
                    yield spider.fetch(
                        entry.url, self.parse_sitemap, feed=feed, sitemap_depth=depth + 1, subject=entry.url
                    )
            return
        for position, entry in enumerate(doc.entries[: spider.max_entries]):
            item = FeedEntry(
                feed_url=feed["url"],
                position=position,
                title=None,
                link=entry.url,
                date_text=entry.lastmod_text,
                date_parsed=entry.lastmod.timetuple()[:6] if entry.lastmod else None,
                entry_id=entry.url,
                feed=feed,
            )
            yield item
            if entry.url not in spider.requested:
                spider.requested.add(entry.url)
                yield spider.fetch(entry.url, spider.parse_page, feed=feed, entry=item, subject=entry.url)
