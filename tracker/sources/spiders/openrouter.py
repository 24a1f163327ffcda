"""OpenRouter ``GET {base}/models``: one raw item per entry, then the listing end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urljoin

from scrapy.http import Response

from tracker.errors import NormalizationError
from tracker.normalize.openrouter import listing_entries, listing_is_complete, next_page
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
    custom_settings: ClassVar[dict[str, Any]] = {"ITEM_PIPELINES": PIPELINES}

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
            payload = self.decode_json(response)
            entries = listing_entries(payload)
        except JsonDecodeFailed as exc:
            yield FetchFailure(self.source, response.url, exc.reason, exc.detail, response.status)
            return
        except NormalizationError as exc:
            yield FetchFailure(self.source, response.url, exc.reason, exc.detail, response.status)
            return
        provenance = self.provenance(response)
        self.pages += 1
        yield RawPage(provenance=provenance, kind="openrouter-models", records=entries, offset=self.received)
        self.received += len(entries)
        following = next_page(payload)
        if following:
            yield self.request(urljoin(response.url, following), self.parse_models)
            return
        complete = listing_is_complete(payload, self.received)
        yield ListingEnd(
            provenance=provenance,
            received=self.received,
            complete=complete,
            failure=None if complete else f"received {self.received} of total_count {payload.get('total_count')}",
            total_given="total_count" in payload,
            total_count=payload.get("total_count"),
        )
