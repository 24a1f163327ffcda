"""One-line, human wording of stored change events, for pages and the feed.

Pure: takes a typed event (:mod:`tracker.events.types`, read back with
:func:`tracker.events.types.decode`) and returns plain text; templates escape it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from tracker.events.types import (
    AliasChanged,
    BenchmarkClaimAdded,
    CheapestOfferChanged,
    ClaimDisputed,
    ContextLengthChanged,
    DisputeResolved,
    Event,
    GatingChanged,
    LicenseChanged,
    ModelAdded,
    ModelDelisted,
    ModelReleased,
    OfferAdded,
    OfferRemoved,
    OpenWeightStatusChanged,
    PriceChanged,
    RetirementAnnounced,
)
from tracker.site.format import percent, tier_label, tokens
from tracker.vocabulary import attribute_label, component_label, kind_label, unit_label, usd

__all__ = ["attribute_label", "describe", "describe_price", "kind_label"]


def _side(amount: Decimal | str | None, status: str | None) -> str:
    value = _money(amount)
    if value is not None and status in (None, "priced"):
        return usd(value)
    if status == "absent":
        return "none"
    return str(status or "none")


def _money(value: Decimal | str | None) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def describe_price(event: PriceChanged) -> str:
    component = component_label(event.component)
    where = f" ({tier_label(event.tier, event.min_prompt_tokens).lower()})" if event.tier else ""
    old = _side(event.old, event.old_status)
    new = _side(event.new, event.new_status)
    unit_text = unit_label(event.unit)
    pct = percent(event.percent)
    if event.old_status == "absent":
        return f"{component} price{where} added: {new} {unit_text}"
    if event.new_status == "absent":
        return f"{component} price{where} removed (was {old} {unit_text})"
    return f"{component}{where}: {old} → {new} {unit_text}" + (f" ({pct})" if pct else "")


def describe(event: Event) -> str:
    """What happened, without the model or the time (pages show those beside it)."""
    match event:
        case PriceChanged():
            return describe_price(event)
        case ModelAdded():
            base = "Relisted on OpenRouter" if event.relisted else "Listed on OpenRouter"
            parts = [
                f"{component_label(c).lower()} {_side(v, None)}"
                for c, v in sorted(event.prices.items())
                if v is not None
            ]
            ctx = f"{tokens(event.context_length)} tokens context" if event.context_length else ""
            details = ", ".join([*parts, ctx] if ctx else parts)
            return base + (f" ({details})" if details else "")
        case ModelDelisted():
            return "No longer listed on OpenRouter"
        case ContextLengthChanged():
            return f"Context length {tokens(event.old)} → {tokens(event.new)} tokens"
        case AliasChanged():
            return f"Now points to {event.new or 'nothing'} (was {event.old or 'nothing'})"
        case ModelReleased():
            facts = [v for v in (event.license_key, event.open_weight_status) if v]
            return "New release" + (f" ({', '.join(facts)})" if facts else "")
        case LicenseChanged():
            return f"Licence {event.old or 'none'} → {event.new or 'none'}"
        case OpenWeightStatusChanged():
            return f"Open-weight status {event.old or 'unknown'} → {event.new or 'unknown'}"
        case GatingChanged():
            return f"Gating {event.old or 'none'} → {event.new or 'none'}"
        case BenchmarkClaimAdded():
            unit = f" {event.unit}" if event.unit else ""
            who = " (self-reported)" if event.self_reported else ""
            settings = f" [{event.settings}]" if event.settings else ""
            return f"{event.benchmark}{settings}: {event.value}{unit}{who}"
        case ClaimDisputed():
            label = attribute_label(event.attribute)
            shown = f"{event.shown} ({event.shown_source})" if event.shown_source else event.shown
            contrary = f"{event.contrary} ({event.contrary_source})" if event.contrary_source else event.contrary
            return f"{label} disputed: {shown} vs {contrary}"
        case DisputeResolved():
            value = f": {event.value}" if event.value else ""
            return f"{attribute_label(event.attribute)} dispute resolved{value}"
        case OfferAdded() | OfferRemoved():
            verb = "now offers it" if isinstance(event, OfferAdded) else "no longer offers it"
            quant = f" ({event.quantization})" if event.quantization else ""
            return f"{event.provider or event.offer}{quant} {verb}"
        case CheapestOfferChanged():
            old, new = event.old_provider or "none", event.new_provider or "none"
            price = _side(event.new_prompt, "priced") if event.new_prompt is not None else "—"
            return f"Cheapest provider: {old} → {new} (input {price} per 1M tokens)"
        case RetirementAnnounced():
            moved = f" (was {event.previous})" if event.previous else ""
            return f"Retiring on {event.retires_on}{moved}"
    return kind_label(event.kind)
