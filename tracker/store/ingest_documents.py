"""What a blogs/press crawl (or ``tracker check``) stores: documents and the validators of fetched URLs.

The caller owns the session and the transaction. Documents are stored once per
URL and content: a post fetched again with the same text adds nothing; an
edited post is a new document (the old text stays). Validators (ETag,
Last-Modified) of every fetched URL go to ``http_cache`` for the next
conditional GET. Extracting, linking and weighing the documents' claims is the
update step's job (:mod:`tracker.update.documents`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.store.bulk import in_chunks
from tracker.store.tables import Document, HttpCacheEntry
from tracker.store.tables.huggingface import HfRepo


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
    #: When the crawl saw them (the earliest fetch), the time of the claims and the ledger's verdicts.
    observed_at: dt.datetime | None = None
    #: The whole crawl, or the last chunk of a streaming one: the ledger weighs every checked model.
    #: An earlier chunk (False) weighs only the models its claims name (:mod:`tracker.update.documents`).
    final: bool = True
    #: Claims already read from some pages' text, by ``(url, content hash)``
    #: (:func:`tracker.update.documents.extract_new`).
    extracted: dict[tuple[str, str], list[Any]] | None = None


def load_validators(session: Session) -> dict[str, tuple[str | None, str | None]]:
    """``url → (etag, last_modified)`` for the conditional GETs of the next crawl."""
    return {
        url: (etag, modified)
        for url, etag, modified in session.execute(
            select(HttpCacheEntry.url, HttpCacheEntry.etag, HttpCacheEntry.last_modified)
        )
        if etag or modified
    }


def write_validators(session: Session, entries: Sequence[Validators]) -> int:
    """Remember each URL's validators (portable upsert: read, then insert or update what differs)."""
    latest = {e.url[:2048]: e for e in entries}
    stored: dict[str, Any] = {}
    for part in in_chunks(sorted(latest)):
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


def stored_documents(session: Session, wanted: Collection[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """``(url, content hash) → document id`` of the wanted documents already stored."""
    wanted = set(wanted)
    stored: dict[tuple[str, str], int] = {}
    for part in in_chunks(sorted({url for url, _ in wanted})):
        for doc_id, url, digest in session.execute(
            select(Document.id, Document.url, Document.content_hash).where(Document.url.in_(part))
        ):
            if (url, digest) in wanted:
                stored[(url, digest)] = doc_id
    return stored


def insert_document(session: Session, page: PageRecord, *, run_id: int | None, kind: str | None = None) -> int:
    """Store one read page as a document; returns its id."""
    return session.execute(
        insert(Document)
        .values(
            url=page.url,
            kind=kind or page.kind,
            vendor=page.vendor,
            title=page.title[:2000] if page.title else None,
            published_at=page.published_at,
            fetched_at=page.fetched_at,
            content_hash=page.content_hash,
            text=page.text,
            feed_url=page.feed_url,
            run_id=run_id,
        )
        .returning(Document.id)
    ).scalar_one()


@dataclass(frozen=True)
class CardText:
    """A stored model-card body and the repo it belongs to."""

    document_id: int
    url: str
    text: str
    fetched_at: dt.datetime
    published_at: dt.datetime | None
    repo_id: str
    org: str
    model_id: int | None


def card_texts(session: Session, document_ids: Sequence[int]) -> list[CardText]:
    """The card bodies among ``document_ids`` with their repos."""
    out: list[CardText] = []
    for part in in_chunks(sorted(set(document_ids))):
        for row in session.execute(
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
        ):
            out.append(
                CardText(
                    row.id, row.url, row.text, row.fetched_at, row.published_at, row.repo_id, row.org, row.model_id
                )
            )
    return out
