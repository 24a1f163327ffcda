"""Store what a blogs/press crawl (or ``tracker check``) read: documents, claims, validators, the ledger.

The caller owns the session and the transaction.

* **Documents** are stored once per URL and content: a post fetched again with
  the same text adds nothing; an edited post is a new document (the old text
  stays).
* **Claims** are extracted from new documents only, linked to models and
  stored with their quote; a claim already stored for that URL is confirmed
  (``fetched_at``), not duplicated.
* **Validators** (ETag, Last-Modified) of every fetched URL go to ``http_cache``
  for the next conditional GET.
* Then the **ledger** re-weighs the claims (shown / consistent / disputed,
  disputes and their events).

Model-card bodies stored by the Hub crawl go through the same extraction
(:func:`extract_card_claims`), as vendor claims about the card's model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tracker.claims.ledger import LedgerResult, reconcile
from tracker.claims.linking import NameIndex, build_index
from tracker.claims.records import DocumentRef, claim_rows
from tracker.events.types import Event
from tracker.extract import extract_claims
from tracker.normalize.articles import ArticleError, read_markdown
from tracker.store.bulk import insert_rows
from tracker.store.db import make_engine, make_sessionmaker
from tracker.store.events import insert_events
from tracker.store.tables import Claim, Dispute, Document, HttpCacheEntry
from tracker.store.tables.huggingface import HfRepo

CHUNK = 500


def text_hash(text: str) -> str:
    """The content hash of a document's reading text (``v1:<sha256>``)."""
    return "v1:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class PageRecord:
    """One article that was fetched (or read from a file) and read."""

    url: str
    #: ``vendor`` or ``press``.
    kind: str
    #: The vendor or outlet the feed is configured for (or the file name).
    source: str
    fetched_at: dt.datetime
    text: str
    vendor: str | None = None
    title: str | None = None
    published_at: dt.datetime | None = None
    feed_url: str | None = None

    @property
    def content_hash(self) -> str:
        return text_hash(self.text)


@dataclass
class Validators:
    """What a server said about a URL, for the next conditional GET."""

    url: str
    fetched_at: dt.datetime
    status: int
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass
class DocumentsBatch:
    pages: list[PageRecord] = field(default_factory=list)
    validators: list[Validators] = field(default_factory=list)


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


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_validators(session: Session) -> dict[str, tuple[str | None, str | None]]:
    """``url → (etag, last_modified)`` for the conditional GETs of the next crawl."""
    return {
        url: (etag, modified)
        for url, etag, modified in session.execute(
            select(HttpCacheEntry.url, HttpCacheEntry.etag, HttpCacheEntry.last_modified)
        )
        if etag or modified
    }


def load_validators_from(database_url: str) -> dict[str, tuple[str | None, str | None]]:
    """:func:`load_validators` from a database URL (the crawl child's read before it starts)."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return load_validators(session)
    finally:
        engine.dispose()


def write_validators(session: Session, entries: Sequence[Validators]) -> int:
    """Remember each URL's validators (portable upsert: read, then insert or update what differs)."""
    latest = {e.url[:2048]: e for e in entries}
    stored: dict[str, Any] = {}
    for part in _chunks(sorted(latest)):
        for row in session.execute(select(HttpCacheEntry).where(HttpCacheEntry.url.in_(part))):
            stored[row[0].url] = row[0]
    writes = 0
    inserts = []
    for url, entry in latest.items():
        values = {
            "etag": entry.etag[:512] if entry.etag else None,
            "last_modified": entry.last_modified[:128] if entry.last_modified else None,
            "content_hash": entry.content_hash,
            "status": entry.status,
            "fetched_at": entry.fetched_at,
        }
        old = stored.get(url)
        if old is None:
            inserts.append({"url": url, **values})
            continue
        if entry.status == 304:
            values = {"status": 304, "fetched_at": entry.fetched_at}
        for name, value in values.items():
            setattr(old, name, value)
        writes += 1
    if inserts:
        session.execute(insert(HttpCacheEntry), inserts)
    return writes + len(inserts)


