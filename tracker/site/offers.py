"""Per-provider offers and announced retirements, read for the site (model pages, home page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.normalize.numbers import format_decimal
from tracker.normalize.retirements import PLACEHOLDER_AFTER, retirement_date
from tracker.store.ingest_offers import offer_from_row
from tracker.store.tables import OpenRouterListing
from tracker.store.tables.offers import Offer as OfferRow


@dataclass(frozen=True, slots=True)
class ProviderOffer:
    """One provider's current offer, formatted for the model page."""

    listing_id: str
    offer: str
    provider: str
    quantization: str
    context_length: int | None
    max_completion_tokens: int | None
    input_price: str
    output_price: str
    status: str
    since: dt.datetime


def _status(code: int | None) -> str:
    if code is None or code == 0:
        return "up"
    return f"degraded ({code})" if code > -5 else f"down ({code})"


def load_provider_offers(session: Session) -> dict[int, list[ProviderOffer]]:
    """Current offers by model id, cheapest first (prompt + completion), ties by offer key."""
    out: dict[int, list[tuple[tuple[int, str, str], ProviderOffer]]] = {}
    rows = session.scalars(select(OfferRow).where(OfferRow.last_seen_at.is_(None), OfferRow.model_id.is_not(None)))
    for row in rows:
        offer = offer_from_row(row)
        prompt, completion = offer.price("prompt"), offer.price("completion")
        total = (prompt + completion) if prompt is not None and completion is not None else None
        statuses = {name: status for name, status, _ in offer.prices}
        view = ProviderOffer(
            listing_id=row.listing_id,
            offer=row.offer,
            provider=row.provider,
            quantization=row.quantization or "unknown",
            context_length=row.context_length,
            max_completion_tokens=row.max_completion_tokens,
            input_price=_price_text(statuses.get("prompt"), prompt),
            output_price=_price_text(statuses.get("completion"), completion),
            status=_status(row.status),
            since=row.first_seen_at,
        )
        rank = f"{total:030.12f}" if total is not None else "~"
        out.setdefault(row.model_id, []).append(((0 if total is not None else 1, rank, row.offer), view))
    return {model_id: [v for _k, v in sorted(items, key=lambda kv: kv[0])] for model_id, items in out.items()}


def _price_text(status: str | None, amount: Decimal | None) -> str:
    """``$0.039`` (USD per 1M tokens), ``free``, or the status when there is no amount."""
    if status is None:
        return "—"
    if status == "free":
        return "free"
    if status == "priced" and amount is not None:
        return f"${format_decimal(amount)}"
    return status


def load_retirements(session: Session) -> dict[int, dt.date]:
    """Announced retirement date by model id: OpenRouter ``expiration_date`` or a vendor post, the earliest."""
    out: dict[int, dt.date] = {}
    for model_id, text, changed in session.execute(
        select(OpenRouterListing.model_id, OpenRouterListing.expiration_date, OpenRouterListing.last_changed_at).where(
            OpenRouterListing.status == "listed",
            OpenRouterListing.expiration_date.is_not(None),
            OpenRouterListing.model_id.is_not(None),
        )
    ):
        date = retirement_date(text)
        if date is None or date > changed.date() + PLACEHOLDER_AFTER:  # 2098-12-31 is a placeholder
            continue
        if model_id not in out or date < out[model_id]:
            out[model_id] = date
    from tracker.store.retirements import vendor_retirements  # dates vendor posts announced

    for model_id, date in vendor_retirements(session).items():
        if model_id not in out or date < out[model_id]:
            out[model_id] = date
    return out
