"""OpenRouter offers pipelines: normalize (read the endpoints response) → store (on close, one transaction)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from tracker.errors import NormalizationError
from tracker.normalize.endpoints import parse_offers
from tracker.normalize.rejection import Rejection
from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_offers import FetchedOffers, store_offers
from tracker.store.runs import finish_run, record_errors, utcnow
from tracker.store.tables import Run


class NormalizePipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawRecord) and item.kind == "openrouter-endpoints":
            listing_id = item.data["listing_id"]
            try:
                model_id, offers = parse_offers(item.data["payload"])
            except NormalizationError as exc:
                item.rejection = Rejection(listing_id, exc.reason, exc.detail, item.provenance.url)
            else:
                if model_id != listing_id and not listing_id.startswith(model_id):
                    item.rejection = Rejection(
                        listing_id, "wrong-model", f"the response is about {model_id}", item.provenance.url
                    )
                else:
                    item.normalized = FetchedOffers(
                        listing_id=listing_id,
                        url=item.provenance.url,
                        fetched_at=item.provenance.fetched_at,
                        http_status=item.provenance.http_status,
                        response_hash=item.provenance.response_hash,
                        offers=offers,
                    )
            item.data = {"listing_id": listing_id}
        return item


@dataclass
class OffersCrawlState:
    fetched: list[FetchedOffers] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)


class StorePipeline(StoreOnClose):
    source = "offers"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = OffersCrawlState()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            self.state.failures.append(item)
        elif isinstance(item, RawRecord) and item.kind == "openrouter-endpoints":
            if item.rejection is not None:
                self.state.rejections.append(item.rejection)
            elif isinstance(item.normalized, FetchedOffers):
                self.state.fetched.append(item.normalized)
        return item

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        planned = int(getattr(spider, "planned", 0))
        state = self.state
        summary = CrawlSummary(source=self.source, run_id=self.run_id, requests=requests)
        summary.rejected = Counter(r.reason for r in state.rejections)
        summary.errors = Counter(f.reason for f in state.failures)
        summary.extra.update(models_planned=planned, models_read=len(state.fetched))
        failures = [Rejection(f.subject or f.url, f.reason, f.detail, f.url) for f in state.failures]
        with session_scope(self.sessions) as session:
            run = session.get(Run, self.run_id) if self.run_id is not None else None
            now = min((f.fetched_at for f in state.fetched), default=utcnow())
            if state.fetched:
                result = store_offers(session, state.fetched, run_id=self.run_id, now=now)
                summary.absorb(result.counts(), result.events)
                if run is not None:
                    run.observed_at = now
            record_errors(session, state.rejections + failures, source=self.source, run_id=self.run_id)
            summary.complete = reason == "finished"
            if planned and not state.fetched and (state.failures or state.rejections):
                summary.status = "failed"
                first = (state.failures or [None])[0]
                summary.message = f"{first.subject}: {first.reason}" if first else "no endpoints response was usable"
            elif state.failures or state.rejections or reason != "finished":
                summary.status = "partial"
                summary.message = f"{len(state.failures) + len(state.rejections)} of {planned} models not read"
            else:
                summary.status = "success"
                if not planned:
                    summary.message = "no model due for its offers"
            if run is not None:
                finish_run(session, run, **summary.run_fields(requests=requests))
        summary.finished_at = utcnow()
        return summary
