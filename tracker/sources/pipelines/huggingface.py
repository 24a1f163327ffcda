"""Hugging Face pipelines: validate → normalize → store.

The store pipeline gathers the crawl and hands it to the update step
(:func:`tracker.update.apply`) in one transaction when the spider closes. Every problem is counted
and stored in ``crawl_errors`` with the repo it concerns: a malformed listing
entry or detail (rejected), a card that cannot be used (the model is still
tracked from its API data), a detail or card that stayed rate-limited or
failed (fetched again next crawl).
"""

from __future__ import annotations

import dataclasses
import logging
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
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.spiders.huggingface import DISCOVERY, OrgListingEnd, RepoFetchFailure
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_huggingface import FetchInfo, HubBatch, RepoRecord
from tracker.store.isolate import failing_records
from tracker.store.listings import last_complete_org_sizes
from tracker.store.runs import finish_run, utcnow
from tracker.store.tables import Run
from tracker.update import Outcome, apply, record_run

logger = logging.getLogger(__name__)

SOURCE = "huggingface"
DEFAULT_MAX_CARD_BYTES = 2 * 1024 * 1024


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
    """Everything one crawl delivered, gathered for the store step."""

    listed: dict[str, ListingEntry] = field(default_factory=dict)
    details: dict[str, tuple[HubDetail, Provenance, bool]] = field(default_factory=dict)
    cards: dict[str, tuple[CardOutcome, str]] = field(default_factory=dict)
    failures: list[RepoFetchFailure] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    #: org → (complete, repos received, failure)
    ends: dict[str, tuple[bool, int, str | None]] = field(default_factory=dict)
    #: org → listing entries that could not be read
    rejected_entries: dict[str, int] = field(default_factory=dict)
    first_fetch: Any = None
    listing_pages: int = 0


class StorePipeline(StoreOnClose):
    """Collect the crawl; store it when the spider closes."""

    source = SOURCE

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.state = HubCrawlState()

    def process_item(self, item: Any) -> Any:
        state = self.state
        if isinstance(item, RawPage):
            state.listing_pages += 1
            state.first_fetch = state.first_fetch or item.provenance.fetched_at
            state.rejections.extend(item.rejections[i] for i in sorted(item.rejections))
            for entry in item.normalized:
                state.listed.setdefault(entry.id, entry)
            item.records = []
        elif isinstance(item, RawRecord) and item.kind == "hf-model":
            if item.rejection is not None:
                state.rejections.append(item.rejection)
            elif isinstance(item.normalized, HubDetail):
                state.details[item.normalized.id] = (item.normalized, item.provenance, bool(item.data.get("watched")))
            item.data = {}
        elif isinstance(item, RawRecord) and item.kind == "hf-card" and isinstance(item.normalized, CardOutcome):
            state.cards[item.data["repo_id"].lower()] = (item.normalized, item.provenance.url)
        elif isinstance(item, RepoFetchFailure):
            state.failures.append(item)
        elif isinstance(item, OrgListingEnd):
            state.ends[item.org] = (item.complete, item.received, item.failure)
            state.rejected_entries[item.org] = item.rejected
        return item

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        return store_hub_crawl(
            self.sessions,
            self.run_id,
            self.state,
            base_url=getattr(spider, "base_url", ""),
            watched_orgs=tuple(getattr(spider, "orgs", ())),
            finish_reason=reason,
            requests=requests,
            min_share=self.crawler.settings.getfloat("TRACKER_MIN_LISTING_SHARE", DEFAULT_MIN_SHARE),
        )

    def annotate(self, summary: CrawlSummary) -> None:
        retries = self.crawler.stats.get_value("tracker/rate_limited_retries", 0) if self.crawler.stats else 0
        if retries:
            summary.extra["rate_limit_retries"] = retries


def build_batch(state: HubCrawlState, *, base_url: str) -> tuple[HubBatch, list[Rejection], list[RepoFetchFailure]]:
    """Combine details with their cards; turn card problems into per-repo errors."""
    observed_at = state.first_fetch or utcnow()
    batch = HubBatch(observed_at=observed_at, listed=dict(state.listed))
    card_rejections: list[Rejection] = []
    transient: list[RepoFetchFailure] = []
    card_failures = {f.subject.lower(): f for f in state.failures if f.part == "card" and f.subject}
    for repo_id, (detail, provenance, watched) in sorted(state.details.items()):
        url = card_url(base_url, repo_id)
        if repo_id.lower() in state.cards:
            outcome, url = state.cards[repo_id.lower()]
        elif repo_id.lower() in card_failures:
            failure = card_failures[repo_id.lower()]
            outcome = CardOutcome.from_fetch_failure(failure.reason, failure.detail, failure.http_status)
        else:
            outcome = CardOutcome("unavailable", reason="card-not-fetched", detail="the crawl ended first")
        if outcome.state == "invalid":
            card_rejections.append(Rejection(repo_id, outcome.reason or "card-invalid", outcome.detail or "", url))
        elif outcome.state == "unavailable" and repo_id.lower() not in card_failures:
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
    for org, (complete, received, _failure) in state.ends.items():
        if org == DISCOVERY:
            continue
        if complete:
            batch.listed_orgs.add(org)
            batch.complete_orgs[org] = received
    # a card failure that turned out definitive (404, too large) is a card error, not a fetch failure
    failures = [
        f
        for f in state.failures
        if not (
            f.part == "card"
            and f.subject
            and batch.records.get(f.subject) is not None
            and batch.records[f.subject].facts.card.state == "invalid"
        )
    ]
    return batch, card_rejections, failures + transient


