"""The project's words and one rule: labels, units, money, and the price shown for a model.

The site, the newsletter and the CLI say the same things the same way by taking
them from here: what a price component, a unit, an event kind or a claim
attribute is called; how an amount of US dollars is written; and which stored
price is *the* price of a model. Pure: plain values in, plain text or rows out
(no database, no templates); money stays :class:`~decimal.Decimal`.

**The price shown for a model** (:func:`shown_prices`) is the base-tier price
(no prompt-length tier) of the model's *shown offer* (:func:`shown_offer`: its
own OpenRouter listing, else the listing named like its key, else its first
listing that is not a ``:variant``, else its first variant), as OpenRouter itself charges it (no
provider-specific offer), in force at a time: now (the open price row), or, for
a past moment, the newest price first seen before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol, TypeVar

from tracker.normalize.numbers import format_decimal

# --------------------------------------------------------------------------- labels

#: Price components: (heading, words in a sentence).
COMPONENTS: dict[str, tuple[str, str]] = {
    "prompt": ("Input", "input"),
    "completion": ("Output", "output"),
    "input_cache_read": ("Cache read", "cache read"),
    "input_cache_write": ("Cache write", "cache write"),
    "internal_reasoning": ("Reasoning", "reasoning"),
    "request": ("Per request", "request fee"),
    "image": ("Image", "image input"),
    "web_search": ("Web search", "web search"),
    "audio": ("Audio", "audio input"),
}
#: Order of components in tables and lists (others follow alphabetically).
COMPONENT_ORDER = tuple(COMPONENTS)

#: What an amount is per. Keys are the ``prices.unit`` values and the event/claim units (``usd_per_…``).
UNITS: dict[str, str] = {
    "mtok": "per 1M tokens",
    "request": "per request",
    "image": "per image",
    "search": "per search",
    "unit": "per unit",
}

#: Event kinds as headings.
KIND_LABELS: dict[str, str] = {
    "model_added": "Listed",
    "model_delisted": "Delisted",
    "price_changed": "Price change",
    "context_length_changed": "Context length",
    "alias_changed": "Alias moved",
    "model_released": "Released",
    "license_changed": "Licence change",
    "open_weight_status_changed": "Open-weight status",
    "gating_changed": "Gating",
    "benchmark_claim_added": "Benchmark claim",
    "claim_disputed": "Disputed claim",
    "dispute_resolved": "Dispute resolved",
    "offer_added": "Provider added",
    "offer_removed": "Provider removed",
    "cheapest_offer_changed": "Cheapest provider",
    "retirement_announced": "Retirement announced",
}

#: Claim attributes as headings.
ATTRIBUTE_LABELS: dict[str, str] = {
    "openness": "Open weights",
    "license": "Licence",
    "params_total": "Parameters (total)",
    "params_active": "Parameters (active)",
    "context_length": "Context length",
    "price": "Price",
    "release_date": "Release date",
    "benchmark": "Benchmark",
}

#: Open-weight statuses in a sentence.
OPENNESS_WORDS: dict[str, str] = {
    "open": "open weights",
    "gated": "gated weights",
    "no-weights": "no weights",
    "api-only": "API only",
    "vendor-open": "open (vendor says; no repo found)",
    "unknown": "openness unknown",
}

#: Price statuses other than ``priced``, in a sentence (``absent``: no such price).
PRICE_STATUS_WORDS: dict[str, str] = {
    "free": "free",
    "dynamic": "dynamic (router)",
    "unknown": "unknown",
    "absent": "none",
}

#: Who reported a claim, in words.
REPORTER_LABELS: dict[str, str] = {
    "primary": "primary API",
    "vendor": "vendor",
    "aggregator": "aggregator",
    "press": "press",
}


def component_label(component: str) -> str:
    """``prompt`` → ``Input`` (a heading)."""
    known = COMPONENTS.get(component)
    return known[0] if known else component.replace("_", " ").capitalize()


def component_words(component: str) -> str:
    """``prompt`` → ``input``, ``request`` → ``request fee`` (in a sentence)."""
    known = COMPONENTS.get(component)
    return known[1] if known else component.replace("_", " ")


def component_rank(component: str) -> tuple[int, str]:
    try:
        return (COMPONENT_ORDER.index(component), component)
    except ValueError:
        return (len(COMPONENT_ORDER), component)


def unit_label(unit: str | None) -> str:
    """``mtok`` or ``usd_per_mtok`` → ``per 1M tokens``; ``usd_per_video_second`` → ``per video second``."""
    name = (unit or "mtok").removeprefix("usd_per_").removeprefix("usd_")
    return UNITS.get(name) or "per " + name.removeprefix("per_").replace("_", " ")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def attribute_label(attribute: str) -> str:
    return ATTRIBUTE_LABELS.get(attribute) or attribute.replace("_", " ").capitalize()


def reporter_label(reporter: str) -> str:
    return REPORTER_LABELS.get(reporter, reporter)


# --------------------------------------------------------------------------- money


def usd(amount: Decimal | str | None) -> str:
    """``$1.20``, ``$0.78``, ``$0.156``, ``$2.4375``, ``$15.00``: at least cents, never a float or an exponent."""
    if amount is None:
        return "—"
    text = format_decimal(amount if isinstance(amount, Decimal) else Decimal(str(amount)))
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def percent(value: Decimal | str | None) -> str:
    """``-35`` → ``−35%``; ``12.5`` → ``+12.5%``."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    sign = "−" if number < 0 else "+"
    return f"{sign}{format_decimal(abs(number))}%"


