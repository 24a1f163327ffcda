"""OpenRouter ``/models/{author}/{slug}/endpoints``: the per-provider offers of one model (pure).

* :func:`parse_offers` turns a response into :class:`Offer` values (provider, quantization,
  context, max output, each price component as exact Decimal USD, status, uptime);
* :func:`diff_offers` compares two sets of offers: a provider added or removed, and the
  cheapest offer changing, as typed events;
* :func:`offer_targets` decides which listed models a crawl reads (bounded, incremental).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tracker.errors import NormalizationError
from tracker.events.hashing import content_hash
from tracker.events.types import CheapestOfferChanged, Event, OfferAdded, OfferRemoved
from tracker.normalize.numbers import format_decimal
from tracker.normalize.pricing import PriceStatus, price_value

#: Offer modes: every listed model, or only models known to have more than one provider.
MODES = ("all", "multi", "off")


@dataclass(frozen=True)
class Offer:
    """One provider's offer of a model, as the endpoints response gives it."""

    #: A stable key within the model: the endpoint's ``tag``, else provider and quantization.
    key: str
    provider: str
    quantization: str | None
    context_length: int | None
    max_completion_tokens: int | None
    max_prompt_tokens: int | None
    #: ``{component: (status, amount)}`` — amount in USD per 1M tokens (token components) or per unit.
    prices: tuple[tuple[str, str, Decimal | None], ...]
    discount: Decimal | None
    #: OpenRouter's endpoint status (0 = up; negative values = degraded or down).
    status: int | None
    #: Percent, as given (``uptime_last_30m``), kept exact.
    uptime_last_30m: Decimal | None

    def price(self, component: str) -> Decimal | None:
        for name, status, amount in self.prices:
            if name == component and status in (PriceStatus.PRICED, PriceStatus.FREE):
                return amount
        return None

    def fields(self) -> dict[str, Any]:
        """The meaningful fields (what the content hash covers: no uptime, which moves every minute)."""
        return {
            "key": self.key,
            "provider": self.provider,
            "quantization": self.quantization,
            "context_length": self.context_length,
            "max_completion_tokens": self.max_completion_tokens,
            "max_prompt_tokens": self.max_prompt_tokens,
            "prices": {name: [status, _text(amount)] for name, status, amount in self.prices},
            "discount": _text(self.discount),
            "status": self.status,
        }

    @property
    def hash(self) -> str:
        return content_hash(self.fields())

    def to_dict(self) -> dict[str, Any]:
        return self.fields() | {"uptime_last_30m": _text(self.uptime_last_30m)}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


def _int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise NormalizationError("bad-endpoint", f"{name}={value!r} is not a whole number")
    return int(value)


def _decimal(value: Any, name: str) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise NormalizationError("bad-endpoint", f"{name}={value!r} is not a number") from exc
    return number if number.is_finite() else None


