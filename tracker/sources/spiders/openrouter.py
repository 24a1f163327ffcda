"""OpenRouter ``GET {base}/models``: raw pages of ``page_entries`` entries, then the listing end.

The body (88 MB for a 50,000-model listing) is never decoded at once: one pass of msgspec checks the
whole body and splits its ``data`` list into the raw bytes of each entry (no Python object per value),
and the entries are then decoded one page at a time and handed on, so the listing never exists as one
Python object. A body that pass does not read as an object with a non-empty ``data`` list is read by
the incremental parser (ijson) or, failing that, decoded whole, as before.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin

import ijson
import msgspec
from scrapy.http import Response

from tracker.errors import NormalizationError
from tracker.normalize.openrouter import listing_entries, listing_is_complete, next_page
from tracker.perf import gc_paused
from tracker.sources.items import FetchFailure, ListingEnd, RawPage
from tracker.sources.spiders.base import JsonDecodeFailed, TrackerSpider

PIPELINES = {
    "tracker.sources.pipelines.openrouter.ValidatePipeline": 100,
    "tracker.sources.pipelines.openrouter.NormalizePipeline": 200,
    "tracker.sources.pipelines.openrouter.StorePipeline": 300,
}


class OpenRouterSpider(TrackerSpider):
    name = "openrouter"
    source = "openrouter"
    #: Scrapy takes up to CONCURRENT_ITEMS items of a callback into flight at once: with the default (100)
    #: it would pull most of a large listing's pages out of the parser before the first is stored.
    custom_settings: ClassVar[dict[str, Any]] = {"ITEM_PIPELINES": PIPELINES, "CONCURRENT_ITEMS": 2}

    #: Entries per raw page handed to the pipelines.
    page_entries = 500

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.received = 0
        self.pages = 0

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(f"{self.base_url}/models", self.parse_models)

    def parse_models(self, response: Response) -> Iterator[Any]:
        failure = self.http_failure(response)
        if failure is not None:
            yield failure
            return
        try:
            listing = self.read_listing(response)
        except JsonDecodeFailed as exc:
            yield FetchFailure(self.source, response.url, exc.reason, exc.detail, response.status)
            return
        except NormalizationError as exc:
            yield FetchFailure(self.source, response.url, exc.reason, exc.detail, response.status)
            return
        provenance = self.provenance(response)
        self.pages += 1
        for page in listing.pages(self.page_entries):
            if page or not self.received:
                yield RawPage(provenance=provenance, kind="openrouter-models", records=page, offset=self.received)
            self.received += len(page)
        following = next_page(listing.meta)
        if following:
            yield self.request(urljoin(response.url, following), self.parse_models)
            return
        complete = listing_is_complete(listing.meta, self.received)
        yield ListingEnd(
            provenance=provenance,
            received=self.received,
            complete=complete,
            failure=None if complete else f"received {self.received} of total_count {listing.meta.get('total_count')}",
            total_given="total_count" in listing.meta,
            total_count=listing.meta.get("total_count"),
        )

    def read_listing(self, response: Response) -> StreamedListing:
        """The body's entries, read one at a time, and its small top-level fields (``total_count``, ``links``).

        The whole body is checked first (a truncated or broken body fails before any entry is handed on,
        by the scan for ``total_count``); the entries are then decoded one by one, so the listing never
        exists as one Python object. ``links`` costs a scan of its own only when the body can contain it.
        """
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        body = response.body
        if body.lstrip()[:1] == b"<" or "html" in content_type:
            raise JsonDecodeFailed("not-json", f"got {content_type or 'no content type'} instead of JSON")
        split = split_listing(body)
        if split is not None:
            return split
        meta: dict[str, Any] = {}
        try:
            for value in ijson.items(io.BytesIO(body), "total_count", use_float=True):  # reads the whole body
                meta["total_count"] = value
            links = dict(ijson.kvitems(io.BytesIO(body), "links", use_float=True)) if _may_have_links(body) else {}
            first = next(iter(ijson.items(io.BytesIO(body), "data.item", use_float=True)), _NONE)
        except (ijson.JSONError, UnicodeDecodeError, ValueError):
            first = _NONE  # broken, or beyond the incremental parser (integers past 64 bits): decoded as before
        else:
            if links:
                meta["links"] = links
        if first is _NONE:  # no entry, or another shape (an error object…): said exactly as before
            payload = self.decode_json(response)
            return StreamedListing(iter(listing_entries(payload)), payload if isinstance(payload, dict) else meta)
        return StreamedListing(ijson.items(io.BytesIO(body), "data.item", use_float=True), meta)


_NONE = object()
#: A key spelled ``links`` in JSON: literally, or with one of its letters escaped (\u006c, \u0069, \u006e,
#: \u006b, \u0073, in either case).
_LINKS_SPELLINGS = (b'"links"', b"\\u006", b"\\u0073")


def _may_have_links(body: bytes) -> bool:
    """Whether ``body`` can hold a ``links`` key (a byte search: most bodies need no second full scan)."""
    return any(spelling in body for spelling in _LINKS_SPELLINGS)


@dataclass
class StreamedListing:
    entries: Iterator[Any]
    meta: dict[str, Any]
    #: The raw bytes of each entry (``split_listing``), decoded a page at a time by :meth:`pages`.
    raw_entries: list[msgspec.Raw] | None = None

    def pages(self, size: int) -> Iterator[list[Any]]:
        """The entries, ``size`` at a time (at least one page, possibly empty)."""
        if self.raw_entries is not None:
            raws = self.raw_entries
            for start in range(0, len(raws), size):
                with gc_paused():
                    page = [decode_entry(raw) for raw in raws[start : start + size]]
                yield page
            if not raws:
                yield []
            return
        page: list[Any] = []
        pages = 0
        for entry in self.entries:
            page.append(entry)
            if len(page) >= size:
                yield page
                pages += 1
                page = []
        if page or not pages:
            yield page


_TOP_LEVEL = msgspec.json.Decoder(dict[str, msgspec.Raw])
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_ENTRY = msgspec.json.Decoder()


def split_listing(body: bytes) -> StreamedListing | None:
    """The body's entries as raw JSON and its ``total_count`` and ``links``, from one checking pass over the
    whole body; None when the body is not an object with a non-empty ``data`` list (or not valid JSON):
    the caller then reads it as before.

    The values are those of the earlier readers: ``total_count`` as decoded, ``links`` only when it is a
    non-empty object; each entry decodes as :func:`json.loads` would (:func:`decode_entry`).
    """
    try:
        top = _TOP_LEVEL.decode(body)
        data = top.get("data")
        raws = _RAW_LIST.decode(data) if data is not None else None
    except msgspec.MsgspecError:
        return None
    if not raws:
        return None
    meta: dict[str, Any] = {}
    if "total_count" in top:
        meta["total_count"] = decode_entry(top["total_count"])
    links = decode_entry(top["links"]) if "links" in top else None
    if isinstance(links, dict) and links:
        meta["links"] = links
    return StreamedListing(iter(()), meta, raw_entries=raws)


def decode_entry(raw: msgspec.Raw) -> Any:
    """One raw JSON value, decoded as :func:`json.loads` decodes it (integers of any size stay integers).

    msgspec refuses what the standard library accepts beyond strict JSON values (a lone surrogate escape,
    a number out of the float range): those few are decoded by :mod:`json` itself.
    """
    try:
        return _ENTRY.decode(raw)
    except msgspec.DecodeError:
        return json.loads(bytes(raw))
