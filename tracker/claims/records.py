"""Extracted claims → ``claims`` rows: linked to models, with reporter and provenance.

* The reporter follows the document: a press article → ``press``; a vendor post
  or a model card → ``vendor`` when it speaks of the vendor's own model, and
  ``press`` (a third party's word, ``extra.third_party``) when a vendor's post
  reports on another vendor's model (a comparison table's GPT-4o column).
* A claim whose mention links to no model keeps ``model_id`` NULL, its
  mention, and the status ``unresolved``.
* A vendor document that prices a model states that offer's context window
  (:mod:`tracker.claims.offers`).
* A claim's identity (:func:`tracker.store.claims.document_identity`) is the claim within its document URL (mention,
  attribute, qualifier, value): fetching the same post again, or an edited post
  that repeats the claim, re-confirms the stored claim instead of adding one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracker.claims.linking import NameIndex, mention_form, same_vendor
from tracker.claims.offers import offer_windows
from tracker.extract.types import Extracted
from tracker.store.claims import ClaimRecord, document_identity

KINDS = ("vendor", "press", "card")


@dataclass(frozen=True)
class DocumentRef:
    """Where claims come from: the document and how to credit it."""

    #: The article URL, or the file name for a local file without one.
    url: str
    #: ``vendor``, ``press`` or ``card``.
    kind: str
    #: The vendor (vendor posts, cards) or the outlet (press), or the file name.
    source: str
    fetched_at: dt.datetime
    vendor: str | None = None
    document_id: int | None = None
    published_at: dt.datetime | None = None
    title: str | None = None
    #: Cards: the model the card belongs to, and its name (the subject of sentences without a mention).
    subject_model_id: int | None = None
    subject_name: str | None = None


def claim_records(
    extracted: Iterable[Extracted], doc: DocumentRef, index: NameIndex, *, now: dt.datetime
) -> list[ClaimRecord]:
    """One claim per extracted claim (duplicates within the document merged)."""
    records: dict[str, ClaimRecord] = {}
    for claim in extracted:
        mention = claim.mention or doc.subject_name
        model_id: int | None = None
        method = "unknown"
        candidates: tuple[int, ...] = ()
        if doc.subject_model_id is not None and (
            claim.mention is None
            or (doc.subject_name is not None and mention_form(claim.mention) == mention_form(doc.subject_name))
        ):
            model_id, method = doc.subject_model_id, "document"
        elif mention:
            resolution = index.resolve(mention)
            model_id, method, candidates = resolution.model_id, resolution.method, resolution.candidates
        third_party = False
        if doc.kind == "press":
            reporter = "press"
        elif model_id is not None and not same_vendor(doc.vendor, index.vendors.get(model_id)):
            reporter, third_party = "press", True
        else:
            reporter = "vendor"
        extra: dict[str, Any] = {
            **claim.extra,
            "via": claim.via,
            "link": method,
            "document_kind": doc.kind,
        }
        if candidates:
            extra["candidates"] = [index.keys.get(c, str(c)) for c in candidates]
        if third_party:
            extra["third_party"] = True
        if doc.title:
            extra["title"] = doc.title[:300]
        record = ClaimRecord(
            identity=document_identity(
                doc.url, mention_form(mention or ""), claim.attribute, claim.qualifier, claim.value
            ),
            model_id=model_id,
            mention=(mention or "")[:512] or None,
            attribute=claim.attribute,
            qualifier=claim.qualifier[:255],
            value=claim.value,
            value_num=claim.value_num,
            unit=claim.unit,
            reporter=reporter,
            source=doc.source[:255],
            url=doc.url,
            document_id=doc.document_id,
            published_at=doc.published_at,
            fetched_at=doc.fetched_at,
            quote=claim.quote,
            status="unchecked" if model_id is not None else "unresolved",
            extra=extra,
            created_at=now,
        )
        records.setdefault(record.claim_hash, record)
    return offer_windows(list(records.values()), doc.kind)
