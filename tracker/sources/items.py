"""Raw items the spiders yield. They carry provenance, not interpretation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tracker.normalize.rejection import Rejection


@dataclass
class Provenance:
    source: str
    url: str
    fetched_at: dt.datetime
    http_status: int
    #: sha256 of the response body.
    response_hash: str


@dataclass
class RawRecord:
    """One record of a response (an entry of a JSON list, a feed entry, a page)."""

    provenance: Provenance
    #: ``openrouter-model``, ``hf-listing``, ``hf-model``, ``hf-card``, ``feed-entry``, ``page``...
    kind: str
    data: Any
    #: Position in the response (for error messages about unnamed records).
    position: int = 0
    #: Set by the normalize pipeline.
    normalized: Any = None
    #: Set by the validate / normalize pipelines when the record is unusable.
    rejection: Rejection | None = None


@dataclass
class RawPage:
    """All records of one listing page, kept together (a 50,000-entry listing is one item, not 50,000)."""

    provenance: Provenance
    #: ``openrouter-models``…
    kind: str
    records: list[Any]
    #: Position of the first record in the whole listing.
    offset: int = 0
    #: Set by the validate pipeline: index in ``records`` → why it is unusable.
    rejections: dict[int, Rejection] = field(default_factory=dict)
    #: Set by the normalize pipeline: the usable records, normalized, in order.
    normalized: list[Any] = field(default_factory=list)

    def subject(self, index: int) -> str:
        record = self.records[index]
        name = record.get("id") if isinstance(record, dict) and isinstance(record.get("id"), str) else None
        return (name or f"data[{self.offset + index}]")[:200]


@dataclass
class ListingEnd:
    """The last page of a listing arrived; ``complete`` allows delisting."""

    provenance: Provenance
    received: int
    complete: bool
    failure: str | None = None
    #: The listing carried a total (``total_count``), and its value as sent.
    total_given: bool = False
    total_count: Any = None
    #: Entries the spider could not read (rejected), and those without a readable id.
    rejected: int = 0


@dataclass
class FetchFailure:
    """A request that produced no usable response (after retries)."""

    source: str
    url: str
    reason: str
    detail: str = ""
    http_status: int | None = None
    subject: str | None = None
