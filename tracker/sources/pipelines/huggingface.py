"""Hugging Face pipelines: validate → normalize → store.

The store pipeline hands the crawl to the update step (:func:`tracker.update.apply`) as it
arrives, ``store_chunk`` repos per transaction (a repo is ready when its detail and its card, or
the card's failure, have arrived); each listing page's repo ids go to the crawl's "seen" rows, and
the last step decides from those which repos a complete listing lacks. A crash keeps the chunks
already stored; the next crawl fetches only the repos whose stored sha / lastModified differ. Every problem is counted
and stored in ``crawl_errors`` with the repo it concerns: a malformed listing
entry or detail (rejected), a card that cannot be used (the model is still
tracked from its API data), a detail or card that stayed rate-limited or
failed (fetched again next crawl).
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
from tracker.normalize.completeness import DEFAULT_MIN_SHARE, ListingCount, judge_listing
from tracker.normalize.guard import describe
from tracker.normalize.hfcard import CardError, parse_card
from tracker.normalize.huggingface import (
    CardOutcome,
    HubDetail,
    ListingEntry,
    build_facts,
    card_url,
    listing_entry,
    normalize_detail,
    repo_id_of,
)
from tracker.normalize.identity import org_of
from tracker.normalize.rejection import Rejection
from tracker.perf import gc_paused
from tracker.sources.items import Provenance, RawPage, RawRecord
from tracker.sources.pipelines.store import StoreOnClose, store_failed
from tracker.sources.spiders.huggingface import DISCOVERY, OrgListingEnd, RepoFetchFailure
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_huggingface import FetchInfo, HubBatch, RepoRecord, card_keys, stored_cards
from tracker.store.isolate import failing_records
from tracker.store.listings import last_complete_org_sizes
from tracker.store.runs import finish_run, utcnow
from tracker.store.seen import crawl_key, forget_seen, record_seen, seen_count
from tracker.store.tables import Run
from tracker.update import Outcome, apply, record_run
from tracker.update.documents import NameIndexCache

logger = logging.getLogger(__name__)

SOURCE = "huggingface"
DEFAULT_MAX_CARD_BYTES = 2 * 1024 * 1024
#: Repos stored per transaction unless ``store_chunk`` says otherwise.
DEFAULT_CHUNK = 300


class ValidatePipeline:
    """Structural checks; a bad entry or detail is marked rejected, never dropped silently."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawPage) and item.kind in ("hf-listing", "hf-discovery"):
            for index, raw in enumerate(item.records):
                try:
                    repo_id_of(raw)
                except NormalizationError as exc:
                    item.rejections[index] = Rejection(item.subject(index), exc.reason, exc.detail, item.provenance.url)
        elif isinstance(item, RawRecord) and item.kind == "hf-model" and item.rejection is None:
            requested = item.data["repo_id"]
            try:
                got = repo_id_of(item.data["detail"])
            except NormalizationError as exc:
                item.rejection = Rejection(requested, exc.reason, exc.detail, item.provenance.url)
            else:
                if got.lower() != requested.lower():
                    item.rejection = Rejection(
                        requested, "id-mismatch", f"asked for {requested}, got {got}", item.provenance.url
                    )
        return item


class NormalizePipeline:
    def __init__(self, max_card_bytes: int) -> None:
        self.max_card_bytes = max_card_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        spider = getattr(crawler, "spider", None)
        return cls(getattr(spider, "max_card_bytes", DEFAULT_MAX_CARD_BYTES))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawPage) and item.kind in ("hf-listing", "hf-discovery"):
            watched = item.kind == "hf-listing"
            for index, raw in enumerate(item.records):
                if index in item.rejections:
                    continue
                try:
                    item.normalized.append(listing_entry(raw, watched=watched))
                except NormalizationError as exc:
                    item.rejections[index] = Rejection(item.subject(index), exc.reason, exc.detail, item.provenance.url)
        elif isinstance(item, RawRecord) and item.rejection is None:
            if item.kind == "hf-model":
                try:
                    item.normalized = normalize_detail(item.data["detail"])
                except NormalizationError as exc:
                    item.rejection = Rejection(item.data["repo_id"], exc.reason, exc.detail, item.provenance.url)
            elif item.kind == "hf-card":
                try:
                    item.normalized = CardOutcome.from_card(
                        parse_card(item.data["body"], max_bytes=self.max_card_bytes)
                    )
                except CardError as exc:
                    item.normalized = CardOutcome.from_error(exc)
                item.data = {"repo_id": item.data["repo_id"]}  # the raw bytes are no longer needed
        return item


