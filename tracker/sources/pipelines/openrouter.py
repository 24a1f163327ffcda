"""OpenRouter pipelines: validate → normalize → store.

The store pipeline hands the listing to the update step (:func:`tracker.update.apply`) as it
arrives, ``openrouter.store_chunk`` models per transaction (each chunk also records its ids in the crawl's
"seen" rows); when the spider closes, one last transaction delists what a complete listing's seen
rows lack, refreshes the touched models' shown values and re-weighs the ledger. A failed crawl stores
what it got without delisting anything, and an unchanged listing writes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
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
from tracker.sources.pipelines.store import StoreOnClose, store_failed
from tracker.sources.summary import CrawlSummary
from tracker.store.checkpoint import Checkpointer
from tracker.store.db import session_scope, widen_page_cache
from tracker.store.ingest_openrouter import any_listed, ingest_openrouter
from tracker.store.isolate import failing_records
from tracker.store.listings import last_complete_size
from tracker.store.retirements import announce_retirements
from tracker.store.runs import finish_run, utcnow
from tracker.store.seen import crawl_key, forget_seen, record_seen, seen_count
from tracker.store.tables import Run
from tracker.update import Outcome, apply, record_run

logger = logging.getLogger(__name__)

#: Models stored per transaction unless ``openrouter.store_chunk`` (or, without it, ``store_chunk``) says otherwise.
DEFAULT_CHUNK = 300

#: SQLite page cache (MiB) of the connection that stores the listing. With the default 2 MiB, a 50,000-model
#: first crawl made ~640,000 ``pread`` calls (each chunk's index inserts re-reading evicted pages) and spent
#: ~3.5 CPU s in the kernel; with 32 MiB ~1.9–2.2 s, peak RSS 238 → 269 MiB (docs/benchmarks.md, seventh pass).
STORE_CACHE_MIB = 32


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
    """Store the listing as it arrives, ``TRACKER_OPENROUTER_STORE_CHUNK`` models per transaction (the
    ``openrouter.store_chunk`` setting); delist at the end."""

    source = "openrouter"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.snapshot: OpenRouterSnapshot | None = None
        self.failures: list[FetchFailure] = []
        self.ids: set[str] = set()
        chunk = crawler.settings.getint("TRACKER_OPENROUTER_STORE_CHUNK", 0)
        self.chunk = max(1, chunk or crawler.settings.getint("TRACKER_STORE_CHUNK", DEFAULT_CHUNK))
        self.stream = ListingStream()

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
            item.normalized = []
            if len(snapshot.models) >= self.chunk:
                store_chunk(self.sessions, self.run_id, snapshot, self.stream)
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
            chunk=self.chunk,
            stream=self.stream,
        )


@dataclass
class ListingStream:
    """What the stored chunks of one listing amounted to (the listing itself is in the database)."""

    seen_key: str | None = None
    progress: CrawlSummary = field(default_factory=lambda: CrawlSummary(source="openrouter"))
    #: Models the chunks touched: their shown values are refreshed at the end.
    affected: set[int] = field(default_factory=set)
    #: Rejections already recorded (``crawl_errors``) by a chunk; kept to say what may not be delisted.
    recorded: int = 0
    refused: int = 0
    stored_anything: bool = False
    chunks: int = 0
    longest_seconds: float = 0.0
    store_error: str | None = None
    #: The database held listed listings when the crawl began (new ids may be renames: see ``hold_arrivals``).
    may_rename: bool | None = None
    #: ``(listing state, release event)`` of the new ids, held for the end (only when ``may_rename``).
    arrivals: list[Any] = field(default_factory=list)
    #: SQLite: the chunks' WAL checkpoints, run on a thread while the crawl goes on (see ``tracker.store.checkpoint``).
    checkpointer: Checkpointer | None = None
    checkpointer_started: bool = False

    def finish_checkpoints(self) -> None:
        """Wait for the chunks' checkpoints and run the last one (the end's transaction checkpoints itself)."""
        if self.checkpointer is not None:
            checkpointer, self.checkpointer = self.checkpointer, None
            checkpointer.finish()


def store_chunk(
    sessions: sessionmaker[Session], run_id: int | None, snapshot: OpenRouterSnapshot, stream: ListingStream
) -> None:
    """Store the snapshot's models gathered so far in one transaction of their own, and let them go."""
    models, snapshot.models = snapshot.models, []
    if stream.store_error is not None or not models:
        return
    if stream.seen_key is None:
        stream.seen_key = crawl_key(run_id)
    if not stream.checkpointer_started:
        stream.checkpointer_started = True
        engine = sessions.kw.get("bind")
        stream.checkpointer = Checkpointer.for_engine(engine) if engine is not None else None
    started = time.perf_counter()
    try:
        with gc_paused(), session_scope(sessions) as session:
            widen_page_cache(session, STORE_CACHE_MIB)
            if stream.checkpointer is not None:
                stream.checkpointer.hold(session)
            if stream.may_rename is None:
                stream.may_rename = any_listed(session)
            chunk = dataclasses.replace(
                snapshot,
                models=models,
                aliases=[],
                rejections=[],
                complete=False,
                part="chunk",
                seen_key=stream.seen_key,
                hold_arrivals=stream.may_rename,
                arrivals=[],
            )
            if run_id is not None and not stream.stored_anything:
                run = session.get(Run, run_id)
                if run is not None:
                    run.observed_at = snapshot.observed_at
            record_seen(session, stream.seen_key, run_id, "openrouter", [m.id for m in models])
            outcome, refused = _apply_isolated(session, chunk, run_id)
            fresh = snapshot.rejections[stream.recorded :]
            record_run(session, [*fresh, *refused], source="openrouter", run_id=run_id)
    except Exception as exc:  # a database problem: the chunks stored so far stay, the run closes as failed
        logger.exception("storing an OpenRouter chunk failed")
        stream.store_error = f"storing the crawl failed: {exc!r}"
        return
    if stream.checkpointer is not None:
        stream.checkpointer.request()
    snapshot.rejections.extend(refused)
    stream.arrivals.extend(chunk.arrivals)
    stream.recorded = len(snapshot.rejections)
    stream.refused += len(refused)
    stream.progress.absorb(outcome.counts, outcome.events)
    stream.affected.update(outcome.affected)
    stream.stored_anything = True
    stream.chunks += 1
    stream.longest_seconds = max(stream.longest_seconds, time.perf_counter() - started)


