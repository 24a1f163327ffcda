"""Display text for the digest: money, percents, sizes, labels, and untrusted text.

Everything here returns plain text; HTML escaping is the templates' job
(autoescape). Text from sources goes through :func:`one_line` so that it can
neither break a header nor fake lines in the plain-text part, and links from
sources through :func:`safe_url` so that only ``http(s)`` URLs become links.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal
from urllib.parse import urlsplit

from tracker.normalize.numbers import format_decimal

COMPONENT_LABELS: dict[str, str] = {
    "prompt": "input",
    "completion": "output",
    "input_cache_read": "cache read",
    "input_cache_write": "cache write",
    "internal_reasoning": "reasoning",
    "request": "request fee",
    "image": "image input",
    "web_search": "web search",
    "audio": "audio input",
}

UNIT_LABELS: dict[str, str] = {
    "usd_per_mtok": "per 1M tokens",
    "usd_per_request": "per request",
    "usd_per_image": "per image",
    "usd_per_search": "per search",
    "usd_per_unit": "per unit",
}

OPENNESS_LABELS: dict[str, str] = {
    "open": "open weights",
    "gated": "gated weights",
    "no-weights": "no weights",
    "api-only": "API only",
    "vendor-open": "open (vendor says; no repo found)",
    "unknown": "openness unknown",
}

STATUS_LABELS: dict[str, str] = {
    "free": "free",
    "dynamic": "dynamic (router)",
    "unknown": "unknown",
    "absent": "none",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")


def one_line(text: str | None, limit: int = 200) -> str:
    """Untrusted text as one harmless line: controls and line breaks become spaces, length capped."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL without whitespace or controls, else None."""
    if not url:
        return None
    url = str(url).strip()
    if _CONTROL.search(url) or any(c.isspace() for c in url) or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def money(amount: Decimal | str | None) -> str:
    """``$0.78``, ``$1.20``, ``$0.075``, ``$15``→``$15.00``: at least two decimals, no float."""
    if amount is None:
        return "—"
    value = Decimal(str(amount))
    text = format_decimal(value)
    whole, _, frac = text.partition(".")
    if len(frac) < 2:
        frac = frac.ljust(2, "0")
    return f"${whole}.{frac}"


def price_text(status: str, amount: Decimal | str | None) -> str:
    """A price side: ``$0.78`` when priced, else the status in words."""
    if status == "priced" and amount is not None:
        return money(amount)
    return STATUS_LABELS.get(status, status)


def percent(value: Decimal | str | None) -> str | None:
    """``-35.00`` → ``-35%``; ``2.5`` → ``+2.5%``; None stays None."""
    if value is None:
        return None
    number = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    text = format_decimal(number) if number != 0 else "0"
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return f"{sign}{text.lstrip('-')}%"


def component_label(component: str) -> str:
    return COMPONENT_LABELS.get(component, component.replace("_", " "))


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit.removeprefix("usd_").replace("_", " "))


def tier_label(tier: str, min_prompt_tokens: int | None) -> str:
    """``""`` → ``""``; ``prompt>=32000`` → ``prompts over 32K tokens``."""
    if not tier:
        return ""
    if min_prompt_tokens is not None:
        return f"prompts of {tokens_short(min_prompt_tokens)}+ tokens"
    return one_line(tier, 80)


def tokens_short(count: int) -> str:
    """``32000`` → ``32K``, ``262144`` → ``262K``, ``1000000`` → ``1M``."""
    if count >= 1_000_000 and count % 100_000 == 0:
        return f"{format_decimal(Decimal(count) / 1_000_000)}M"
    if count >= 1000:
        return f"{round(count / 1000):,}K"
    return str(count)


def context_text(tokens: int | None) -> str | None:
    return f"{tokens:,} tokens" if tokens else None


def params_short(count: int | None) -> str | None:
    """``235000000000`` → ``235B``; ``1000000000000`` → ``1T``; ``7615616512`` → ``7.6B``."""
    if not count:
        return None
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M")):
        if count >= size:
            value = (Decimal(count) / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
            return f"{format_decimal(value)}{suffix}"
    return f"{count:,}"


def params_text(total: int | None, active: int | None, source: str | None) -> str | None:
    """``235B params (22B active)``; ``from the name`` when parsed from the model name."""
    total_text = params_short(total)
    if total_text is None:
        return None
    text = f"{total_text} params"
    active_text = params_short(active)
    if active_text and active != total:
        text += f" ({active_text} active)"
    if source == "name":
        text += ", from the name"
    return text


def openness_label(status: str | None) -> str:
    return OPENNESS_LABELS.get(status or "unknown", one_line(status, 40) or "openness unknown")
