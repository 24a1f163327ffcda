"""Prices in sentences: per million tokens, components, prompt-length tiers, currency."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tracker.extract.quantities import (
    usd_per_mtok,
)
from tracker.extract.sentences.context import _Context, _emit, _Here, _subject

_PRICE = re.compile(
    r"(?P<cur>(?:US)?\$|¥|￥|€|£|(?:RMB|CNY|EUR|GBP|JPY)\s?)\s?(?P<amount>\d+(?:\.\d+)?)\s*"
    r"(?P<curafter>USD|RMB|CNY|yuan|EUR|euros?)?\s*(?:per|/|for|a|each)\s*(?:every\s+)?"
    r"(?P<per>1M|1 ?million|one million|million|M(?![a-z])|1,000,000|MTok|1K|1,000|thousand|K(?![a-z]))"
    r"(?:\s+(?P<what>input|output|prompt|completion|cached input|cached|cache[- ]hit|cache[- ]miss))?"
    r"(?:\s+tokens?)?(?:\s*\((?P<note>[^)]{1,30})\))?",
    re.IGNORECASE,
)
_COMPONENT_WORDS = (
    ("input_cache_read", r"cache[- ]hit|cached input|cache read"),
    ("prompt", r"cache[- ]miss|input|prompt"),
    ("completion", r"output|completion"),
)
_TIER = re.compile(
    r"(?P<low>\d+(?:\.\d+)?)\s?(?P<lu>[KkMm])?\s*(?:[-–]|to)\s*(?P<high>\d+(?:\.\d+)?)\s?(?P<hu>[KkMm])\b"
    r"|(?:above|over|beyond|more than|>)\s*(?P<above>\d+(?:\.\d+)?)\s?(?P<au>[KkMm])\b",
)


_CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "¥": "CNY", "￥": "CNY", "rmb": "CNY", "cny": "CNY"}
_CURRENCIES |= {"yuan": "CNY", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP"}
_CURRENCIES |= {"jpy": "JPY"}


def currency_of(symbol: str, after: str | None, text: str) -> str:
    """ISO code of a price's currency: ``$`` USD, ``¥``/``RMB``/``yuan`` CNY (JPY only when the text says yen)."""
    written = (after or symbol).strip().lower()
    code = _CURRENCIES.get(written) or _CURRENCIES.get(symbol.strip().lower(), "USD")
    if code == "CNY" and symbol.strip() in ("¥", "￥") and re.search(r"\b(?:yen|JPY)\b", text):
        return "JPY"
    return code


def _component(text: str) -> str | None:
    for component, words in _COMPONENT_WORDS:
        if re.search(rf"\b(?:{words})\b", text, re.IGNORECASE):
            return component
    return None


def _tier_min(text: str) -> tuple[int | None, bool]:
    """``(min prompt tokens, found)`` from ``0-32K``, ``128K-252K``, ``above 128K``."""
    match = _TIER.search(text)
    if not match:
        return None, False
    if match.group("above"):
        unit = match.group("au").lower()
        return int(Decimal(match.group("above")) * (1000 if unit == "k" else 10**6)), True
    unit = (match.group("lu") or match.group("hu")).lower()
    return int(Decimal(match.group("low")) * (1000 if unit == "k" else 10**6)), True


def price_qualifier(component: str, min_prompt_tokens: int | None) -> str:
    """``prompt`` or ``prompt@prompt>=128000`` (the qualifier of price claims)."""
    if not min_prompt_tokens:
        return component
    return f"{component}@prompt>={min_prompt_tokens}"


def _prices(ctx: _Context, here: _Here) -> None:
    text = here.text
    previous_component: str | None = None
    matches = list(_PRICE.finditer(text))
    for index, match in enumerate(matches):
        amount = usd_per_mtok(match.group("amount"), match.group("per"))
        if amount is None:
            continue
        component = _component(" ".join(filter(None, (match.group("what"), match.group("note")))))
        if component is None:
            window = text[match.end() : match.end() + 30]
            component = _component(re.split(r"[,;.]", window, maxsplit=1)[0])
        if component is None:
            lead = text[max(0, match.start() - 40) : match.start()]
            component = _component(re.split(r"[,;]", lead)[-1]) or previous_component
        if component is None:
            component = _component(text[: max(0, match.start())])
        if component is None and len(matches) == 1 and re.match(r"\s*tokens?\b", text[match.end("per") : match.end()]):
            component = "prompt"  # "The price remains ¥0.3 / 1M tokens": one price for the tokens read
        if component is None:
            continue
        previous_component = component
        following = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        tail = text[match.end() : following]
        tier, has_tier = _tier_min(re.split(r"[;]|,\s*(?:rising|falling|and|while|but)", tail)[0])
        if not has_tier and re.search(r"\bhighest (?:range|tier|bracket)\b", tail, re.IGNORECASE):
            tier, has_tier = ctx.highest_tier, ctx.highest_tier is not None
            if not has_tier:
                continue
        if tier:
            ctx.highest_tier = max(tier, ctx.highest_tier or 0)
        sub = _subject(ctx, here, match.start(), match.end())
        if sub is None:
            continue
        currency = currency_of(match.group("cur"), match.group("curafter"), text)
        extra: dict[str, Any] = {"as_written": match.group(0).strip(), "currency": currency}
        if tier is not None:
            extra["min_prompt_tokens"] = tier
        if re.search(
            r"\b(?:as low as|starting at|start at|from)\s*$", text[max(0, match.start() - 20) : match.start()]
        ):
            extra["bound"] = "from"
        _emit(
            ctx,
            here,
            sub,
            "price",
            _decimal_text(amount),
            qualifier=price_qualifier(component, tier),
            value_num=amount,
            unit=f"{currency.lower()}_per_mtok",
            extra=extra,
        )


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