def store_listing(
    sessions: sessionmaker[Session],
    run_id: int | None,
    snapshot: OpenRouterSnapshot | None,
    failures: list[FetchFailure],
    *,
    finish_reason: str = "finished",
    requests: int = 0,
    min_share: float = DEFAULT_MIN_SHARE,
    chunk: int = DEFAULT_CHUNK,
    stream: ListingStream | None = None,
) -> CrawlSummary:
    """Store what is left of a listing in chunks, then delist and close the run; shared by the crawl,
    the backfill and tests.

    The listing delists only when complete by the rule of :mod:`tracker.normalize.completeness`, and only
    what the crawl's "seen" rows do not name.
    """
    stream = stream or ListingStream()
    if snapshot is not None:
        rest = snapshot.models
        for start in range(0, len(rest), chunk):
            snapshot.models = rest[start : start + chunk]
            store_chunk(sessions, run_id, snapshot, stream)
        snapshot.models = []
    stream.finish_checkpoints()
    if stream.store_error is not None:
        summary = store_failed(sessions, run_id, "openrouter", stream.store_error, requests)
        _forget(sessions, stream)
        return summary
    summary = CrawlSummary(source="openrouter", run_id=run_id)
    summary.requests = requests
    rejections = list(snapshot.rejections) if snapshot else []
    failure_rejections = [
        Rejection(subject=f.subject or f.url, reason=f.reason, detail=f.detail, url=f.url) for f in failures
    ]
    if snapshot is not None and finish_reason != "finished":
        snapshot.complete = False
        snapshot.failure = snapshot.failure or f"crawl stopped early ({finish_reason})"
    if snapshot is not None and stream.refused:
        snapshot.complete = False
        snapshot.failure = f"the database refused {stream.refused} record(s): nothing was delisted"
    started = time.perf_counter()
    with gc_paused(), session_scope(sessions) as session:
        widen_page_cache(session, STORE_CACHE_MIB)
        run = session.get(Run, run_id) if run_id is not None else None
        seen = seen_count(session, stream.seen_key) if stream.seen_key else 0
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
        usable = snapshot is not None and (stream.stored_anything or snapshot.aliases)
        if usable:
            assert snapshot is not None
            if run is not None and not stream.stored_anything:
                run.observed_at = snapshot.observed_at
            end = dataclasses.replace(
                snapshot,
                models=[],
                part="end",
                seen_key=stream.seen_key or crawl_key(run_id),
                affected=stream.affected,
                arrivals=stream.arrivals,
            )
            outcome = apply(session, end, run_id=run_id)
            stream.progress.absorb(outcome.counts, outcome.events)
            summary.absorb(*announce_retirements(session, snapshot.observed_at, run_id=run_id))
        progress = stream.progress
        summary.absorb(
            {
                "seen": seen,
                "new": progress.new,
                "changed": progress.changed,
                "delisted": progress.delisted,
                "unchanged": progress.unchanged,
                "writes": progress.writes,
            }
        )
        summary.events.update(progress.events)
        record_run(session, rejections[stream.recorded :] + failure_rejections, source="openrouter", run_id=run_id)
        if stream.seen_key:
            forget_seen(session, stream.seen_key, "openrouter")
        summary.rejected = Counter(r.reason for r in rejections)
        summary.errors = Counter(f.reason for f in failures)
        summary.complete = bool(snapshot and snapshot.complete)
        if snapshot is None or not usable:
            summary.status = "failed"
            summary.message = _failure_message(failures, snapshot, finish_reason)
        elif not snapshot.complete or failures:
            summary.status = "partial"
            summary.message = _failure_message(failures, snapshot, finish_reason)
        else:
            summary.status = "success"
        seconds = time.perf_counter() - started
        summary.extra.update(
            stored_chunks=stream.chunks + 1, longest_store_ms=round(1000 * max(stream.longest_seconds, seconds))
        )
        if run is not None:
            finish_run(session, run, **summary.run_fields(requests=requests))
    summary.finished_at = utcnow()
    return summary


def _forget(sessions: sessionmaker[Session], stream: ListingStream) -> None:
    if stream.seen_key is None:
        return
    try:
        with session_scope(sessions) as session:
            forget_seen(session, stream.seen_key, "openrouter")
    except Exception:  # the next crawl of the source deletes them
        logger.warning("could not delete the crawl's seen rows", exc_info=True)


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
            part="chunk",
        )
        return ingest_openrouter(session, trial, run_id=None)

    bad = failing_records(session, probe, [*snapshot.models, *snapshot.aliases])
    refused = [Rejection(record.id, "storage-error", describe(error), snapshot.url) for record, error in bad]
    bad_ids = {record.id for record, _error in bad}
    snapshot = dataclasses.replace(
        snapshot,
        models=[m for m in snapshot.models if m.id not in bad_ids],
        aliases=[a for a in snapshot.aliases if a.id not in bad_ids],
        complete=False,
        failure=f"the database refused {len(bad)} record(s): nothing was delisted",
    )
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
