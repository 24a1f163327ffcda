"""One-line, human wording of stored change events, for pages and the feed.

Pure: takes an event's kind and its stored ``data`` (see
:mod:`tracker.events.types`) and returns plain text; templates escape it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from tracker.site.format import component_label, percent, tier_label, tokens, usd

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

_UNITS = {"usd_per_mtok": "per 1M tokens", "usd_per_request": "per request", "usd_per_image": "per image"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def attribute_label(attribute: str) -> str:
    return ATTRIBUTE_LABELS.get(attribute) or attribute.replace("_", " ").capitalize()


def _money(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _side(amount: Any, status: Any) -> str:
    value = _money(amount)
    if value is not None and status in (None, "priced"):
        return usd(value)
    if status == "absent":
        return "none"
    return str(status or "none")


def describe_price(data: dict[str, Any]) -> str:
    component = component_label(str(data.get("component", "")))
    tier = data.get("tier") or ""
    where = f" ({tier_label(tier, data.get('min_prompt_tokens')).lower()})" if tier else ""
    old = _side(data.get("old"), data.get("old_status"))
    new = _side(data.get("new"), data.get("new_status"))
    unit = data.get("unit") or "usd_per_mtok"
    unit_text = _UNITS.get(unit) or "per " + str(unit).removeprefix("usd_per_")
    pct = percent(data.get("percent"))
    if data.get("old_status") == "absent":
        return f"{component} price{where} added: {new} {unit_text}"
    if data.get("new_status") == "absent":
        return f"{component} price{where} removed (was {old} {unit_text})"
    return f"{component}{where}: {old} → {new} {unit_text}" + (f" ({pct})" if pct else "")


def describe(kind: str, data: dict[str, Any]) -> str:
    """What happened, without the model or the time (pages show those beside it)."""
    if kind == "price_changed":
        return describe_price(data)
    if kind == "model_added":
        base = "Relisted on OpenRouter" if data.get("relisted") else "Listed on OpenRouter"
        prices = data.get("prices") or {}
        parts = [f"{component_label(c).lower()} {_side(v, None)}" for c, v in sorted(prices.items()) if v is not None]
        ctx = f"{tokens(data['context_length'])} tokens context" if data.get("context_length") else ""
        details = ", ".join([*parts, ctx] if ctx else parts)
        return base + (f" ({details})" if details else "")
    if kind == "model_delisted":
        return "No longer listed on OpenRouter"
    if kind == "context_length_changed":
        return f"Context length {tokens(data.get('old'))} → {tokens(data.get('new'))} tokens"
    if kind == "alias_changed":
        return f"Now points to {data.get('new') or 'nothing'} (was {data.get('old') or 'nothing'})"
    if kind == "model_released":
        facts = [str(v) for v in (data.get("license_key"), data.get("open_weight_status")) if v]
        return "New release" + (f" ({', '.join(facts)})" if facts else "")
    if kind == "license_changed":
        return f"Licence {data.get('old') or 'none'} → {data.get('new') or 'none'}"
    if kind == "open_weight_status_changed":
        return f"Open-weight status {data.get('old') or 'unknown'} → {data.get('new') or 'unknown'}"
    if kind == "gating_changed":
        return f"Gating {data.get('old') or 'none'} → {data.get('new') or 'none'}"
    if kind == "benchmark_claim_added":
        unit = f" {data['unit']}" if data.get("unit") else ""
        who = " (self-reported)" if data.get("self_reported", True) else ""
        settings = f" [{data['settings']}]" if data.get("settings") else ""
        return f"{data.get('benchmark')}{settings}: {data.get('value')}{unit}{who}"
    if kind == "claim_disputed":
        label = attribute_label(str(data.get("attribute", "")))
        shown = f"{data.get('shown')} ({data.get('shown_source')})" if data.get("shown_source") else data.get("shown")
        contrary = (
            f"{data.get('contrary')} ({data.get('contrary_source')})"
            if data.get("contrary_source")
            else data.get("contrary")
        )
        return f"{label} disputed: {shown} vs {contrary}"
    if kind == "dispute_resolved":
        value = f": {data['value']}" if data.get("value") else ""
        return f"{attribute_label(str(data.get('attribute', '')))} dispute resolved{value}"
    if kind in ("offer_added", "offer_removed"):
        verb = "now offers it" if kind == "offer_added" else "no longer offers it"
        quant = f" ({data['quantization']})" if data.get("quantization") else ""
        return f"{data.get('provider') or data.get('offer')}{quant} {verb}"
    if kind == "cheapest_offer_changed":
        old, new = data.get("old_provider") or "none", data.get("new_provider") or "none"
        price = _side(data.get("new_prompt"), "priced") if data.get("new_prompt") is not None else "—"
        return f"Cheapest provider: {old} → {new} (input {price} per 1M tokens)"
    if kind == "retirement_announced":
        moved = f" (was {data['previous']})" if data.get("previous") else ""
        return f"Retiring on {data.get('retires_on')}{moved}"
    return kind_label(kind)