@dataclass
class HubCrawlState:
    """What one crawl delivered and has not stored yet, and what its stored chunks amounted to.

    During a crawl ``listed`` stays empty (each listing page's ids go to the database's "seen" rows at once)
    and ``details`` / ``cards`` hold only the repos whose chunk is not stored yet; a caller that builds a
    state by hand (tests) may fill ``listed`` and everything is stored by :func:`store_hub_crawl`.
    """

    listed: dict[str, ListingEntry] = field(default_factory=dict)
    #: lower-case repo id → (detail, provenance, watched), waiting for its card
    details: dict[str, tuple[HubDetail, Provenance, bool]] = field(default_factory=dict)
    #: lower-case repo id → (card outcome, url)
    cards: dict[str, tuple[CardOutcome, str]] = field(default_factory=dict)
    failures: list[RepoFetchFailure] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    #: org → (complete, repos received, failure)
    ends: dict[str, tuple[bool, int, str | None]] = field(default_factory=dict)
    #: org → listing entries that could not be read
    rejected_entries: dict[str, int] = field(default_factory=dict)
    first_fetch: Any = None
    listing_pages: int = 0
    #: The key of this crawl's "seen" rows (set when the first page is recorded).
    seen_key: str | None = None
    #: What the stored chunks did (counts, events by kind, extra figures).
    progress: CrawlSummary = field(default_factory=lambda: CrawlSummary(source=SOURCE))
    rejected: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    first_failure: RepoFetchFailure | None = None
    failure_count: int = 0
    details_fetched: int = 0
    cards_fetched: int = 0
    card_errors: int = 0
    stored_anything: bool = False
    #: Organisations with a repo the database refused (they mark nothing removed this crawl).
    refused_orgs: set[str] = field(default_factory=set)
    chunks: int = 0
    longest_chunk_seconds: float = 0.0
    #: The same transactions in CPU seconds of the storing thread (a loaded machine inflates the wall time).
    longest_chunk_cpu_seconds: float = 0.0
    store_seconds: float = 0.0
    #: Extracting the card claims before each chunk's transaction (wall seconds).
    extract_seconds: float = 0.0
    #: Set when storing a chunk failed: later chunks are not stored, the run closes as failed.
    store_error: str | None = None
    #: The name index card claims are linked with, kept across chunks.
    names: NameIndexCache = field(default_factory=NameIndexCache)


class StorePipeline(StoreOnClose):
    """Store the crawl as it arrives, ``TRACKER_STORE_CHUNK`` repos per transaction; decide removals at the end."""

    source = SOURCE

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = HubCrawlState()
        self.chunk = max(1, crawler.settings.getint("TRACKER_STORE_CHUNK", DEFAULT_CHUNK))

    def process_item(self, item: Any) -> Any:
        state = self.state
        if isinstance(item, RawPage):
            state.listing_pages += 1
            state.first_fetch = state.first_fetch or item.provenance.fetched_at
            state.rejections.extend(item.rejections[i] for i in sorted(item.rejections))
            record_listed(self.sessions, self.run_id, state, [entry.id for entry in item.normalized])
            item.records = []
        elif isinstance(item, RawRecord) and item.kind == "hf-model":
            if item.rejection is not None:
                state.rejections.append(item.rejection)
                state.cards.pop(item.rejection.subject.lower(), None)
            elif isinstance(item.normalized, HubDetail):
                state.details[item.normalized.id.lower()] = (
                    item.normalized,
                    item.provenance,
                    bool(item.data.get("watched")),
                )
                state.details_fetched += 1
            item.data = {}
        elif isinstance(item, RawRecord) and item.kind == "hf-card" and isinstance(item.normalized, CardOutcome):
            state.cards[item.data["repo_id"].lower()] = (item.normalized, item.provenance.url)
            state.cards_fetched += 1
        elif isinstance(item, RepoFetchFailure):
            state.failures.append(item)
        elif isinstance(item, OrgListingEnd):
            state.ends[item.org] = (item.complete, item.received, item.failure)
            state.rejected_entries[item.org] = item.rejected
        if len(ready_repos(state)) >= self.chunk:
            store_chunk(self.sessions, self.run_id, state, base_url=getattr(self.crawler.spider, "base_url", ""))
        return item

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        return store_hub_crawl(
            self.sessions,
            self.run_id,
            self.state,
            base_url=getattr(spider, "base_url", ""),
            watched_orgs=tuple(getattr(spider, "orgs", ())) if getattr(spider, "list_orgs", True) else (),
            discovery_only=bool(getattr(spider, "discovery", False)) and not getattr(spider, "list_orgs", True),
            finish_reason=reason,
            requests=requests,
            min_share=self.crawler.settings.getfloat("TRACKER_MIN_LISTING_SHARE", DEFAULT_MIN_SHARE),
            chunk=self.chunk,
        )

    def annotate(self, summary: CrawlSummary) -> None:
        retries = self.crawler.stats.get_value("tracker/rate_limited_retries", 0) if self.crawler.stats else 0
        if retries:
            summary.extra["rate_limit_retries"] = retries


