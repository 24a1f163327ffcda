"""OpenRouter pipelines: validate → normalize → store.

The store pipeline gathers the whole listing and applies it in one
transaction when the spider closes, so that a failed crawl stores what it
got without delisting anything, and an unchanged listing writes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider

from tracker.claims.ledger import reconcile
from tracker.errors import NormalizationError
from tracker.normalize.openrouter import OpenRouterSnapshot, normalize_entry, validate_entry
from tracker.normalize.rejection import Rejection
from tracker.perf import gc_paused
from tracker.sources.items import FetchFailure, ListingEnd, RawPage
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.summary import CrawlSummary
from tracker.store.crosswalk import sync_after_openrouter
from tracker.store.db import make_engine, make_sessionmaker, session_scope
from tracker.store.events import insert_events
from tracker.store.ingest_openrouter import ingest_openrouter
from tracker.store.retirements import announce_retirements
from tracker.store.runs import finish_run, record_errors, utcnow
from tracker.store.tables import Run


class ValidatePipeline:
    """Structural checks per entry; a bad entry is marked rejected (and counted), never dropped silently."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawPage):
            for index, entry in enumerate(item.records):
                try:
                    validate_entry(entry)
                except NormalizationError as exc:
                    item.rejections[index] = _rejection(item, index, exc)
        return item


class NormalizePipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawPage):
            with gc_paused():
                for index, entry in enumerate(item.records):
                    if index in item.rejections:
                        continue
                    try:
                        item.normalized.append(normalize_entry(entry))
                    except NormalizationError as exc:
                        item.rejections[index] = _rejection(item, index, exc)
        return item


def _rejection(item: RawPage, index: int, exc: NormalizationError) -> Rejection:
    return Rejection(subject=item.subject(index), reason=exc.reason, detail=exc.detail, url=item.provenance.url)


class StorePipeline(StoreOnClose):
    """Collect the listing; store it when the spider closes."""

    source = "openrouter"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.snapshot: OpenRouterSnapshot | None = None
        self.failures: list[FetchFailure] = []
        self.ids: set[str] = set()

    def _snapshot(self, item: RawPage | ListingEnd) -> OpenRouterSnapshot:
        if self.snapshot is None:
            p = item.provenance
            self.snapshot = OpenRouterSnapshot(
                observed_at=p.fetched_at,
                url=p.url,
                fetched_at=p.fetched_at,
                http_status=p.http_status,
                response_hash=p.response_hash,
            )
        return self.snapshot

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawPage):
            snapshot = self._snapshot(item)
            snapshot.rejections.extend(item.rejections[i] for i in sorted(item.rejections))
            for record in item.normalized:
                if record.id in self.ids:
                    snapshot.rejections.append(Rejection(record.id, "duplicate-id", "", item.provenance.url))
                else:
                    self.ids.add(record.id)
                    snapshot.add(record)
            item.records = []  # the raw page is no longer needed; keep memory flat
        elif isinstance(item, ListingEnd):
            snapshot = self._snapshot(item)
            snapshot.complete = item.complete
            snapshot.failure = item.failure
        elif isinstance(item, FetchFailure):
            self.failures.append(item)
        return item

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        return store_listing(
            self.database_url, self.run_id, self.snapshot, self.failures, finish_reason=reason, requests=requests
        )


def store_listing(
    database_url: str,
    run_id: int | None,
    snapshot: OpenRouterSnapshot | None,
    failures: list[FetchFailure],
    *,
    finish_reason: str = "finished",
    requests: int = 0,
) -> CrawlSummary:
    """Apply a crawled listing and close the run; shared by crawl and tests."""
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    summary = CrawlSummary(source="openrouter", run_id=run_id)
    summary.requests = requests
    rejections = list(snapshot.rejections) if snapshot else []
    failure_rejections = [
        Rejection(subject=f.subject or f.url, reason=f.reason, detail=f.detail, url=f.url) for f in failures
    ]
    if snapshot is not None and finish_reason != "finished":
        snapshot.complete = False
        snapshot.failure = snapshot.failure or f"crawl stopped early ({finish_reason})"
    try:
        with gc_paused(), session_scope(factory) as session:
            run = session.get(Run, run_id) if run_id is not None else None
            if snapshot is not None and (snapshot.models or snapshot.aliases):
                if run is not None:
                    run.observed_at = snapshot.observed_at
                result = ingest_openrouter(session, snapshot, run_id=run_id)
                summary.absorb(result.counts(), result.events)
                summary.absorb(
                    *sync_after_openrouter(
                        session, snapshot.observed_at, run_id=run_id, model_ids=result.affected_model_ids
                    )
                )
                summary.absorb(*announce_retirements(session, snapshot.observed_at, run_id=run_id))
                # re-weigh vendor/press claims against the new prices and statuses (writes nothing if unchanged)
                ledger = reconcile(session, now=snapshot.observed_at)
                summary.absorb(
                    {"writes": ledger.writes + insert_events(session, ledger.events, run_id=run_id)}, ledger.events
                )
            record_errors(session, rejections + failure_rejections, source="openrouter", run_id=run_id)
            summary.rejected = Counter(r.reason for r in rejections)
            summary.errors = Counter(f.reason for f in failures)
            summary.complete = bool(snapshot and snapshot.complete)
            if snapshot is None or not (snapshot.models or snapshot.aliases):
                summary.status = "failed"
                summary.message = _failure_message(failures, snapshot, finish_reason)
            elif not snapshot.complete or failures:
                summary.status = "partial"
                summary.message = _failure_message(failures, snapshot, finish_reason)
            else:
                summary.status = "success"
            if run is not None:
                finish_run(session, run, **summary.run_fields(requests=requests))
    finally:
        engine.dispose()
    summary.finished_at = utcnow()
    return summary


def _failure_message(failures: list[FetchFailure], snapshot: OpenRouterSnapshot | None, finish_reason: str) -> str:
    if failures:
        first = failures[0]
        status = f" (HTTP {first.http_status})" if first.http_status else ""
        return f"{first.url}: {first.reason}{status}: {first.detail}"[:1000]
    if snapshot is not None and snapshot.failure:
        return snapshot.failure
    if finish_reason != "finished":
        return f"crawl stopped early ({finish_reason})"
    return "the listing contained no usable model"