def store_claim_rows(session: Session, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert new claims, re-confirm known ones (same hash); returns (inserted, confirmed)."""
    by_hash = {row["claim_hash"]: row for row in rows}
    existing: dict[str, Any] = {}
    for part in _chunks(sorted(by_hash)):
        for row in session.execute(
            select(Claim.id, Claim.claim_hash, Claim.model_id, Claim.document_id).where(Claim.claim_hash.in_(part))
        ):
            existing[row.claim_hash] = row
    inserts = [row for digest, row in by_hash.items() if digest not in existing]
    insert_rows(session, Claim.__table__, inserts)
    confirms = []
    for digest, row in by_hash.items():
        old = existing.get(digest)
        if old is None:
            continue
        values: dict[str, Any] = {"id": old.id, "fetched_at": row["fetched_at"]}
        if row["document_id"] is not None:
            values["document_id"] = row["document_id"]
        if row["model_id"] != old.model_id and row["model_id"] is not None:
            values["model_id"] = row["model_id"]
        confirms.append(values)
    for values in confirms:
        session.execute(
            update(Claim).where(Claim.id == values["id"]).values({k: v for k, v in values.items() if k != "id"})
        )
    return len(inserts), len(confirms)


def store_pages(
    session: Session, pages: Sequence[PageRecord], *, run_id: int | None, now: dt.datetime
) -> DocumentsResult:
    """Store new documents and their claims (no ledger; see :func:`ingest_documents`)."""
    result = DocumentsResult(seen=len(pages))
    wanted = {(p.url, p.content_hash): p for p in pages}
    stored: dict[tuple[str, str], int] = {}
    for part in _chunks(sorted({url for url, _ in wanted})):
        for doc_id, url, digest in session.execute(
            select(Document.id, Document.url, Document.content_hash).where(Document.url.in_(part))
        ):
            if (url, digest) in wanted:
                stored[(url, digest)] = doc_id
    index: NameIndex | None = None
    rows: list[dict[str, Any]] = []
    for (url, digest), page in wanted.items():
        if (url, digest) in stored:
            result.unchanged += 1
            result.document_ids[url] = stored[(url, digest)]
            continue
        doc_id = session.execute(
            insert(Document)
            .values(
                url=url,
                kind=page.kind,
                vendor=page.vendor,
                title=page.title[:2000] if page.title else None,
                published_at=page.published_at,
                fetched_at=page.fetched_at,
                content_hash=digest,
                text=page.text,
                feed_url=page.feed_url,
                run_id=run_id,
            )
            .returning(Document.id)
        ).scalar_one()
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
        rows.extend(
            claim_rows(extract_claims(page.text, title=page.title, published=page.published_at), ref, index, now=now)
        )
    inserted, confirmed = store_claim_rows(session, rows)
    result.claims_new, result.claims_confirmed = inserted, confirmed
    result.unresolved = sum(1 for r in rows if r["model_id"] is None)
    result.writes += inserted + confirmed
    return result


def ingest_documents(
    session: Session, batch: DocumentsBatch, *, run_id: int | None, now: dt.datetime
) -> DocumentsResult:
    """Validators, documents, claims, then the ledger over every checked model; events are stored."""
    result = store_pages(session, batch.pages, run_id=run_id, now=now)
    write_validators(session, batch.validators)  # bookkeeping, not data: not counted as writes
    result.ledger = reconcile(session, now=now)
    result.writes += result.ledger.writes
    result.events = list(result.ledger.events)
    result.writes += insert_events(session, result.events, run_id=run_id)
    return result


# ───────────────────────────── model cards ─────────────────────────────


@dataclass
class CardClaims:
    cards: int = 0
    claims_new: int = 0
    writes: int = 0
    events: list[Event] = field(default_factory=list)


def extract_card_claims(
    session: Session, document_ids: Sequence[int], *, now: dt.datetime, run_id: int | None = None
) -> CardClaims:
    """Run claim extraction over newly stored card bodies (vendor claims about the card's model).

    Called by the Hub store step with the ids of the card documents it inserted;
    the ledger then re-weighs the card models and every model with an open dispute.
    Events are returned, not stored (the Hub step stores its events together).
    """
    out = CardClaims()
    ids = sorted(set(document_ids))
    cards = []
    for part in _chunks(ids):
        cards.extend(
            session.execute(
                select(
                    Document.id,
                    Document.url,
                    Document.text,
                    Document.fetched_at,
                    Document.published_at,
                    HfRepo.id.label("repo_id"),
                    HfRepo.org,
                    HfRepo.model_id,
                )
                .join(HfRepo, HfRepo.card_document_id == Document.id)
                .where(Document.id.in_(part), Document.kind == "card")
            )
        )
    index = build_index(session) if cards else None
    rows: list[dict[str, Any]] = []
    touched: set[int] = set()
    for card in cards:
        try:
            article = read_markdown(card.text)
        except ArticleError:
            continue  # an empty or unreadable body: nothing to extract (the Hub step recorded the card's state)
        name = card.repo_id.split("/", 1)[1]
        ref = DocumentRef(
            url=card.url,
            kind="card",
            source=card.repo_id,
            fetched_at=card.fetched_at,
            vendor=card.org,
            document_id=card.id,
            published_at=card.published_at,
            title=card.repo_id,
            subject_model_id=card.model_id,
            subject_name=name,
        )
        assert index is not None
        found = claim_rows(extract_claims(article.text, title=name, subject=name), ref, index, now=now)
        rows.extend(found)
        touched.update(r["model_id"] for r in found if r["model_id"] is not None)
        out.cards += 1
    inserted, confirmed = store_claim_rows(session, rows)
    out.claims_new = inserted
    out.writes += inserted + confirmed
    # the card models, and every model with an open dispute (new weights may settle it)
    targets = touched | set(session.scalars(select(Dispute.model_id).where(Dispute.status == "open")))
    if targets:
        ledger = reconcile(session, now=now, model_ids=targets)
        out.writes += ledger.writes
        out.events = list(ledger.events)
    return out