def record_listed(
    sessions: sessionmaker[Session], run_id: int | None, state: HubCrawlState, repo_ids: Sequence[str]
) -> None:
    """Remember the repos one listing page named (a short transaction of its own)."""
    if state.store_error is not None or not repo_ids:
        return
    if state.seen_key is None:
        state.seen_key = crawl_key(run_id)
    try:
        with session_scope(sessions) as session:
            record_seen(session, state.seen_key, run_id, SOURCE, repo_ids)
    except Exception as exc:  # a database problem: the run closes as failed, the chunks stored so far stay
        logger.exception("recording the Hub listing failed")
        state.store_error = f"storing the crawl failed: {exc!r}"


def ready_repos(state: HubCrawlState) -> list[str]:
    """Repos (lower case) whose detail and card outcome (card, or the card's failure) have both arrived."""
    failed_cards = {f.subject.lower() for f in state.failures if f.part == "card" and f.subject}
    return [r for r in state.details if r in state.cards or r in failed_cards]


def build_batch(
    state: HubCrawlState, *, base_url: str, repos: Sequence[str] | None = None
) -> tuple[HubBatch, list[Rejection], list[RepoFetchFailure]]:
    """Combine details with their cards (``repos``: lower-case ids, default every pending detail).

    The repos' details, cards and card failures leave ``state``; card problems become per-repo errors.
    Detail and listing failures of the state are handed back (and leave it) too.
    """
    observed_at = state.first_fetch or utcnow()
    batch = HubBatch(observed_at=observed_at, listed=dict(state.listed))
    card_rejections: list[Rejection] = []
    transient: list[RepoFetchFailure] = []
    wanted = sorted(state.details) if repos is None else sorted(repos)
    card_failures = {f.subject.lower(): f for f in state.failures if f.part == "card" and f.subject}
    definitive: set[int] = set()
    for key in wanted:
        detail, provenance, watched = state.details.pop(key)
        repo_id = detail.id
        url = card_url(base_url, repo_id)
        failure = card_failures.get(key)
        if key in state.cards:
            outcome, url = state.cards.pop(key)
        elif failure is not None:
            outcome = CardOutcome.from_fetch_failure(failure.reason, failure.detail, failure.http_status)
        else:
            outcome = CardOutcome("unavailable", reason="card-not-fetched", detail="the crawl ended first")
        if outcome.state == "invalid":
            card_rejections.append(Rejection(repo_id, outcome.reason or "card-invalid", outcome.detail or "", url))
            if failure is not None:  # a card failure that turned out definitive (404, too large) is a card error
                definitive.add(id(failure))
        elif outcome.state == "unavailable" and failure is None:
            transient.append(
                RepoFetchFailure(SOURCE, url, outcome.reason or "card-unavailable", outcome.detail or "", None, repo_id)
            )
        try:
            facts = build_facts(detail, outcome)
        except NormalizationError as exc:  # one repo's bad metadata is that repo's rejection
            card_rejections.append(Rejection(repo_id, exc.reason, exc.detail, provenance.url))
            continue
        batch.records[repo_id] = RepoRecord(
            facts=facts,
            detail=FetchInfo(provenance.url, provenance.fetched_at, provenance.http_status, provenance.response_hash),
            card_url=url,
            watched=watched,
        )
    taken = set(wanted)
    failures: list[RepoFetchFailure] = []
    kept: list[RepoFetchFailure] = []
    for f in state.failures:
        if f.part == "card" and f.subject and f.subject.lower() not in taken and f.subject.lower() in state.details:
            kept.append(f)  # its repo's chunk comes later
        elif id(f) not in definitive:
            failures.append(f)
    state.failures = kept
    for org, (complete, received, _failure) in state.ends.items():
        if org == DISCOVERY:
            continue
        if complete:
            batch.listed_orgs.add(org)
            batch.complete_orgs[org] = received
    return batch, card_rejections, failures + transient


