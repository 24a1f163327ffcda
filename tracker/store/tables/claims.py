"""Documents (posts, articles, cards), claims about models, and disputes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, JSONType, Money, UTCDateTime


class Document(Base):
    """A vendor post, press article or model card body, stored once per URL + content."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    #: ``vendor``, ``press``, ``card``.
    kind: Mapped[str] = mapped_column(String(16), index=True)
    vendor: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    feed_url: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_documents_url_hash", "url", "content_hash", unique=True),)


class HttpCacheEntry(Base):
    """Validators remembered per URL for conditional GET."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    content_hash: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Claim(Base):
    """Something a source says about a model's attribute, with its provenance.

    ``reporter`` ranks sources: ``primary`` (an API) > ``vendor`` > ``aggregator``
    > ``press``. Unresolved mentions keep ``model_id`` NULL and the ``mention``.
    """

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="SET NULL"), index=True)
    mention: Mapped[str | None] = mapped_column(String(512))
    #: ``openness``, ``license``, ``params_total``, ``params_active``, ``context_length``,
    #: ``price``, ``release_date``, ``benchmark``.
    attribute: Mapped[str] = mapped_column(String(32), index=True)
    #: Refines the attribute: ``prompt`` / ``completion@prompt>=32000`` for prices,
    #: the canonical benchmark name (+ settings) for benchmarks.
    qualifier: Mapped[str] = mapped_column(String(255), default="")
    #: Canonical text of the value (``api-only``, ``Apache-2.0``, ``262144``...).
    value: Mapped[str] = mapped_column(Text)
    value_num: Mapped[Decimal | None] = mapped_column(Money())
    unit: Mapped[str | None] = mapped_column(String(32))
    #: ``primary``, ``vendor``, ``aggregator``, ``press``.
    reporter: Mapped[str] = mapped_column(String(16))
    #: ``openrouter``, ``huggingface``, a vendor name, an outlet or a file name.
    source: Mapped[str] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    quote: Mapped[str | None] = mapped_column(Text)
    #: ``shown``, ``consistent``, ``outdated``, ``disputed``, ``unresolved``, ``unchecked``.
    status: Mapped[str] = mapped_column(String(16), default="unchecked")
    #: For an ``outdated`` claim: when the value it states stopped being the primary source's.
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: Deduplicates re-extraction of the same claim from the same document.
    claim_hash: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Dispute(Base):
    """An attribute of a model on which sources disagree beyond tolerance."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    attribute: Mapped[str] = mapped_column(String(32))
    qualifier: Mapped[str] = mapped_column(String(255), default="")
    #: ``open`` or ``resolved``.
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    shown_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    #: The claim ids on each side and a one-line summary.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: Why the values were weighed against each other (same model, metric, setting, offer…).
    comparable_reason: Mapped[str | None] = mapped_column(Text)
    #: The primary observation (``prices.id``) the first contrary claim was weighed against.
    weighed_observation_id: Mapped[int | None] = mapped_column(Integer)
