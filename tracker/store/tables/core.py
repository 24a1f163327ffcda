"""Tables shared by every source: runs, errors, models, crosswalk, observations, events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, JSONType, UTCDateTime


class Run(Base):
    """One run of a job: a crawl, a backfill, a site build, a newsletter send."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``crawl``, ``backfill``, ``site``, ``newsletter-build``, ``newsletter-send``, ``run``.
    job: Mapped[str] = mapped_column(String(64), index=True)
    #: ``openrouter``, ``huggingface``, ``blogs``, ``press`` or NULL for non-crawl jobs.
    source: Mapped[str | None] = mapped_column(String(64), index=True)
    #: ``cli``, ``schedule``, ``test``.
    trigger: Mapped[str] = mapped_column(String(32), default="cli")
    #: ``running``, ``success``, ``partial``, ``failed``.
    status: Mapped[str] = mapped_column(String(16), default="running")
    #: True when the source's listing was fetched completely (delisting allowed).
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: The observation time the run's data is stamped with (backfill: the archive's time).
    observed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_changed: Mapped[int] = mapped_column(Integer, default=0)
    items_delisted: Mapped[int] = mapped_column(Integer, default=0)
    items_rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error_message: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (Index("ix_runs_source_started", "source", "started_at"),)


class CrawlError(Base):
    """A record, page or source that could not be used, with the reason."""

    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    #: What the error is about: a model id, a repo id, a feed URL.
    subject: Mapped[str | None] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(Text)
    #: A short code: ``invalid-id``, ``unparsable-price``, ``http-500``, ``bad-json``...
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Model(Base):
    """One model across sources; the shown value of each attribute.

    The shown values follow the precedence primary API > vendor > aggregator >
    press (see ``tracker.claims``); disputes are in ``disputes``.
    """

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable key: the OpenRouter id without variant suffix, or the HF repo id.
    key: Mapped[str] = mapped_column(String(255), unique=True)
    vendor: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str | None] = mapped_column(String(512))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: True for quantized / finetuned / adapter / merge repos: never a release.
    is_derivative: Mapped[bool] = mapped_column(Boolean, default=False)
    base_model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="SET NULL"))
    #: ``quantized``, ``finetune``, ``adapter``, ``merge`` (HF ``base_model_relation``).
    base_relation: Mapped[str | None] = mapped_column(String(32))
    #: ``open``, ``gated``, ``no-weights``, ``api-only``, ``unknown``.
    open_weight_status: Mapped[str] = mapped_column(String(16), default="unknown")
    open_weight_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    license_key: Mapped[str | None] = mapped_column(String(128))
    #: ``permissive``, ``copyleft``, ``open-weights-restricted``, ``non-commercial``,
    #: ``proprietary``, ``unknown``.
    license_class: Mapped[str | None] = mapped_column(String(32))
    params_total: Mapped[int | None] = mapped_column(BigInteger)
    params_active: Mapped[int | None] = mapped_column(BigInteger)
    #: ``safetensors``, ``name``, ``vendor``, ``press``.
    params_source: Mapped[str | None] = mapped_column(String(32))
    context_length: Mapped[int | None] = mapped_column(Integer)
    hf_repo_id: Mapped[str | None] = mapped_column(String(255))
    openrouter_id: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


# The OpenRouter models without a Hub repo (``tracker.store.shown.awaiting_weights``, read once per Hub chunk):
# a few hundred rows of a table a Hub crawl fills with tens of thousands (migration 0019).
_AWAITING = Model.openrouter_id.is_not(None) & Model.hf_repo_id.is_(None)
Index("ix_models_awaiting_weights", Model.openrouter_id, sqlite_where=_AWAITING, postgresql_where=_AWAITING)


class Crosswalk(Base):
    """How an external identifier was linked to a model, and how sure we are."""

    __tablename__ = "crosswalk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    #: ``openrouter``, ``openrouter-slug``, ``huggingface``, ``name``.
    namespace: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(512))
    #: ``exact-id``, ``declared-hf-id``, ``variant``, ``normalized-name``, ``manual``.
    method: Mapped[str] = mapped_column(String(32))
    #: 0..1 (a ratio, not money).
    confidence: Mapped[float] = mapped_column(default=1.0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("namespace", "external_id"),)


# Looked up by namespace and case-insensitively (a Hub chunk's repo ids among the declared links): without it,
# a scan of the namespace's crosswalk rows once per chunk (migration 0019).
Index("ix_crosswalk_namespace_external_id_lower", Crosswalk.namespace, func.lower(Crosswalk.external_id))


class Observation(Base):
    """Append-only log of what a source said about a subject.

    A row is written only when the hash over meaningful fields changes.
    """

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(512))
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    http_status: Mapped[int | None] = mapped_column(Integer)
    #: sha256 of the HTTP body the record came from.
    response_hash: Mapped[str | None] = mapped_column(String(64))
    #: versioned hash over the meaningful fields (``v1:<sha256>``).
    content_hash: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)

    __table_args__ = (Index("ix_observations_subject", "source", "subject", "observed_at"),)


class Event(Base):
    """A typed, append-only change event (see ``tracker.events.types``)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    #: The listing / repo / model the event is about, as the source names it.
    subject: Mapped[str] = mapped_column(String(512), index=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    #: When the change was observed (for backfills: the archive's time).
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
