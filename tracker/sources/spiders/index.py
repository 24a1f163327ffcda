"""HTML index pages: a page that links to articles, read with a few declarative hooks.

Thin vendor entries, not a spider per vendor (alltheplaces-style): a source of type
``index`` sets

* ``link_selector`` (CSS, default ``a[href]``) and/or ``link_pattern`` (a regular
  expression the absolute URL must match) to pick the article links;
* ``item_selector`` (CSS of one article's block; the link and the date are looked up
  inside it) and ``date_selector`` (CSS of the date inside the block: its ``datetime``
  attribute, else its text);
* ``next_selector`` (CSS of the link to the next, older page), followed up to
  ``max_pages`` pages.

The index page is fetched like a feed (conditional GET, robots.txt, the User-Agent,
the size cap): a ``304`` costs that one request and nothing after it is fetched. Each
article link becomes a :class:`~tracker.sources.spiders.feeds.FeedEntry` and its page is
read by the existing extraction path. :func:`index_links` and :func:`parse_listing_date`
are pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from parsel import Selector

from tracker.normalize.frontier import parse_listing_date

#: Date formats seen on blog index pages (after ISO 8601, which is tried first).
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class IndexLink:
    """One article an index page links to."""

    url: str
    title: str | None
    date_text: str | None
    date: dt.datetime | None


@dataclass(frozen=True)
class IndexPage:
    links: tuple[IndexLink, ...]
    next_url: str | None


def _text(node: Selector) -> str | None:
    text = _SPACES.sub(" ", " ".join(node.css("::text").getall())).strip()
    return text or None


def _date_of(block: Selector, selector: str) -> str | None:
    node = block.css(selector)
    if not node:
        return None
    first = node[0]
    return (first.attrib.get("datetime") or _text(first) or "").strip() or None


def index_links(body: str, base_url: str, hooks: Mapping[str, Any]) -> IndexPage:
    """The article links (in page order, each once) and the next page of an index page."""
    page = Selector(text=body)
    pattern = re.compile(hooks["link_pattern"]) if hooks.get("link_pattern") else None
    link_selector = hooks.get("link_selector") or "a[href]"
    base = urldefrag(base_url)[0]
    blocks = page.css(hooks["item_selector"]) if hooks.get("item_selector") else [page]
    links: list[IndexLink] = []
    seen: set[str] = {base}
    for block in blocks:
        for anchor in block.css(link_selector):
            href = anchor.attrib.get("href")
            if not href:
                continue
            url = urldefrag(urljoin(base_url, href.strip()))[0]
            if urlsplit(url).scheme not in ("http", "https") or url in seen:
                continue
            if pattern is not None and not pattern.search(url):
                continue
            seen.add(url)
            date_text = _date_of(block, hooks["date_selector"]) if hooks.get("date_selector") else None
            if date_text is None and hooks.get("date_selector"):
                date_text = _date_of(anchor, hooks["date_selector"])
            links.append(IndexLink(url, _text(anchor), date_text, parse_listing_date(date_text)))
            if hooks.get("item_selector"):
                break  # one article per block
    next_url = None
    if hooks.get("next_selector"):
        node = page.css(hooks["next_selector"])
        href = node[0].attrib.get("href") if node else None
        if href:
            candidate = urldefrag(urljoin(base_url, href.strip()))[0]
            if candidate != base and urlsplit(candidate).scheme in ("http", "https"):
                next_url = candidate
    return IndexPage(tuple(links), next_url)


class IndexSpiderMixin:
    """``parse_index`` for :class:`~tracker.sources.spiders.feeds.FeedSpider` (sources of type ``index``)."""

    def parse_index(self, response: Any) -> Iterator[Any]:
        from tracker.sources.spiders.feeds import FeedEntry, FetchedFeed, _header, unusable

        spider: Any = self
        feed: dict[str, Any] = response.meta["feed"]
        page_number: int = response.meta.get("index_page", 1)
        skipped = unusable(spider, response, "index", response.meta.get("subject", response.url))
        if skipped is not None:
            yield skipped
            return
        try:
            text = response.text
        except AttributeError:  # not a text response
            text = response.body.decode("utf-8", "replace")
        page = index_links(text, response.url, feed)
        yield FetchedFeed(
            provenance=spider.provenance(response),
            feed=feed,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            entries=len(page.links),
        )
        offset = response.meta.get("index_offset", 0)
        for position, link in enumerate(page.links[: spider.max_entries]):
            item = FeedEntry(
                feed_url=feed["url"],
                position=offset + position,
                title=link.title,
                link=link.url,
                date_text=link.date_text,
                date_parsed=link.date.timetuple()[:6] if link.date else None,
                entry_id=link.url,
                feed=feed,
            )
            yield item
            if link.url not in spider.requested:
                spider.requested.add(link.url)
                yield spider.fetch(link.url, spider.parse_page, feed=feed, entry=item, subject=link.url)
        if page.next_url and page_number < int(feed.get("max_pages") or 1) and page.next_url not in spider.requested:
            spider.requested.add(page.next_url)
            yield spider.fetch(
                page.next_url,
                self.parse_index,
                feed=feed,
                index_page=page_number + 1,
                index_offset=offset + len(page.links),
                subject=page.next_url,
            )
