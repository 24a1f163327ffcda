"""Hugging Face pipelines: validate → normalize → store.

The store pipeline gathers the crawl and hands it to the update step
(:func:`tracker.update.apply`) in one transaction when the spider closes. Every problem is counted
and stored in ``crawl_errors`` with the repo it concerns: a malformed listing
entry or detail (rejected), a card that cannot be used (the model is still
tracked from its API data), a detail or card that stayed rate-limited or
failed (fetched again next crawl).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import NormalizationError
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
from tracker.normalize.rejection import Rejection
from tracker.perf import gc_paused
from tracker.sources.items import Provenance, RawPage, RawRecord
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.spiders.huggingface import DISCOVERY, OrgListingEnd, RepoFetchFailure
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_huggingface import FetchInfo, HubBatch, RepoRecord
from tracker.store.runs import finish_run, utcnow
from tracker.store.tables import Run
from tracker.update import apply, record_run

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
        facts = build_facts(detail, outcome)
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
) -> CrawlSummary:
    """Apply a crawl and close the run; shared by the crawl and tests."""
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
        if batch.listed or batch.records:
            if run is not None:
                run.observed_at = batch.observed_at
            outcome = apply(session, batch, run_id=run_id)
            summary.absorb(outcome.counts, outcome.events)
            summary.extra.update(outcome.shown_extra())
        record_run(session, rejections + failure_rows, source=SOURCE, run_id=run_id)
        summary.rejected = Counter(r.reason for r in rejections)
        summary.errors = Counter(f.reason for f in failures)
        watched_done = [o for o in watched_orgs if state.ends.get(o, (False, 0, None))[0]]
        summary.complete = bool(watched_orgs) and len(watched_done) == len(watched_orgs)
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


def _failure_message(failures: list[RepoFetchFailure], finish_reason: str) -> str:
    if failures:
        first = failures[0]
        status = f" (HTTP {first.http_status})" if first.http_status else ""
        more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
        return f"{first.subject or first.url}: {first.reason}{status}{more}"[:1000]
    if finish_reason != "finished":
        return f"crawl stopped early ({finish_reason})"
    return "no listing arrived"
