"""OpenRouter pipelines: validate → normalize → store.

The store pipeline gathers the whole listing and hands it to the update step
(:func:`tracker.update.apply`) in one transaction when the spider closes, so
that a failed crawl stores what it got without delisting anything, and an
unchanged listing writes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import NormalizationError
from tracker.normalize.completeness import DEFAULT_MIN_SHARE, judge_listing
from tracker.normalize.guard import describe
from tracker.normalize.openrouter import (
    OpenRouterAliasRecord,
    OpenRouterModel,
    OpenRouterSnapshot,
    normalize_entry,
    validate_entry,
)
from tracker.normalize.rejection import Rejection
from tracker.perf import gc_paused
from tracker.sources.items import FetchFailure, ListingEnd, RawPage
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_openrouter import ingest_openrouter
from tracker.store.isolate import failing_records
from tracker.store.listings import last_complete_size
from tracker.store.retirements import announce_retirements
from tracker.store.runs import finish_run, utcnow
from tracker.store.tables import Run
from tracker.update import Outcome, apply, record_run

logger = logging.getLogger(__name__)


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
            snapshot.received, snapshot.total_given, snapshot.total_count = (
                item.received,
                item.total_given,
                item.total_count,
            )
        elif isinstance(item, FetchFailure):
            self.failures.append(item)
        return item

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        return store_listing(
            self.sessions,
            self.run_id,
            self.snapshot,
            self.failures,
            finish_reason=reason,
            requests=requests,
            min_share=self.crawler.settings.getfloat("TRACKER_MIN_LISTING_SHARE", DEFAULT_MIN_SHARE),
        )


def store_listing(
    sessions: sessionmaker[Session],
    run_id: int | None,
    snapshot: OpenRouterSnapshot | None,
    failures: list[FetchFailure],
    *,
    finish_reason: str = "finished",
    requests: int = 0,
    min_share: float = DEFAULT_MIN_SHARE,
) -> CrawlSummary:
    """Apply a crawled listing and close the run; shared by the crawl, the backfill and tests.

    The listing delists only when complete by the rule of :mod:`tracker.normalize.completeness`.
    """
    summary = CrawlSummary(source="openrouter", run_id=run_id)
    summary.requests = requests
    rejections = list(snapshot.rejections) if snapshot else []
    failure_rejections = [
        Rejection(subject=f.subject or f.url, reason=f.reason, detail=f.detail, url=f.url) for f in failures
    ]
    if snapshot is not None and finish_reason != "finished":
        snapshot.complete = False
        snapshot.failure = snapshot.failure or f"crawl stopped early ({finish_reason})"
    with gc_paused(), session_scope(sessions) as session:
        run = session.get(Run, run_id) if run_id is not None else None
        if snapshot is not None and snapshot.complete:
            count = snapshot.count(last_complete_size(session, "openrouter"))
            verdict = judge_listing(count, min_share=min_share)
            if verdict.complete:
                summary.extra["listing_entries"] = count.received
            else:
                snapshot.complete, snapshot.failure = False, verdict.reason
            if verdict.suspicious:
                summary.extra["suspicious_listing"] = (
                    f"{count.received} entries, the last complete listing had {count.previous}"
                )
        if snapshot is not None and (snapshot.models or snapshot.aliases):
            if run is not None:
                run.observed_at = snapshot.observed_at
            outcome, refused = _apply_isolated(session, snapshot, run_id)
            rejections.extend(refused)
            summary.absorb(outcome.counts, outcome.events)
            summary.absorb(*announce_retirements(session, snapshot.observed_at, run_id=run_id))
        record_run(session, rejections + failure_rejections, source="openrouter", run_id=run_id)
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
    summary.finished_at = utcnow()
    return summary


def _apply_isolated(
    session: Session, snapshot: OpenRouterSnapshot, run_id: int | None
) -> tuple[Outcome, list[Rejection]]:
    """Apply in a savepoint; if the database refuses the batch, set aside the records it refuses alone.

    The listing is then incomplete (a record set aside must not be delisted) and each refused record
    is a ``storage-error`` rejection naming the database's reason.
    """
    try:
        with session.begin_nested():
            return apply(session, snapshot, run_id=run_id), []
    except Exception as exc:
        logger.warning("the database refused the OpenRouter batch (%s); looking for the records it refuses", exc)

    def probe(part: Sequence[OpenRouterModel | OpenRouterAliasRecord]) -> object:
        trial = dataclasses.replace(
            snapshot,
            models=[r for r in part if isinstance(r, OpenRouterModel)],
            aliases=[r for r in part if isinstance(r, OpenRouterAliasRecord)],
            rejections=[],
            complete=False,
        )
        return ingest_openrouter(session, trial, run_id=None)

    bad = failing_records(session, probe, [*snapshot.models, *snapshot.aliases])
    refused = [Rejection(record.id, "storage-error", describe(error), snapshot.url) for record, error in bad]
    bad_ids = {record.id for record, _error in bad}
    snapshot.models = [m for m in snapshot.models if m.id not in bad_ids]
    snapshot.aliases = [a for a in snapshot.aliases if a.id not in bad_ids]
    snapshot.complete = False
    snapshot.failure = f"the database refused {len(bad)} record(s): nothing was delisted"
    return apply(session, snapshot, run_id=run_id), refused


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