def _count_problems(
    state: HubCrawlState, rejections: Sequence[Rejection], failures: Sequence[RepoFetchFailure]
) -> None:
    state.rejected.update(r.reason for r in rejections)
    state.errors.update(f.reason for f in failures)
    if failures and state.first_failure is None:
        state.first_failure = failures[0]
    state.failure_count += len(failures)


def _failure_rows(failures: Sequence[RepoFetchFailure]) -> list[Rejection]:
    return [Rejection(subject=f.subject or f.url, reason=f.reason, detail=f.detail, url=f.url) for f in failures]


def store_chunk(
    sessions: sessionmaker[Session],
    run_id: int | None,
    state: HubCrawlState,
    *,
    base_url: str,
    repos: Sequence[str] | None = None,
) -> None:
    """Store ``repos`` (default: the ready ones) and the pending errors of ``state`` in one transaction."""
    repos = ready_repos(state) if repos is None else repos
    if state.store_error is not None:
        for key in repos:  # nothing more is stored: keep memory bounded all the same
            state.details.pop(key, None)
            state.cards.pop(key, None)
        return
    batch, card_rejections, failures = build_batch(state, base_url=base_url, repos=repos)
    batch.listed, batch.complete_orgs, batch.listed_orgs = {}, {}, set()  # removals are decided at the end
    batch.names = state.names
    rejections = state.rejections + card_rejections
    state.rejections = []
    try:
        batch.extracted = _extract_outside(sessions, state, batch)
    except Exception as exc:  # reading which cards are stored failed: the database is unusable, as below
        logger.exception("reading the Hub chunk's stored cards failed")
        state.store_error = f"storing the crawl failed: {exc!r}"
        return
    started, cpu_started = time.perf_counter(), time.thread_time()
    try:
        with session_scope(sessions) as session, gc_paused():
            if batch.records and not state.stored_anything and run_id is not None:
                run = session.get(Run, run_id)
                if run is not None:
                    run.observed_at = batch.observed_at
            if batch.records:
                outcome, refused = _apply_isolated(session, batch, run_id)
                rejections.extend(refused)
                state.refused_orgs.update(org_of(r.subject).lower() for r in refused)
                state.progress.absorb(outcome.counts, outcome.events)
                state.progress.extra.update(
                    {k: state.progress.extra.get(k, 0) + v for k, v in outcome.shown_extra().items()}
                )
                state.stored_anything = True
            record_run(session, rejections + _failure_rows(failures), source=SOURCE, run_id=run_id)
    except Exception as exc:  # a database problem: the chunks stored so far stay, the run closes as failed
        logger.exception("storing a Hub chunk failed")
        state.store_error = f"storing the crawl failed: {exc!r}"
        return
    seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    state.chunks += 1
    state.longest_chunk_seconds = max(state.longest_chunk_seconds, seconds)
    state.longest_chunk_cpu_seconds = max(state.longest_chunk_cpu_seconds, cpu)
    state.store_seconds += seconds
    state.card_errors += len(card_rejections)
    _count_problems(state, rejections, failures)


def _extract_outside(sessions: sessionmaker[Session], state: HubCrawlState, batch: HubBatch) -> dict[Any, Any]:
    """Extract the claims of the chunk's new card bodies before its transaction opens (pure, and most of a
    chunk's work); a short read first leaves out the cards already stored (their claims are not read again).

    What is decided here is only a cache: a card stored or changed meanwhile is read inside the transaction.
    """
    if not batch.records:
        return {}
    from tracker.update.huggingface import extract_cards

    started = time.perf_counter()
    keys = card_keys(batch.records.values())
    stored: Any = ()
    if keys:
        with sessions() as session:
            stored = stored_cards(session, keys)
    extracted = extract_cards(batch.records.values(), skip=stored)
    state.extract_seconds += time.perf_counter() - started
    return extracted


