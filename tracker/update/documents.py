"""What a blogs/press crawl sets off, and the claims of model cards.

:func:`apply_documents` runs the update sequence for read pages:

1. **observations**: new documents (once per URL and content) and the
   validators of every fetched URL (:mod:`tracker.store.ingest_documents`);
2. **claims**: the claims of the new documents are extracted, linked to models
   and stored with their quote (:func:`tracker.store.claims.upsert`: a claim
   already stored for that URL is confirmed, not duplicated);
3. **primary claims and the ledger** over every checked model
   (:func:`tracker.update.ledger.reweigh`);
4. **events** are stored.

:class:`CardClaims` and :class:`NameIndexCache` serve the same steps for the card bodies a Hub
crawl stored (:func:`tracker.update.huggingface.hub_card_claims`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.claims.linking import NameIndex, build_index, load_wanted_keys
from tracker.claims.records import DocumentRef, claim_records
from tracker.events.types import Event
from tracker.extract import extract_claims
from tracker.store.claims import ClaimRecord, upsert
from tracker.store.events import insert_events
from tracker.store.ingest_documents import (
    DocumentsBatch,
    PageRecord,
    insert_document,
    stored_documents,
    write_validators,
)
from tracker.update.ledger import LedgerResult, reweigh
from tracker.update.relink import RelinkScope


@dataclass
class DocumentsResult:
    seen: int = 0
    new: int = 0
    unchanged: int = 0
    claims_new: int = 0
    claims_confirmed: int = 0
    unresolved: int = 0
    writes: int = 0
    #: The stored document (new or already there) of each page URL.
    document_ids: dict[str, int] = field(default_factory=dict)
    #: Models the new claims name (a chunk re-weighs these; the crawl's last step re-weighs every checked model).
    touched: set[int] = field(default_factory=set)
    ledger: LedgerResult = field(default_factory=LedgerResult)
    events: list[Event] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"seen": self.seen, "new": self.new, "unchanged": self.unchanged, "writes": self.writes}

    def extra(self) -> dict[str, int]:
        return {
            "claims_new": self.claims_new,
            "claims_confirmed": self.claims_confirmed,
            "claims_unresolved": self.unresolved,
            "disputes_opened": self.ledger.opened,
            "disputes_resolved": self.ledger.resolved,
        }


#: The claims read from a page's text ahead of its transaction, by ``(url, content hash)``.
Extracted = dict[tuple[str, str], list[Any]]


def extract_new(session: Session, pages: Sequence[PageRecord]) -> Extracted:
    """Read the claims of the pages not stored yet (pure CPU after one read): a streaming crawl does
    this before its chunk's transaction, so that the transaction holds no lock while text is read
    (claim extraction is about 85 % of storing a new page)."""
    wanted = {(p.url, p.content_hash): p for p in pages}
    stored = stored_documents(session, wanted)
    return {
        key: extract_claims(page.text, title=page.title, published=page.published_at)
        for key, page in wanted.items()
        if key not in stored
    }


def store_pages(
    session: Session,
    pages: Sequence[PageRecord],
    *,
    run_id: int | None,
    now: dt.datetime,
    extracted: Extracted | None = None,
) -> DocumentsResult:
    """Store new documents and their claims (no ledger; see :func:`apply_documents`).

    ``extracted`` holds the claims already read from some pages (:func:`extract_new`); the others are
    read here.
    """
    result = DocumentsResult(seen=len(pages))
    wanted = {(p.url, p.content_hash): p for p in pages}
    stored = stored_documents(session, wanted)
    index: NameIndex | None = None
    records: list[ClaimRecord] = []
    for (url, digest), page in wanted.items():
        if (url, digest) in stored:
            result.unchanged += 1
            result.document_ids[url] = stored[(url, digest)]
            continue
        doc_id = insert_document(session, page, run_id=run_id)
        result.new += 1
        result.writes += 1
        result.document_ids[url] = doc_id
        if index is None:
            index = build_index(session)
        ref = DocumentRef(
            url=url,
            kind=page.kind,
            source=page.source,
            fetched_at=page.fetched_at,
            vendor=page.vendor,
            document_id=doc_id,
            published_at=page.published_at,
            title=page.title,
        )
        found = (extracted or {}).get((url, digest))
        if found is None:
            found = extract_claims(page.text, title=page.title, published=page.published_at)
        records.extend(claim_records(found, ref, index, now=now))
    written = upsert(session, records)
    result.claims_new, result.claims_confirmed = len(written.inserted), written.confirmed
    result.unresolved = sum(1 for r in records if r.model_id is None)
    result.touched = {r.model_id for r in records if r.model_id is not None}
    result.writes += written.writes
    return result


def apply_documents(session: Session, batch: DocumentsBatch, *, run_id: int | None) -> DocumentsResult:
    """Documents and validators, claims, then primary claims and the ledger; events stored.

    The ledger weighs every checked model for a whole crawl or its last chunk (``batch.final``); an
    earlier chunk of a streaming crawl weighs only the models its new claims name (:func:`weigh_chunk`),
    so that a chunk stays short and what it stored is weighed at once.
    """
    now = batch.observed_at or min((p.fetched_at for p in batch.pages), default=dt.datetime.now(dt.UTC))
    result = store_pages(session, batch.pages, run_id=run_id, now=now, extracted=batch.extracted)
    write_validators(session, batch.validators)  # bookkeeping, not data: not counted as writes
    if batch.final:
        result.ledger = reweigh(session, now=now)
    elif result.touched:
        result.ledger = weigh_chunk(session, result.touched, now=now)
    result.writes += result.ledger.writes
    result.events = list(result.ledger.events)
    result.writes += insert_events(session, result.events, run_id=run_id)
    return result


def weigh_chunk(session: Session, touched: Collection[int], *, now: dt.datetime) -> LedgerResult:
    """The ledger of one chunk: primary claims, then the claim groups of the models its new claims name.

    Not the whole of :func:`tracker.update.ledger.reweigh`: re-linking every stored claim to the names
    known now, and the vendors' statements of released weights, do not change within one crawl of
    documents (they change with the models other sources add) and read every stored claim, so the
    crawl's last transaction does them once, with the ledger over every checked model.
    """
    from tracker.claims.primary import sync_primary_claims
    from tracker.update.ledger import reconcile

    ids = sorted(set(touched))
    primary_writes = sync_primary_claims(session, ids, now=now)
    result = reconcile(session, now=now, model_ids=ids)
    result.writes += primary_writes
    return result


# ───────────────────────────── model cards ─────────────────────────────


@dataclass
class CardClaims:
    cards: int = 0
    claims_new: int = 0
    writes: int = 0
    events: list[Event] = field(default_factory=list)


@dataclass
class NameIndexCache:
    """A crawl's name index, built once and extended chunk by chunk with the models, repos and crosswalk
    rows added since (a crawl that stores in chunks would otherwise read every name of the database
    once per chunk). Rows are only ever added between two chunks of one crawl; after a rolled-back
    attempt the crawl calls :meth:`reset` and the next chunk builds the index afresh. The index holds only
    the model keys linking reads (``NameIndex.every_key`` False): those of models sharing a name, read
    from the database when a model comes to share one.
    """

    index: NameIndex | None = None
    max_model_id: int = 0
    max_crosswalk_id: int = 0
    #: What the crawl's re-links covered with this index (the names it gained since are added here).
    scope: RelinkScope = field(default_factory=RelinkScope)

    def reset(self) -> None:
        self.index = None
        self.scope.restart()

    def current(self, session: Session) -> NameIndex:
        from sqlalchemy import func

        from tracker.store.tables import Crosswalk, Model, OpenRouterListing
        from tracker.store.tables.huggingface import HfRepo

        top_model = session.scalar(select(func.max(Model.id))) or 0
        top_crosswalk = session.scalar(select(func.max(Crosswalk.id))) or 0
        if self.index is None:
            self.index = build_index(session, every_key=False)  # the keys linking reads: not one a repo
            self.scope.restart()  # a new index: the next re-link reads every claim
        else:
            index, old, gained = self.index, self.max_model_id, set[str | None]()
            for model_id, key, name, vendor, derivative in session.execute(
                select(Model.id, Model.key, Model.name, Model.vendor, Model.is_derivative).where(Model.id > old)
            ):
                gained.update(index.add_model(model_id, key, name, vendor, derivative))
            for listing_id, model_id, name, slug in session.execute(
                select(
                    OpenRouterListing.id,
                    OpenRouterListing.model_id,
                    OpenRouterListing.name,
                    OpenRouterListing.canonical_slug,
                ).where(OpenRouterListing.variant.is_(None), OpenRouterListing.model_id > old)
            ):
                gained.update((index.add(listing_id, model_id), index.add(name, model_id), index.add(slug, model_id)))
            for repo_id, model_id in session.execute(select(HfRepo.id, HfRepo.model_id).where(HfRepo.model_id > old)):
                gained.add(index.add(repo_id, model_id))
            for external, model_id in session.execute(
                select(Crosswalk.external_id, Crosswalk.model_id).where(Crosswalk.id > self.max_crosswalk_id)
            ):
                gained.add(index.add(external, model_id))
            self.scope.gained(form for form in gained if form is not None)
            if index.keys_wanted:
                load_wanted_keys(session, index)
        self.max_model_id, self.max_crosswalk_id = top_model, top_crosswalk
        return self.index
