"""OpenRouter offers pipelines: normalize (read the endpoints response) → store, in chunks.

The store pipeline hands the endpoints responses to the update step as they arrive, ``store_chunk``
models per transaction (:func:`tracker.update.offers.apply_offers`: offers, history, observations,
events); when the spider closes, one last transaction stores the rest, records the rejections and
closes the run. An offer that left a model's endpoints is closed from that model's own response (a
whole record), never from the crawl's memory; a chunk that fails keeps the chunks before it and
closes the run as failed (the models not stored are due again at the next crawl).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import NormalizationError
from tracker.normalize.endpoints import parse_offers
from tracker.normalize.rejection import Rejection
from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.pipelines.store import StoreOnClose, store_failed
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_offers import FetchedOffers
from tracker.store.runs import finish_run, record_errors, utcnow
from tracker.store.tables import Run
from tracker.update.offers import apply_offers

logger = logging.getLogger(__name__)

#: Models stored per transaction unless ``store_chunk`` says otherwise.
DEFAULT_CHUNK = 300


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
    #: The responses not stored yet (at most one chunk while the crawl streams).
    fetched: list[FetchedOffers] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    #: What the stored chunks amounted to.
    progress: CrawlSummary = field(default_factory=lambda: CrawlSummary(source="offers"))
    models_stored: int = 0
    chunks: int = 0
    longest_seconds: float = 0.0
    observed: bool = False
    store_error: str | None = None
    #: The most responses held at once.
    peak_held: int = 0


class StorePipeline(StoreOnClose):
    source = "offers"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = OffersCrawlState()
        self.chunk = max(1, crawler.settings.getint("TRACKER_STORE_CHUNK", DEFAULT_CHUNK))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            self.state.failures.append(item)
        elif isinstance(item, RawRecord) and item.kind == "openrouter-endpoints":
            if item.rejection is not None:
                self.state.rejections.append(item.rejection)
            elif isinstance(item.normalized, FetchedOffers):
                self.state.fetched.append(item.normalized)
                self.state.peak_held = max(self.state.peak_held, len(self.state.fetched))
                if len(self.state.fetched) >= self.chunk:
                    store_offers_chunk(self.sessions, self.run_id, self.state)
        return item

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        return store_offers_crawl(
            self.sessions,
            self.run_id,
            self.state,
            planned=int(getattr(spider, "planned", 0)),
            finish_reason=reason,
            requests=requests,
        )


def store_offers_chunk(sessions: sessionmaker[Session], run_id: int | None, state: OffersCrawlState) -> None:
    """Store the responses read so far in one transaction of their own, and let them go."""
    fetched, state.fetched = state.fetched, []
    if state.store_error is not None or not fetched:
        return
    started = time.perf_counter()
    try:
        with session_scope(sessions) as session:
            now = min(f.fetched_at for f in fetched)
            if not state.observed and run_id is not None:
                run = session.get(Run, run_id)
                if run is not None:
                    run.observed_at = now
            result = apply_offers(session, fetched, run_id=run_id, now=now)
    except Exception as exc:  # a database problem: the chunks stored so far stay, the run closes as failed
        logger.exception("storing an offers chunk failed")
        state.store_error = f"storing the crawl failed: {exc!r}"
        return
    state.observed = True
    state.progress.absorb(result.counts(), result.events)
    state.models_stored += len(fetched)
    state.chunks += 1
    state.longest_seconds = max(state.longest_seconds, time.perf_counter() - started)


def store_offers_crawl(
    sessions: sessionmaker[Session],
    run_id: int | None,
    state: OffersCrawlState,
    *,
    planned: int,
    finish_reason: str = "finished",
    requests: int = 0,
) -> CrawlSummary:
    """Store what is left of an offers crawl (one last chunk), record its problems and close the run."""
    streamed = state.chunks > 0
    if state.fetched and state.store_error is None:
        store_offers_chunk(sessions, run_id, state)
    failures = [Rejection(f.subject or f.url, f.reason, f.detail, f.url) for f in state.failures]
    if state.store_error is not None:
        summary = store_failed(sessions, run_id, "offers", state.store_error, requests)
        summary.extra.update(stored_chunks=state.chunks)
        with session_scope(sessions) as session:
            record_errors(session, state.rejections + failures, source="offers", run_id=run_id)
        return summary
    summary = CrawlSummary(source="offers", run_id=run_id, requests=requests)
    summary.absorb(
        {name: getattr(state.progress, name) for name in ("seen", "new", "changed", "delisted", "unchanged", "writes")}
    )
    summary.events.update(state.progress.events)
    summary.rejected = Counter(r.reason for r in state.rejections)
    summary.errors = Counter(f.reason for f in state.failures)
    summary.extra.update(models_planned=planned, models_read=state.models_stored)
    if streamed:
        summary.extra.update(stored_chunks=state.chunks, peak_models_held=state.peak_held)
    with session_scope(sessions) as session:
        run = session.get(Run, run_id) if run_id is not None else None
        record_errors(session, state.rejections + failures, source="offers", run_id=run_id)
        summary.complete = finish_reason == "finished"
        if planned and not state.models_stored and (state.failures or state.rejections):
            summary.status = "failed"
            first = (state.failures or [None])[0]
            summary.message = f"{first.subject}: {first.reason}" if first else "no endpoints response was usable"
        elif state.failures or state.rejections or finish_reason != "finished":
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
