"""PURE: what one request costs at one offer, with prompt-length tiers applied the way OpenRouter documents them.

An offer's prices are a base tier and optional prompt-length tiers (OpenRouter ``pricing.overrides`` with
``min_prompt_tokens``). The rule, as OpenRouter states it for ``min_prompt_tokens``: **the whole request** is
billed at the tier selected by the prompt length — the tier with the largest ``min_prompt_tokens`` that the
prompt reaches (``prompt_tokens >= min_prompt_tokens``); a shorter prompt pays the base price. It is *not*
"only the tokens above the threshold" (some catalogs model it that way; tracker does not).

A component the selected tier does not list keeps its base price. Cached prompt tokens (``--cached K``) are
part of the prompt: ``K`` tokens at ``input_cache_read`` and ``N − K`` at ``prompt`` (when the offer has no cache
price, all ``N`` are billed at ``prompt`` and the result says so). A per-request fee (``request``) is added once.

Money is Decimal USD throughout; prices are USD per 1M tokens.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from tracker.errors import TrackerError

MILLION = Decimal(1_000_000)
#: Shown totals are rounded to this (the exact figure is kept too).
CENT_FRACTION = Decimal("0.000001")


class CostError(TrackerError):
    """A request that cannot be priced (bad token counts, no price for a component)."""


@dataclass(frozen=True, slots=True)
class TierPrice:
    """One price of one offer (a row of ``prices``, or a component of a normalized listing)."""

    component: str
    #: ``""`` for the base tier, ``prompt>=128000`` for a prompt-length tier.
    tier: str
    min_prompt_tokens: int | None
    #: USD per 1M tokens (token components) or per unit (``request``); None when not priced (dynamic / unknown).
    amount: Decimal | None
    unit: str = "mtok"


@dataclass(frozen=True, slots=True)
class Request:
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0

    def check(self) -> None:
        for name, count in (
            ("prompt", self.prompt_tokens),
            ("completion", self.completion_tokens),
            ("cached", self.cached_tokens),
        ):
            if count < 0:
                raise CostError(f"--{name} must be zero or more tokens, got {count}")
        if self.cached_tokens > self.prompt_tokens:
            raise CostError(
                f"--cached {self.cached_tokens} is more than the prompt ({self.prompt_tokens} tokens): "
                "cached tokens are part of the prompt"
            )


@dataclass(frozen=True, slots=True)
class Line:
    """One term of the sum: ``tokens × usd_per_mtok / 1M = usd``."""

    component: str
    tokens: int
    usd_per_mtok: Decimal
    usd: Decimal
    #: The tier the price came from (``""`` = base), so the arithmetic says which price was used.
    tier: str

    def arithmetic(self) -> str:
        if self.component == "request":
            return f"request fee: ${money_text(self.usd_per_mtok)} = ${money_text(self.usd)}"
        price = money_text(self.usd_per_mtok)
        return f"{self.component}: {self.tokens:,} tokens × ${price}/M = ${money_text(self.usd)}"


@dataclass(frozen=True, slots=True)
class Cost:
    offer: str
    request: Request
    #: The tier applied to the whole request (``""`` = base).
    tier: str
    tier_min_prompt_tokens: int | None
    lines: tuple[Line, ...]
    total_usd: Decimal
    notes: tuple[str, ...] = field(default=())

    @property
    def tier_label(self) -> str:
        if not self.tier:
            return "base price"
        return f"tier prompt ≥ {self.tier_min_prompt_tokens:,} tokens (whole request)"

    def arithmetic(self) -> list[str]:
        rows = [line.arithmetic() for line in self.lines]
        terms = " + ".join(f"${money_text(line.usd)}" for line in self.lines)
        rows.append(f"total: {terms} = ${money_text(self.total_usd)}")
        return rows

    def to_dict(self) -> dict[str, object]:
        return {
            "offer": self.offer,
            "prompt_tokens": self.request.prompt_tokens,
            "completion_tokens": self.request.completion_tokens,
            "cached_tokens": self.request.cached_tokens,
            "tier": self.tier,
            "tier_min_prompt_tokens": self.tier_min_prompt_tokens,
            "lines": [
                {
                    "component": line.component,
                    "tokens": line.tokens,
                    "usd_per_mtok": str(line.usd_per_mtok),
                    "usd": str(line.usd),
                    "tier": line.tier,
                }
                for line in self.lines
            ],
            "total_usd": str(self.total_usd),
            "notes": list(self.notes),
            "arithmetic": self.arithmetic(),
        }


@functools.lru_cache(maxsize=65536)
def money_text(value: Decimal) -> str:
    """Dollars with as many decimals as needed (at least 2, at most 6): $0.2925, $1.20, $0.000039."""
    rounded = value.quantize(CENT_FRACTION, rounding=ROUND_HALF_EVEN).normalize()
    text = format(rounded, "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def select_tier(prices: Iterable[TierPrice], prompt_tokens: int) -> tuple[str, int | None]:
    """The tier the whole request is billed at: largest ``min_prompt_tokens`` ≤ the prompt, else the base."""
    best: tuple[str, int | None] = ("", None)
    for price in prices:
        reached = price.tier and price.min_prompt_tokens is not None and price.min_prompt_tokens <= prompt_tokens
        if reached and (best[1] is None or (price.min_prompt_tokens or 0) > best[1]):
            best = (price.tier, price.min_prompt_tokens)
    return best


def request_cost(offer: str, prices: Sequence[TierPrice], request: Request) -> Cost:
    """The cost of ``request`` at ``offer`` (see the module rules)."""
    request.check()
    tier, tier_min = select_tier(prices, request.prompt_tokens)
    by_key = {(p.component, p.tier): p for p in prices}
    notes: list[str] = []

    def price_of(component: str) -> TierPrice | None:
        chosen = by_key.get((component, tier)) if tier else None
        return chosen if chosen is not None else by_key.get((component, ""))

    def amount_of(component: str) -> TierPrice:
        price = price_of(component)
        if price is None or price.amount is None:
            raise CostError(f"{offer}: no {component} price (dynamic or unknown), the request cannot be priced")
        return price

    lines: list[Line] = []
    cached = request.cached_tokens
    cache_price = price_of("input_cache_read")
    if cached and (cache_price is None or cache_price.amount is None):
        notes.append(
            f"{offer} lists no cached-input price: all {request.prompt_tokens:,} prompt tokens at the prompt price"
        )
        cached = 0
    terms = [
        ("prompt", request.prompt_tokens - cached),
        ("input_cache_read", cached),
        ("completion", request.completion_tokens),
    ]
    for component, tokens in terms:
        if component == "input_cache_read" and not tokens:
            continue
        price = amount_of(component)
        assert price.amount is not None
        usd = price.amount * tokens / MILLION
        lines.append(Line(component, tokens, price.amount, usd, price.tier))
    fee = price_of("request")
    if fee is not None and fee.amount:
        lines.append(Line("request", 1, fee.amount, fee.amount, fee.tier))
    total = sum((line.usd for line in lines), Decimal(0))
    return Cost(
        offer=offer,
        request=request,
        tier=tier,
        tier_min_prompt_tokens=tier_min,
        lines=tuple(lines),
        total_usd=total,
        notes=tuple(notes),
    )


def compare_offers(offers: Iterable[tuple[str, Sequence[TierPrice]]], request: Request) -> tuple[list[Cost], list[str]]:
    """Every offer's cost, cheapest first, and the offers that could not be priced (with why)."""
    costs: list[Cost] = []
    problems: list[str] = []
    for offer, prices in offers:
        try:
            costs.append(request_cost(offer, prices, request))
        except CostError as exc:
            problems.append(str(exc))
    costs.sort(key=lambda c: (c.total_usd, c.offer))
    return costs, problems


#: Preset request sizes the model page prices without JavaScript: (label, prompt, completion).
PRESETS: tuple[tuple[str, int, int], ...] = (
    ("short chat", 1_000, 500),
    ("long document", 30_000, 1_000),
    ("very long prompt", 150_000, 2_000),
)