def store_hub_crawl(
    sessions: sessionmaker[Session],
    run_id: int | None,
    state: HubCrawlState,
    *,
    base_url: str,
    watched_orgs: tuple[str, ...] = (),
    discovery_only: bool = False,
    finish_reason: str = "finished",
    requests: int = 0,
    min_share: float = DEFAULT_MIN_SHARE,
    chunk: int = DEFAULT_CHUNK,
) -> CrawlSummary:
    """Store what is left of a crawl in chunks, then decide removals and close the run; shared by the crawl and tests.

    An organisation's repos are marked removed only when its listing is complete by the rule of
    :mod:`tracker.normalize.completeness` (the Hub states no total), judged from the crawl's "seen"
    rows in the database; a stopped crawl, or one whose storing failed, marks nothing removed.
    """
    summary = CrawlSummary(source=SOURCE, run_id=run_id, requests=requests)
    if state.listed:  # a state built by hand: its listing is recorded like a crawl's pages
        record_listed(sessions, run_id, state, sorted(state.listed))
        state.listed = {}
    while state.details and state.store_error is None:  # the crawl is over: a card that did not come is not coming
        store_chunk(sessions, run_id, state, base_url=base_url, repos=sorted(state.details)[:chunk])
    if state.store_error is not None:
        summary = store_failed(sessions, run_id, SOURCE, state.store_error, requests)
        summary.extra.update(stored_chunks=state.chunks)
        _forget(sessions, state)
        return summary
    batch, _none, failures = build_batch(state, base_url=base_url, repos=[])
    if finish_reason != "finished":
        batch.complete_orgs.clear()  # a stopped crawl never marks anything removed
    for org in [o for o in batch.complete_orgs if o.lower() in state.refused_orgs]:
        batch.complete_orgs.pop(org)
    batch.seen_key = state.seen_key or crawl_key(run_id)
    batch.names = state.names  # the crawl's name index and what its re-links covered: not built or read again
    rejections = state.rejections
    progress = state.progress
    started, cpu_started = time.perf_counter(), time.thread_time()
    with session_scope(sessions) as session, gc_paused():
        run = session.get(Run, run_id) if run_id is not None else None
        proven, suspicious = _judge_org_listings(session, state, batch, min_share)
        if finish_reason != "finished":
            proven = set()
        proven -= {org for org in proven if org not in batch.complete_orgs}
        seen = seen_count(session, batch.seen_key) if state.seen_key else 0
        if seen or state.stored_anything:
            if run is not None and not state.stored_anything:
                run.observed_at = batch.observed_at
            outcome = apply(session, batch, run_id=run_id)
            progress.absorb(outcome.counts, outcome.events)
            progress.extra.update({k: progress.extra.get(k, 0) + v for k, v in outcome.shown_extra().items()})
        record_run(session, rejections + _failure_rows(failures), source=SOURCE, run_id=run_id)
        _count_problems(state, rejections, failures)
        forget_seen(session, batch.seen_key, SOURCE)
        summary.absorb(
            {
                "seen": seen,
                "new": progress.new,
                "changed": progress.changed,
                "delisted": progress.delisted,
                "unchanged": max(0, seen - progress.new - progress.changed),
                "writes": progress.writes,
            }
        )
        summary.events = Counter(progress.events)
        summary.extra.update(progress.extra)
        summary.rejected = Counter(state.rejected)
        summary.errors = Counter(state.errors)
        watched_done = [o for o in watched_orgs if o in proven]
        if discovery_only:  # nothing watched was listed: complete when the discovery listing was read to its end
            summary.complete = bool(state.ends.get(DISCOVERY, (False,))[0]) and finish_reason == "finished"
        else:
            summary.complete = bool(watched_orgs) and len(watched_done) == len(watched_orgs)
        summary.extra["org_listing_entries"] = {o: state.ends[o][1] for o in sorted(proven)}
        if suspicious:
            summary.extra["suspicious_listing"] = "; ".join(suspicious)[:1000]
        summary.extra.update(
            organisations_complete=f"{len(watched_done)}/{len(watched_orgs)}",
            listing_pages=state.listing_pages,
            details_fetched=state.details_fetched,
            cards_fetched=state.cards_fetched,
            card_errors=state.card_errors,
        )
        if not seen and not state.stored_anything:
            summary.status = "failed"
            summary.message = _failure_message(state, finish_reason)
        elif not summary.complete or state.failure_count or finish_reason != "finished":
            summary.status = "partial"
            summary.message = (
                _failure_message(state, finish_reason)
                if state.failure_count
                else (
                    "some organisation listings did not complete: nothing was marked removed"
                    if not summary.complete
                    else None
                )
            )
        else:
            summary.status = "success"
        seconds = time.perf_counter() - started  # the last transaction, up to closing the run
        cpu = time.thread_time() - cpu_started
        summary.extra.update(
            stored_chunks=state.chunks + 1,
            longest_store_ms=round(1000 * max(state.longest_chunk_seconds, seconds)),
            longest_store_cpu_ms=round(1000 * max(state.longest_chunk_cpu_seconds, cpu)),
            store_ms=round(1000 * (state.store_seconds + seconds)),
            last_store_ms=round(1000 * seconds),
            last_store_cpu_ms=round(1000 * cpu),
            extract_ms=round(1000 * state.extract_seconds),
        )
        if run is not None:
            finish_run(session, run, **summary.run_fields(requests=requests))
    summary.finished_at = utcnow()
    return summary


