"""Peer catalogs: one file per catalog (models.dev ``api.json``, LiteLLM's price file, genai-prices' data
file, an Epoch CSV), fetched with a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from
``http_cache``). A ``304`` yields :class:`NotModified` and nothing is stored; a ``200`` yields the body as one
:class:`RawRecord` (``catalog-file``); anything else a :class:`FetchFailure`. The spider never interprets
the file: the pipeline parses it with :mod:`tracker.normalize.peers`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, ClassVar

from scrapy.http import Response

from tracker.sources.items import RawRecord
from tracker.sources.spiders.base import TrackerSpider
from tracker.sources.spiders.feeds import unusable

PIPELINES = {"tracker.sources.pipelines.peers.StorePipeline": 300}


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None


class CatalogSpider(TrackerSpider):
    name = "catalog"
    custom_settings: ClassVar[dict[str, Any]] = {"ITEM_PIPELINES": PIPELINES}

    def __init__(
        self,
        catalog: str,
        url: str,
        *,
        source: str | None = None,
        validators: Callable[[], Mapping[str, tuple[str | None, str | None]]] | Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.catalog = catalog
        self.source = source or catalog
        self.url = url
        self._validators_source = validators

    async def start(self) -> AsyncIterator[Any]:
        source = self._validators_source
        known = source() if callable(source) else (source or {})
        etag, modified = known.get(self.url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        yield self.request(self.url, self.parse_file, headers=headers, meta={"subject": self.url})

    def parse_file(self, response: Response) -> Iterator[Any]:
        skipped = unusable(self, response, "catalog", self.url)
        if skipped is not None:
            yield skipped
            return
        yield RawRecord(
            provenance=self.provenance(response),
            kind="catalog-file",
            data={
                "body": response.body,
                "etag": _header(response, "ETag"),
                "last_modified": _header(response, "Last-Modified"),
            },
        )
