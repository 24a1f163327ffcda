"""Hugging Face Hub: the current state of each repo, and the organisations crawled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, JSONType, UTCDateTime


class HfRepo(Base):
    """One Hub model repo as last read (detail + card), linked to its model.

    ``sha`` / ``last_modified`` / ``gated`` are what the next listing is compared
    with; they are only updated when the repo's detail (and card) were read, so a
    failed fetch is retried next time. ``card_sha`` is the sha at which the card
    was read or definitively failed.
    """

    __tablename__ = "hf_repos"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: ``id`` in lower case: the Hub treats repo ids case-insensitively.
    id_lower: Mapped[str] = mapped_column(String(255), unique=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="SET NULL"), index=True)
    org: Mapped[str] = mapped_column(String(128), index=True)
    #: Listed by a watched organisation (False: found by discovery).
    watched: Mapped[bool] = mapped_column(Boolean, default=True)
    #: ``listed`` or ``removed`` (absent from a complete listing of its organisation).
    status: Mapped[str] = mapped_column(String(16), default="listed")
    sha: Mapped[str | None] = mapped_column(String(64))
    last_modified: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: The Hub's ``createdAt``.
    created_upstream_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: ``false``, ``auto`` or ``manual``.
    gated: Mapped[str] = mapped_column(String(16), default="false")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    pipeline_tag: Mapped[str | None] = mapped_column(String(64))
    library_name: Mapped[str | None] = mapped_column(String(64))
    license_key: Mapped[str | None] = mapped_column(String(128))
    license_class: Mapped[str] = mapped_column(String(32), default="unknown")
    #: ``card``, ``api-card-data``, ``api-tag``, ``none``.
    license_source: Mapped[str | None] = mapped_column(String(16))
    #: Resolved attributes and the declaration as found.
    license: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    base_model: Mapped[str | None] = mapped_column(String(255))
    base_models: Mapped[list[str] | None] = mapped_column(JSONType)
    #: ``quantized``, ``finetune``, ``adapter``, ``merge``.
    base_relation: Mapped[str | None] = mapped_column(String(32))
    is_derivative: Mapped[bool] = mapped_column(Boolean, default=False)
    params_total: Mapped[int | None] = mapped_column(BigInteger)
    #: ``safetensors``, ``gguf``, ``name``.
    params_total_source: Mapped[str | None] = mapped_column(String(16))
    params_active: Mapped[int | None] = mapped_column(BigInteger)
    params_active_source: Mapped[str | None] = mapped_column(String(16))
    context_length: Mapped[int | None] = mapped_column(Integer)
    #: The repo's own status (``open``, ``gated``, ``no-weights``, ``unknown``).
    open_weight_status: Mapped[str] = mapped_column(String(16), default="unknown")
    open_weight_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: ``ok``, ``invalid`` or ``unavailable``.
    card_state: Mapped[str | None] = mapped_column(String(16))
    #: Why the card could not be used (``card-bad-yaml``, ``card-missing``...).
    card_error: Mapped[str | None] = mapped_column(String(64))
    card_error_detail: Mapped[str | None] = mapped_column(Text)
    card_sha: Mapped[str | None] = mapped_column(String(64))
    card_hash: Mapped[str | None] = mapped_column(String(80))
    #: The card body (kept for claim extraction) in ``documents``.
    card_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    content_hash: Mapped[str] = mapped_column(String(80))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="SET NULL"))


# A Hub chunk joins its new card documents to their repos and looks up the repos based on its new ones: without
# these, both scan every stored repo once per chunk (migration 0019).
Index("ix_hf_repos_card_document_id", HfRepo.card_document_id)
Index("ix_hf_repos_base_model_lower", func.lower(HfRepo.base_model))


class HfOrg(Base):
    """An organisation whose listing has been crawled (its first crawl is a baseline)."""

    __tablename__ = "hf_orgs"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    first_crawled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
