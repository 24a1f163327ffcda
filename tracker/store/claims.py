"""Claims as one typed record, one hash recipe and one ``upsert``.

Every claim — a Hub fact about a repo, an API value the tracker follows, a
sentence of a post, a card or an article — is a :class:`ClaimRecord` before it
is stored. What *identifies* a claim differs by where it comes from, and is
spelled out by one of the ``*_identity`` helpers; the hash is always
:func:`claim_hash` over that identity (never over fetch times or counters), so a
re-crawl of the same statement finds the stored row.

:func:`upsert` writes a batch of records the one way every source needs:

* a record whose hash is not stored is **inserted**;
* a stored claim that **follows the API** (``extra.follows == "api"``) takes the
  record's value, URL, quote and times when they differ (or when it had been
  marked superseded), and is left alone otherwise;
* any other stored claim is **confirmed**: its ``fetched_at`` moves on, and it
  takes the record's document and model when the record has them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.events.hashing import content_hash
from tracker.store.bulk import in_chunks, insert_rows
from tracker.store.tables import Claim

#: Stored fields a record that follows the API refreshes.
API_FIELDS = ("model_id", "value", "value_num", "url", "quote", "published_at", "fetched_at", "extra")


def claim_hash(identity: Mapping[str, Any]) -> str:
    """The one hash recipe: :func:`content_hash` of what identifies the claim."""
    return content_hash(identity)


def document_identity(url: str, mention_form: str, attribute: str, qualifier: str, value: str) -> dict[str, str]:
    """A claim of a post, card or article: the same statement in the same document (edits included)."""
    return {"url": url, "mention": mention_form, "attribute": attribute, "qualifier": qualifier, "value": value}


def repo_identity(
    source: str, repo_id: str, attribute: str, qualifier: str, value: str, reporter: str
) -> dict[str, str]:
    """A fact an API states about one of its records (a Hub repo's licence, parameters, benchmarks)."""
    return {
        "source": source,
        "subject": repo_id,
        "attribute": attribute,
        "qualifier": qualifier,
        "value": value,
        "reporter": reporter,
    }


def api_identity(source: str, model_key: str, attribute: str, qualifier: str) -> dict[str, str]:
    """A value that follows the API (its value is not part of its identity: it is updated in place)."""
    return {"source": source, "model": model_key, "attribute": attribute, "qualifier": qualifier, "follows": "api"}


@dataclass(slots=True)
class ClaimRecord:
    """One claim about a model's attribute, with its provenance, ready to be stored."""

    identity: Mapping[str, str]
    model_id: int | None
    mention: str | None
    attribute: str
    qualifier: str
    value: str
    reporter: str
    source: str
    fetched_at: dt.datetime
    created_at: dt.datetime
    value_num: Decimal | None = None
    unit: str | None = None
    url: str | None = None
    document_id: int | None = None
    published_at: dt.datetime | None = None
    quote: str | None = None
    status: str = "unchecked"
    extra: dict[str, Any] | None = None
    claim_hash: str = field(init=False)

    def __post_init__(self) -> None:
        self.claim_hash = claim_hash(self.identity)

    @property
    def follows_api(self) -> bool:
        return bool(self.extra) and self.extra.get("follows") == "api"  # type: ignore[union-attr]

    def row(self) -> dict[str, Any]:
        """The ``claims`` row."""
        return {
            "model_id": self.model_id,
            "mention": self.mention,
            "attribute": self.attribute,
            "qualifier": self.qualifier,
            "value": self.value,
            "value_num": self.value_num,
            "unit": self.unit,
            "reporter": self.reporter,
            "source": self.source,
            "url": self.url,
            "document_id": self.document_id,
            "published_at": self.published_at,
            "fetched_at": self.fetched_at,
            "quote": self.quote,
            "status": self.status,
            "extra": self.extra,
            "claim_hash": self.claim_hash,
            "created_at": self.created_at,
        }


@dataclass
class UpsertResult:
    inserted: list[ClaimRecord] = field(default_factory=list)
    #: Stored claims re-confirmed (``fetched_at`` moved on).
    confirmed: int = 0
    #: Stored claims that follow the API and took a new value.
    updated: int = 0

    @property
    def writes(self) -> int:
        return len(self.inserted) + self.confirmed + self.updated


def upsert(session: Session, records: Iterable[ClaimRecord]) -> UpsertResult:
    """Insert new claims, confirm or refresh stored ones (see the module docstring)."""
    by_hash = {record.claim_hash: record for record in records}
    result = UpsertResult()
    if not by_hash:
        return result
    stored: dict[str, Any] = {}
    for part in in_chunks(sorted(by_hash)):
        for row in session.execute(
            select(
                Claim.id,
                Claim.claim_hash,
                Claim.model_id,
                Claim.value,
                Claim.url,
                Claim.quote,
                Claim.extra,
            ).where(Claim.claim_hash.in_(part))
        ):
            stored[row.claim_hash] = row
    inserts = [record for digest, record in by_hash.items() if digest not in stored]
    changes: list[dict[str, Any]] = []
    for digest, record in by_hash.items():
        old = stored.get(digest)
        if old is None:
            continue
        if record.follows_api:
            same = (old.value, old.model_id, old.url, old.quote) == (
                record.value,
                record.model_id,
                record.url,
                record.quote,
            )
            if not same or "superseded_at" in (old.extra or {}):
                values = record.row()
                changes.append({"id": old.id, **{name: values[name] for name in API_FIELDS}})
                result.updated += 1
            continue
        values = {"id": old.id, "fetched_at": record.fetched_at}
        if record.document_id is not None:
            values["document_id"] = record.document_id
        if record.model_id is not None and record.model_id != old.model_id:
            values["model_id"] = record.model_id
        changes.append(values)
        result.confirmed += 1
    insert_rows(session, Claim.__table__, [record.row() for record in inserts])
    result.inserted = inserts
    update_claims(session, changes)
    return result


def update_claims(session: Session, changes: Sequence[dict[str, Any]]) -> int:
    """Update stored claims by id (rows with the same columns go together in one executemany)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for values in changes:
        groups[tuple(sorted(values))].append(values)
    for rows in groups.values():
        for part in in_chunks(rows, 1000):
            session.execute(update(Claim), list(part))
    return len(changes)
