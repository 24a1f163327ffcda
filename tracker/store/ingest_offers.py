"""Store OpenRouter per-provider offers: current rows, history, observations and events (caller owns the session).

* An offer whose meaningful fields are unchanged writes nothing (uptime is not meaningful).
* A changed offer closes its row (``last_seen_at``) and opens a new one; a removed one is closed.
* One ``observations`` row (source ``openrouter-endpoints``) per model whose offers changed.
* Events: provider added / removed and cheapest offer changed (:func:`tracker.normalize.endpoints.diff_offers`).
* ``offer_fetches`` remembers when each model was read and against which listing (bookkeeping).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tracker.events.hashing import content_hash
from tracker.events.types import Event
from tracker.normalize.endpoints import ListingState, Offer, diff_offers
from tracker.store.events import insert_events
from tracker.store.tables import Model, Observation, OpenRouterListing
from tracker.store.tables.offers import Offer as OfferRow
from tracker.store.tables.offers import OfferFetch

SOURCE = "openrouter-endpoints"


@dataclass
class FetchedOffers:
    """One endpoints response, read."""

    listing_id: str
    url: str
    fetched_at: dt.datetime
    http_status: int
    response_hash: str | None
    offers: tuple[Offer, ...]


@dataclass
class OffersResult:
    seen: int = 0
    new: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    writes: int = 0
    events: list[Event] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen,
            "new": self.new,
            "changed": self.changed,
            "delisted": self.removed,
            "unchanged": self.unchanged,
            "writes": self.writes,
        }


def listing_states(session: Session) -> list[ListingState]:
    """Every listed OpenRouter model with what is known of its offers."""
    fetched = {row.listing_id: row for row in session.scalars(select(OfferFetch))}
    out = []
    for listing_id, slug, digest in session.execute(
        select(OpenRouterListing.id, OpenRouterListing.canonical_slug, OpenRouterListing.content_hash)
        .where(OpenRouterListing.status == "listed")
        .order_by(OpenRouterListing.id)
    ):
        last = fetched.get(listing_id)
        out.append(
            ListingState(
                listing_id=listing_id,
                path=slug or listing_id,
                listing_hash=digest,
                fetched_hash=last.listing_hash if last else None,
                fetched_at=last.fetched_at if last else None,
                providers=last.providers if last else None,
            )
        )
    return out


def offer_from_row(row: OfferRow) -> Offer:
    prices = tuple(
        (name, status, Decimal(amount) if amount is not None else None)
        for name, (status, amount) in sorted(row.prices.items())
    )
    return Offer(
        key=row.offer,
        provider=row.provider,
        quantization=row.quantization,
        context_length=row.context_length,
        max_completion_tokens=row.max_completion_tokens,
        max_prompt_tokens=row.max_prompt_tokens,
        prices=prices,
        discount=Decimal(row.discount) if row.discount is not None else None,
        status=row.status,
        uptime_last_30m=Decimal(row.uptime_last_30m) if row.uptime_last_30m is not None else None,
    )


def current_offers(session: Session, listing_id: str) -> list[OfferRow]:
    return list(
        session.scalars(
            select(OfferRow)
            .where(OfferRow.listing_id == listing_id, OfferRow.last_seen_at.is_(None))
            .order_by(OfferRow.offer)
        )
    )


def _row_values(offer: Offer) -> dict[str, Any]:
    data = offer.to_dict()
    return {
        "offer": offer.key[:255],
        "provider": offer.provider[:128],
        "quantization": offer.quantization[:32] if offer.quantization else None,
        "context_length": offer.context_length,
        "max_completion_tokens": offer.max_completion_tokens,
        "max_prompt_tokens": offer.max_prompt_tokens,
        "prices": data["prices"],
        "discount": data["discount"],
        "status": offer.status,
        "uptime_last_30m": (data["uptime_last_30m"] or "")[:32] or None,
        "content_hash": offer.hash,
    }


def store_offers(
    session: Session, batch: Sequence[FetchedOffers], *, run_id: int | None, now: dt.datetime
) -> OffersResult:
    """Apply one crawl's endpoints responses."""
    result = OffersResult()
    listings = {
        row.id: row
        for row in session.scalars(
            select(OpenRouterListing).where(OpenRouterListing.id.in_(sorted({f.listing_id for f in batch})))
        )
    }
    model_keys = dict(
        session.execute(
            select(Model.id, Model.key).where(Model.id.in_({r.model_id for r in listings.values() if r.model_id}))
        ).all()
    )
    fetches = {
        row.listing_id: row
        for row in session.scalars(
            select(OfferFetch).where(OfferFetch.listing_id.in_(sorted({f.listing_id for f in batch})))
        )
    }
    for fetched in batch:
        listing = listings.get(fetched.listing_id)
        model_id = listing.model_id if listing else None
        model_key = model_keys.get(model_id) if model_id else None
        stored = {row.offer: row for row in current_offers(session, fetched.listing_id)}
        current = {offer.key: offer for offer in fetched.offers}
        result.seen += len(current)
        combined = content_hash({"offers": sorted(o.hash for o in current.values())})
        last_fetch = fetches.get(fetched.listing_id)
        observation_id = None
        if last_fetch is None or last_fetch.offers_hash != combined:
            observation_id = session.execute(
                insert(Observation)
                .values(
                    source=SOURCE,
                    subject=fetched.listing_id,
                    observed_at=fetched.fetched_at,
                    run_id=run_id,
                    url=fetched.url,
                    fetched_at=fetched.fetched_at,
                    http_status=fetched.http_status,
                    response_hash=fetched.response_hash,
                    content_hash=combined,
                    payload={"offers": [o.to_dict() for o in current.values()]},
                )
                .returning(Observation.id)
            ).scalar_one()
            result.writes += 1
        for key, offer in current.items():
            old = stored.get(key)
            if old is not None and old.content_hash == offer.hash:
                result.unchanged += 1
                continue
            if old is not None:
                old.last_seen_at = fetched.fetched_at
                result.changed += 1
            else:
                result.new += 1
            session.execute(
                insert(OfferRow).values(
                    listing_id=fetched.listing_id,
                    model_id=model_id,
                    first_seen_at=fetched.fetched_at,
                    last_seen_at=None,
                    url=fetched.url,
                    observation_id=observation_id,
                    **_row_values(offer),
                )
            )
            result.writes += 1 + (old is not None)
        for key in stored.keys() - current.keys():
            stored[key].last_seen_at = fetched.fetched_at
            result.removed += 1
            result.writes += 1
        previous = [offer_from_row(row) for row in stored.values()] if last_fetch is not None else None
        result.events.extend(
            diff_offers(
                fetched.listing_id, previous, list(current.values()), at=fetched.fetched_at, model_key=model_key
            )
        )
        values = {
            "fetched_at": fetched.fetched_at,
            "listing_hash": listing.content_hash if listing else None,
            "offers_hash": combined,
            "providers": len({o.provider for o in current.values()}),
            "http_status": fetched.http_status,
        }
        if last_fetch is None:
            session.execute(insert(OfferFetch).values(listing_id=fetched.listing_id, **values))
        else:
            session.execute(update(OfferFetch).where(OfferFetch.listing_id == fetched.listing_id).values(**values))
    session.flush()
    result.writes += insert_events(session, result.events, run_id=run_id)
    return result


def offers_of(session: Session, model_id: int) -> list[dict[str, Any]]:
    """The current offers of a model (for the model page and ``tracker models --json``), cheapest first."""
    rows = session.scalars(select(OfferRow).where(OfferRow.model_id == model_id, OfferRow.last_seen_at.is_(None))).all()
    out = []
    for row in rows:
        offer = offer_from_row(row)
        out.append(
            {
                "listing_id": row.listing_id,
                "offer": row.offer,
                "provider": row.provider,
                "quantization": row.quantization,
                "context_length": row.context_length,
                "max_completion_tokens": row.max_completion_tokens,
                "prompt_usd_per_mtok": offer.price("prompt"),
                "completion_usd_per_mtok": offer.price("completion"),
                "prices": row.prices,
                "status": row.status,
                "uptime_last_30m": row.uptime_last_30m,
                "since": row.first_seen_at,
            }
        )
    big = Decimal("1e30")
    out.sort(
        key=lambda o: (
            (o["prompt_usd_per_mtok"] if o["prompt_usd_per_mtok"] is not None else big)
            + (o["completion_usd_per_mtok"] if o["completion_usd_per_mtok"] is not None else big),
            o["offer"],
        )
    )
    return out