# --------------------------------------------------------------------------- the price shown for a model

#: The source whose prices are the shown ones (a primary API).
PRICE_SOURCE = "openrouter"


class PriceLike(Protocol):
    """What :func:`shown_prices` reads of a stored price (``prices`` rows, the site's rows...).

    ``source`` and ``provider`` are read when present (absent: the OpenRouter price itself).
    """

    @property
    def subject(self) -> str: ...
    @property
    def component(self) -> str: ...
    @property
    def tier(self) -> str: ...
    @property
    def first_seen_at(self) -> dt.datetime: ...
    @property
    def last_seen_at(self) -> dt.datetime | None: ...


P = TypeVar("P", bound=PriceLike)


def is_variant(offer: str) -> bool:
    """``qwen/qwen3-max:free`` is a variant offer of ``qwen/qwen3-max``."""
    return ":" in offer


def shown_offer(offers: Iterable[str], *, openrouter_id: str | None, key: str | None = None) -> str | None:
    """Which of a model's offers its shown values and price come from.

    Its own OpenRouter listing (``models.openrouter_id``), else the offer named like its key,
    else the first offer that is not a ``:variant`` (code-point order), else (a model offered only
    as variants, ``x:free``) its first variant.
    """
    ids = set(offers)
    for preferred in (openrouter_id, key):
        if preferred and preferred in ids:
            return preferred
    return min(ids, key=lambda i: (is_variant(i), i), default=None)


def prices_in_force(
    prices: Iterable[P], subject: str | None, *, at: dt.datetime | None = None, all_tiers: bool = False
) -> dict[tuple[str, str], P]:
    """``(component, tier)`` → the price of offer ``subject`` in force ``at`` (now when None).

    Now: the open row (``last_seen_at`` is None). At a past moment: the newest row first seen
    before it. Only OpenRouter's own price counts (:data:`PRICE_SOURCE`, no ``provider``); only
    the base tier unless ``all_tiers``.
    """
    if subject is None:
        return {}
    out: dict[tuple[str, str], P] = {}
    for p in prices:
        if p.subject != subject or (p.tier and not all_tiers):
            continue
        if getattr(p, "source", PRICE_SOURCE) != PRICE_SOURCE or getattr(p, "provider", None) is not None:
            continue
        if at is None:
            if p.last_seen_at is not None:
                continue
        elif p.first_seen_at >= at:
            continue
        slot = (p.component, p.tier)
        known = out.get(slot)
        if known is None or (p.first_seen_at, p.last_seen_at is None) >= (
            known.first_seen_at,
            known.last_seen_at is None,
        ):
            out[slot] = p
    return out


def shown_prices(
    prices: Iterable[P],
    *,
    offers: Iterable[str],
    openrouter_id: str | None,
    key: str | None = None,
    at: dt.datetime | None = None,
) -> dict[str, P]:
    """component → the base-tier price shown for a model (see the module docstring).

    ``offers`` are the model's offer ids to choose from (its listings, or the subjects of its
    prices); ``prices`` may hold other offers' rows too.
    """
    subject = shown_offer(offers, openrouter_id=openrouter_id, key=key)
    return {component: p for (component, _tier), p in prices_in_force(prices, subject, at=at).items()}