def store_hub_crawl(
    sessions: sessionmaker[Session],
    run_id: int | None,
    state: HubCrawlState,
    *,
    base_url: str,
    watched_orgs: tuple[str, ...] = (),
    finish_reason: str = "finished",
    requests: int = 0,
    min_share: float = DEFAULT_MIN_SHARE,
) -> CrawlSummary:
    """Apply a crawl and close the run; shared by the crawl and tests.

    An organisation's repos are marked removed only when its listing is complete by the rule of
    :mod:`tracker.normalize.completeness` (the Hub states no total).
    """
    summary = CrawlSummary(source=SOURCE, run_id=run_id, requests=requests)
    batch, card_rejections, failures = build_batch(state, base_url=base_url)
    if finish_reason != "finished":
        batch.complete_orgs.clear()  # a stopped crawl never marks anything removed
    rejections = state.rejections + card_rejections
    failure_rows = [
        Rejection(subject=f.subject or f.url, reason=f.reason, detail=f.detail, url=f.url) for f in failures
    ]
    with session_scope(sessions) as session, gc_paused():
        run = session.get(Run, run_id) if run_id is not None else None
        proven, suspicious = _judge_org_listings(session, state, batch, min_share)
        if finish_reason != "finished":
            proven = set()
        if batch.listed or batch.records:
            if run is not None:
                run.observed_at = batch.observed_at
            outcome, refused = _apply_isolated(session, batch, run_id)
            rejections.extend(refused)
            proven -= {org for org in proven if org not in batch.complete_orgs}
            summary.absorb(outcome.counts, outcome.events)
            summary.extra.update(outcome.shown_extra())
        record_run(session, rejections + failure_rows, source=SOURCE, run_id=run_id)
        summary.rejected = Counter(r.reason for r in rejections)
        summary.errors = Counter(f.reason for f in failures)
        watched_done = [o for o in watched_orgs if o in proven]
        summary.complete = bool(watched_orgs) and len(watched_done) == len(watched_orgs)
        summary.extra["org_listing_entries"] = {o: state.ends[o][1] for o in sorted(proven)}
        if suspicious:
            summary.extra["suspicious_listing"] = "; ".join(suspicious)[:1000]
        summary.extra.update(
            organisations_complete=f"{len(watched_done)}/{len(watched_orgs)}",
            listing_pages=state.listing_pages,
            details_fetched=len(state.details),
            cards_fetched=len(state.cards),
            card_errors=len(card_rejections),
        )
        if not batch.listed and not batch.records:
            summary.status = "failed"
            summary.message = _failure_message(failures, finish_reason)
        elif not summary.complete or failures or finish_reason != "finished":
            summary.status = "partial"
            summary.message = (
                _failure_message(failures, finish_reason)
                if failures
                else (
                    "some organisation listings did not complete: nothing was marked removed"
                    if not summary.complete
                    else None
                )
            )
        else:
            summary.status = "success"
        if run is not None:
            finish_run(session, run, **summary.run_fields(requests=requests))
    summary.finished_at = utcnow()
    return summary


def _apply_isolated(session: Any, batch: HubBatch, run_id: int | None) -> tuple[Outcome, list[Rejection]]:
    """Apply in a savepoint; if the database refuses the batch, set aside the repos it refuses alone.

    A refused repo is a ``storage-error`` rejection; its organisation marks nothing removed this crawl.
    """
    try:
        with session.begin_nested():
            return apply(session, batch, run_id=run_id), []
    except Exception as exc:
        logger.warning("the database refused the Hub batch (%s); looking for the repos it refuses", exc)

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


def _failure_message(failures: list[RepoFetchFailure], finish_reason: str) -> str:
    if failures:
        first = failures[0]
        status = f" (HTTP {first.http_status})" if first.http_status else ""
        more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
        return f"{first.subject or first.url}: {first.reason}{status}{more}"[:1000]
    if finish_reason != "finished":
        return f"crawl stopped early ({finish_reason})"
    return "no listing arrived"
