"""OpenRouter: current listing state, moving aliases, and dated price history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, JSONType, Money, UTCDateTime


class OpenRouterListing(Base):
    """The current state of one OpenRouter id (``:free`` variants included)."""

    __tablename__ = "openrouter_listings"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="SET NULL"), index=True)
    #: The id without its ``:variant`` suffix.
    base_id: Mapped[str] = mapped_column(String(255), index=True)
    #: ``free``, ``beta``, ``thinking``... or NULL for the model itself.
    variant: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text)
    canonical_slug: Mapped[str | None] = mapped_column(String(255))
    hugging_face_id: Mapped[str | None] = mapped_column(String(255))
    context_length: Mapped[int | None] = mapped_column(Integer)
    max_completion_tokens: Mapped[int | None] = mapped_column(Integer)
    modality: Mapped[str | None] = mapped_column(String(64))
    input_modalities: Mapped[list[str] | None] = mapped_column(JSONType)
    output_modalities: Mapped[list[str] | None] = mapped_column(JSONType)
    #: OpenRouter's ``created`` (when the listing was created upstream).
    created_upstream_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    knowledge_cutoff: Mapped[str | None] = mapped_column(String(32))
    expiration_date: Mapped[str | None] = mapped_column(String(32))
    #: ``listed`` or ``delisted``.
    status: Mapped[str] = mapped_column(String(16), default="listed")
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    delisted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(80))
    last_observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="SET NULL"))


class OpenRouterAlias(Base):
    """A ``~``-prefixed moving alias ("latest"); not a model."""

    __tablename__ = "openrouter_aliases"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    target_id: Mapped[str | None] = mapped_column(String(255))
    target_name: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default="listed")
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(80))


class Price(Base):
    """One distinct price of one component and tier, with the time span it held.

    ``last_seen_at`` is NULL while the price is current; when the price changes
    or the offer disappears it is set to the last time the old value was seen.
    """

    __tablename__ = "prices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    #: The offer: an OpenRouter id, or ``id@provider`` for an endpoint.
    subject: Mapped[str] = mapped_column(String(512))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="SET NULL"), index=True)
    provider: Mapped[str | None] = mapped_column(String(128))
    #: ``prompt``, ``completion``, ``request``, ``image``, ``web_search``, ...
    component: Mapped[str] = mapped_column(String(48))
    #: ``""`` for the base price, ``prompt>=32000`` for a prompt-length tier.
    tier: Mapped[str] = mapped_column(String(64), default="")
    min_prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    #: ``priced``, ``free``, ``dynamic``, ``unknown``.
    status: Mapped[str] = mapped_column(String(16))
    #: USD per 1M tokens, for token-metered components.
    usd_per_mtok: Mapped[Decimal | None] = mapped_column(Money())
    #: USD per unit (request, image, search) for the other components.
    usd_per_unit: Mapped[Decimal | None] = mapped_column(Money())
    #: ``mtok``, ``request``, ``image``, ``search``, ``unit``.
    unit: Mapped[str] = mapped_column(String(16))
    #: The upstream string exactly as served.
    raw: Mapped[str | None] = mapped_column(String(64))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    url: Mapped[str | None] = mapped_column(Text)
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="SET NULL"))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (
        Index("ix_prices_offer", "source", "subject", "component", "tier"),
        Index("ix_prices_current", "source", "last_seen_at"),
    )