def parse_offers(payload: Any) -> tuple[str, tuple[Offer, ...]]:
    """``(model id, offers)`` of one endpoints response; a malformed one is a NormalizationError."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, Mapping) or not isinstance(data.get("endpoints"), list):
        raise NormalizationError("bad-endpoints", "no data.endpoints list in the response")
    model_id = data.get("id")
    if not isinstance(model_id, str) or "/" not in model_id:
        raise NormalizationError("bad-endpoints", f"model id {model_id!r}")
    offers: dict[str, Offer] = {}
    for number, raw in enumerate(data["endpoints"], 1):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("provider_name"), str):
            raise NormalizationError("bad-endpoint", f"endpoint {number} has no provider_name")
        provider = raw["provider_name"]
        quantization = raw.get("quantization") if isinstance(raw.get("quantization"), str) else None
        key = raw.get("tag") if isinstance(raw.get("tag"), str) and raw.get("tag") else None
        key = key or f"{provider}/{quantization or 'unknown'}"
        while key in offers:  # two endpoints of one provider without telling tags apart
            key += "+"
        pricing = raw.get("pricing") if isinstance(raw.get("pricing"), Mapping) else {}
        prices = []
        for component in sorted(pricing):
            if component == "discount":
                continue
            value = price_value(component, pricing[component])
            prices.append((component, str(value.status), value.amount))
        offers[key] = Offer(
            key=key,
            provider=provider,
            quantization=quantization,
            context_length=_int(raw.get("context_length"), "context_length"),
            max_completion_tokens=_int(raw.get("max_completion_tokens"), "max_completion_tokens"),
            max_prompt_tokens=_int(raw.get("max_prompt_tokens"), "max_prompt_tokens"),
            prices=tuple(prices),
            discount=_decimal(pricing.get("discount"), "discount"),
            status=_int(raw.get("status"), "status"),
            uptime_last_30m=_decimal(raw.get("uptime_last_30m"), "uptime_last_30m"),
        )
    return model_id, tuple(offers.values())


def cheapest(offers: Iterable[Offer]) -> Offer | None:
    """The offer with the lowest prompt + completion price per 1M tokens among the priced and up ones."""
    best: tuple[Decimal, str, Offer] | None = None
    for offer in offers:
        prompt, completion = offer.price("prompt"), offer.price("completion")
        if prompt is None or completion is None or (offer.status is not None and offer.status < 0):
            continue
        candidate = (prompt + completion, offer.key, offer)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    return best[2] if best else None


def diff_offers(
    subject: str, previous: Sequence[Offer] | None, current: Sequence[Offer], *, at: dt.datetime, model_key: str | None
) -> list[Event]:
    """Events between two fetches of one model's offers (``previous`` None: the first fetch, no events)."""
    if previous is None:
        return []
    before = {o.key: o for o in previous}
    now = {o.key: o for o in current}
    events: list[Event] = []
    for key in sorted(now.keys() - before.keys()):
        offer = now[key]
        events.append(
            OfferAdded(
                subject=subject,
                source="openrouter",
                detected_at=at,
                model_key=model_key,
                offer=key,
                provider=offer.provider,
                quantization=offer.quantization,
                prompt=offer.price("prompt"),
                completion=offer.price("completion"),
            )
        )
    for key in sorted(before.keys() - now.keys()):
        offer = before[key]
        events.append(
            OfferRemoved(
                subject=subject,
                source="openrouter",
                detected_at=at,
                model_key=model_key,
                offer=key,
                provider=offer.provider,
                quantization=offer.quantization,
            )
        )
    old, new = cheapest(previous), cheapest(current)
    old_price = (old.price("prompt"), old.price("completion")) if old else (None, None)
    new_price = (new.price("prompt"), new.price("completion")) if new else (None, None)
    if (old.key if old else None, old_price) != (new.key if new else None, new_price):
        events.append(
            CheapestOfferChanged(
                subject=subject,
                source="openrouter",
                detected_at=at,
                model_key=model_key,
                old_offer=old.key if old else None,
                new_offer=new.key if new else None,
                old_provider=old.provider if old else None,
                new_provider=new.provider if new else None,
                old_prompt=old_price[0],
                old_completion=old_price[1],
                new_prompt=new_price[0],
                new_completion=new_price[1],
            )
        )
    return events


@dataclass(frozen=True)
class ListingState:
    """What the store knows about one listed model, for choosing what to fetch."""

    listing_id: str
    path: str
    listing_hash: str
    fetched_hash: str | None = None
    fetched_at: dt.datetime | None = None
    providers: int | None = None


def offer_targets(
    listings: Iterable[ListingState], *, mode: str, now: dt.datetime, refresh: dt.timedelta, limit: int
) -> list[ListingState]:
    """The models to read, most needed first, at most ``limit``.

    Never read → first; its listing changed since the last read → next; then (mode ``all``,
    or a model known to have more than one provider) those read longer than ``refresh`` ago,
    oldest first. An unchanged listing read recently costs no request.
    """
    if mode == "off" or limit <= 0:
        return []
    ranked: list[tuple[int, dt.datetime, str, ListingState]] = []
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    for state in listings:
        if state.fetched_at is None:
            rank = 0
        elif state.fetched_hash != state.listing_hash:
            rank = 1
        elif now - state.fetched_at >= refresh and (mode == "all" or (state.providers or 0) > 1):
            rank = 2
        else:
            continue
        ranked.append((rank, state.fetched_at or epoch, state.listing_id, state))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked[:limit]]