def _forget(sessions: sessionmaker[Session], state: HubCrawlState) -> None:
    if state.seen_key is None:
        return
    try:
        with session_scope(sessions) as session:
            forget_seen(session, state.seen_key, SOURCE)
    except Exception:  # the next crawl of the source deletes them
        logger.warning("could not delete the crawl's seen rows", exc_info=True)


def _apply_isolated(session: Any, batch: HubBatch, run_id: int | None) -> tuple[Outcome, list[Rejection]]:
    """Apply in a savepoint; if the database refuses the batch, set aside the repos it refuses alone.

    A refused repo is a ``storage-error`` rejection; its organisation marks nothing removed this crawl.
    """
    try:
        with session.begin_nested():
            return apply(session, batch, run_id=run_id), []
    except Exception as exc:
        logger.warning("the database refused the Hub batch (%s); looking for the repos it refuses", exc)
    if batch.names is not None:  # the rolled-back attempt extended it: built afresh from what is stored
        batch.names.reset()
        batch = dataclasses.replace(batch, names=None)

    def probe(part: Sequence[str]) -> object:
        ids = {repo_id.lower() for repo_id in part}
        trial = dataclasses.replace(
            batch,
            listed={k: v for k, v in batch.listed.items() if k.lower() in ids},
            records={k: v for k, v in batch.records.items() if k.lower() in ids},
            complete_orgs={},
            listed_orgs=set(),
        )
        return apply(session, trial, run_id=None)

    bad = failing_records(session, probe, sorted(batch.records))
    refused = [
        Rejection(repo_id, "storage-error", describe(error), batch.records[repo_id].detail.url)
        for repo_id, error in bad
    ]
    for repo_id, _error in bad:
        batch.records.pop(repo_id, None)
        batch.complete_orgs.pop(org_of(repo_id), None)
        for org in [o for o in batch.complete_orgs if o.lower() == org_of(repo_id).lower()]:
            batch.complete_orgs.pop(org)
    return apply(session, batch, run_id=run_id), refused


def _judge_org_listings(
    session: Any, state: HubCrawlState, batch: HubBatch, min_share: float
) -> tuple[set[str], list[str]]:
    """Organisations whose listing is complete by rule (others keep their repos), and the suspicious ones.

    Takes the unproven organisations out of ``batch.complete_orgs`` so nothing of theirs is marked removed.
    """
    previous = last_complete_org_sizes(session, SOURCE)
    proven: set[str] = set()
    suspicious: list[str] = []
    for org, (complete, received, _failure) in sorted(state.ends.items()):
        if org == DISCOVERY or not complete:
            continue
        count = ListingCount(
            received=received, rejected=state.rejected_entries.get(org, 0), previous=previous.get(org.lower())
        )
        verdict = judge_listing(count, min_share=min_share)
        if verdict.complete:
            proven.add(org)
        else:
            batch.complete_orgs.pop(org, None)
        if verdict.suspicious:
            suspicious.append(f"{org}: {received} repos, the last complete listing had {count.previous}")
    return proven, suspicious


def _failure_message(state: HubCrawlState, finish_reason: str) -> str:
    first = state.first_failure
    if first is not None:
        status = f" (HTTP {first.http_status})" if first.http_status else ""
        more = f" and {state.failure_count - 1} more" if state.failure_count > 1 else ""
        return f"{first.subject or first.url}: {first.reason}{status}{more}"[:1000]
    if finish_reason != "finished":
        return f"crawl stopped early ({finish_reason})"
    return "no listing arrived"
