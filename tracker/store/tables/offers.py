"""OpenRouter per-provider offers (``/models/{author}/{slug}/endpoints``), with history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, JSONType, UTCDateTime


class Offer(Base):
    """One provider's offer of a listed model, as long as it stays the same.

    A changed offer closes its row (``last_seen_at``) and opens a new one; the current
    offers have ``last_seen_at`` NULL. Prices are exact decimal strings, USD per 1M tokens
    (token components) or per unit, with their status (``priced``, ``free``, ``dynamic``,
    ``unknown``).
    """

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The OpenRouter listing id (``openai/gpt-oss-120b``).
    listing_id: Mapped[str] = mapped_column(String(255))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id", ondelete="SET NULL"), index=True)
    #: The endpoint's tag (``deepinfra/bf16``), else provider/quantization.
    offer: Mapped[str] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(128))
    quantization: Mapped[str | None] = mapped_column(String(32))
    context_length: Mapped[int | None] = mapped_column(Integer)
    max_completion_tokens: Mapped[int | None] = mapped_column(Integer)
    max_prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    #: ``{component: [status, amount]}``.
    prices: Mapped[dict[str, Any]] = mapped_column(JSONType)
    discount: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[int | None] = mapped_column(Integer)
    uptime_last_30m: Mapped[str | None] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(80))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    url: Mapped[str | None] = mapped_column(Text)
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_offers_listing", "listing_id", "last_seen_at"),)


class OfferFetch(Base):
    """When a listed model's offers were last read, and against which listing (for incremental crawls)."""

    __tablename__ = "offer_fetches"

    listing_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: The listing's content hash when its offers were read.
    listing_hash: Mapped[str | None] = mapped_column(String(80))
    #: The offers' combined hash, and how many there were.
    offers_hash: Mapped[str | None] = mapped_column(String(80))
    providers: Mapped[int | None] = mapped_column(Integer)
    http_status: Mapped[int | None] = mapped_column(Integer)
