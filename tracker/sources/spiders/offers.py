"""OpenRouter ``GET {base}/models/{author}/{slug}/endpoints``: the per-provider offers of listed models.

Which models are read is decided before the crawl (:func:`tracker.normalize.endpoints.offer_targets`:
bounded per crawl, incremental — an unchanged listing read recently costs no request).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

from scrapy.http import Response

from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.spiders.base import JsonDecodeFailed, TrackerSpider

PIPELINES = {
    "tracker.sources.pipelines.offers.NormalizePipeline": 200,
    "tracker.sources.pipelines.offers.StorePipeline": 300,
}


class OffersSpider(TrackerSpider):
    name = "offers"
    source = "offers"
    custom_settings: ClassVar[dict[str, Any]] = {"ITEM_PIPELINES": PIPELINES}

    def __init__(
        self,
        base_url: str,
        targets: Callable[[], list[dict[str, str]]] | list[dict[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self._targets = targets
        self.planned = 0

    async def start(self) -> AsyncIterator[Any]:
        targets = self._targets() if callable(self._targets) else list(self._targets)
        self.planned = len(targets)
        for target in targets:
            url = f"{self.base_url}/models/{target['path']}/endpoints"
            yield self.request(url, self.parse_endpoints, meta={"listing_id": target["listing_id"], "subject": url})

    def parse_endpoints(self, response: Response) -> Iterator[Any]:
        listing_id = response.meta["listing_id"]
        failure = self.http_failure(response, subject=listing_id)
        if failure is not None:
            yield failure
            return
        try:
            payload = self.decode_json(response)
        except JsonDecodeFailed as exc:
            yield FetchFailure(self.source, response.url, exc.reason, exc.detail, response.status, subject=listing_id)
            return
        yield RawRecord(
            provenance=self.provenance(response),
            kind="openrouter-endpoints",
            data={"listing_id": listing_id, "payload": payload},
        )
