"""Prices: upstream strings to exact decimals with an explicit status.

OpenRouter serves prices as USD-per-unit strings (per token for token-metered
components). Rules, in order:

* ``"0"`` (any zero) → status ``free``.
* ``"-1"`` → status ``dynamic`` (routers such as ``openrouter/auto``). Any other
  negative number is corrupt input and is rejected.
* a component that is missing where it is expected (``prompt``/``completion``)
  → status ``unknown``. Something that is not a number (``"abc"``) is rejected.
* otherwise status ``priced`` and an exact :class:`~decimal.Decimal`.
* **Bounds**: a price written with more than ``MAX_NUMBER_CHARS`` characters is
  rejected before it is parsed (``"1e1000000"`` would overflow the decimal
  context), and so is an amount of :data:`MAX_USD_PER_UNIT` or more per unit or
  below :data:`MIN_USD_PER_UNIT` (``price-out-of-range``): both databases store
  every accepted amount exactly.

**Float noise.** Upstream keeps prices as binary floats, some as 32-bit
floats, and prints them with every digit: ``"0.00000020000000000000002"`` or
``"0.0000000799999993"``. Digits beyond the 7th significant digit are
representation noise (a float32 holds ~7.2 significant decimal digits), so the
parsed value is rounded half-even to **7 significant digits** and trailing
zeros are dropped. ``"0.00000020000000000000002"`` → 2E-7 ($0.20 per 1M
tokens); ``"0.0000000799999993"`` → 8E-8. The raw string is always kept.

Token-metered components are stored as USD per 1M tokens
(``usd_per_mtok``); ``request``, ``image`` and ``web_search`` are per unit
(``usd_per_unit``).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

from tracker.errors import NormalizationError
from tracker.normalize.bounds import INT4_MAX, MAX_NUMBER_CHARS, bounded_count, has_unsafe
from tracker.normalize.guard import isolated

SIGNIFICANT_DIGITS = 7
_CONTEXT = Context(prec=SIGNIFICANT_DIGITS, rounding=ROUND_HALF_EVEN)
MILLION = Decimal(1_000_000)
#: Upstream amounts are USD per token / request / image: a million dollars or more per unit is corrupt.
MAX_USD_PER_UNIT = Decimal(1_000_000)
#: Column widths: ``prices.component`` and ``prices.tier``.
COMPONENT_CHARS = 48
TIER_LABEL_CHARS = 64
#: Below this (per unit) an amount is noise or corrupt, not a price.
MIN_USD_PER_UNIT = Decimal("1e-18")

#: Components metered per something other than tokens, and their unit.
PER_UNIT_COMPONENTS: dict[str, str] = {
    "request": "request",
    "image": "image",
    "web_search": "search",
}
#: Components OpenRouter always sends; missing ones get status ``unknown``.
REQUIRED_COMPONENTS = ("prompt", "completion")
#: Keys of ``pricing`` that are not prices.
NON_PRICE_KEYS = frozenset({"overrides", "discount", "currency"})
#: Keys of a tier entry that describe its condition, not a price.
TIER_CONDITION_KEYS = frozenset({"min_prompt_tokens", "utc_start", "utc_end"})


class PriceStatus(enum.StrEnum):
    PRICED = "priced"
    FREE = "free"
    DYNAMIC = "dynamic"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PriceValue:
    """One component of one tier, normalized."""

    component: str
    tier: str
    min_prompt_tokens: int | None
    status: PriceStatus
    #: USD per 1M tokens (token components) — exact, rounded per the module rule.
    usd_per_mtok: Decimal | None
    #: USD per request / image / search (per-unit components).
    usd_per_unit: Decimal | None
    unit: str
    raw: str | None

    @property
    def amount(self) -> Decimal | None:
        return self.usd_per_mtok if self.unit == "mtok" else self.usd_per_unit

    @property
    def key(self) -> tuple[str, str]:
        return (self.component, self.tier)

    def same_price(self, other: PriceValue | None) -> bool:
        return other is not None and self.status == other.status and self.amount == other.amount


def unit_of(component: str) -> str:
    return PER_UNIT_COMPONENTS.get(component, "mtok")


def parse_amount(raw: Any, *, component: str) -> tuple[PriceStatus, Decimal | None]:
    """Status and exact per-unit USD amount of one upstream price value."""
    if raw is None:
        return PriceStatus.UNKNOWN, None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise NormalizationError("unparsable-price", f"{component} is {type(raw).__name__}")
    if isinstance(raw, int) and abs(raw) >= MAX_USD_PER_UNIT:
        raise NormalizationError("price-out-of-range", f"{component} is a {raw.bit_length()}-bit number")
    text = str(raw).strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise NormalizationError("price-out-of-range", f"{component} has {len(text)} characters")
    try:
        return _parse_text(text)
    except _BadPrice as exc:
        raise NormalizationError(exc.reason, f"{component}={text!r}") from None


class _BadPrice(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


@functools.lru_cache(maxsize=65536)
def _parse_text(text: str) -> tuple[PriceStatus, Decimal | None]:
    """Parse one price string (cached: listings repeat the same strings thousands of times)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _BadPrice("unparsable-price") from None
    if not value.is_finite():
        raise _BadPrice("unparsable-price")
    if value == -1:
        return PriceStatus.DYNAMIC, None
    if value < 0:
        raise _BadPrice("negative-price")
    if value == 0:
        return PriceStatus.FREE, Decimal(0)
    if value >= MAX_USD_PER_UNIT or value < MIN_USD_PER_UNIT:
        raise _BadPrice("price-out-of-range")
    return PriceStatus.PRICED, _CONTEXT.plus(value).normalize()


#: Price values already made, by their inputs (a listing repeats the same few thousand): the same
#: immutable object is handed out again. Bounded: emptied when full.
_VALUES: dict[tuple[Any, ...], PriceValue] = {}
_VALUES_MAX = 65536


def price_value(component: str, raw: Any, *, tier: str = "", min_prompt_tokens: int | None = None) -> PriceValue:
    # the key holds the raw value's type: 1, 1.0 and True are equal as keys but not as prices
    if raw is None or raw.__class__ in (str, int, float):
        key = (component, raw.__class__, raw, tier, min_prompt_tokens.__class__, min_prompt_tokens)
        value = _VALUES.get(key)
        if value is None:
            value = _price_value(component, raw, tier=tier, min_prompt_tokens=min_prompt_tokens)
            if len(_VALUES) >= _VALUES_MAX:
                _VALUES.clear()
            _VALUES[key] = value
        return value
    return _price_value(component, raw, tier=tier, min_prompt_tokens=min_prompt_tokens)


def _price_value(component: str, raw: Any, *, tier: str, min_prompt_tokens: int | None) -> PriceValue:
    status, amount = parse_amount(raw, component=component)
    unit = unit_of(component)
    per_mtok = per_unit = None
    if amount is not None:
        if unit == "mtok":
            per_mtok = (amount * MILLION).normalize()
        else:
            per_unit = amount
    return PriceValue(
        component=component,
        tier=tier,
        min_prompt_tokens=min_prompt_tokens,
        status=status,
        usd_per_mtok=per_mtok,
        usd_per_unit=per_unit,
        unit=unit,
        raw=None if raw is None else str(raw),
    )


def tier_label(condition: Mapping[str, Any]) -> tuple[str, int | None]:
    """A stable label for a tier condition, and its ``min_prompt_tokens``."""
    parts = []
    min_tokens = condition.get("min_prompt_tokens")
    if min_tokens is not None:
        if isinstance(min_tokens, bool) or not isinstance(min_tokens, int | str):
            raise NormalizationError("bad-tier", f"min_prompt_tokens={str(min_tokens)[:60]!r}")
        try:
            min_tokens = bounded_count(min_tokens, "min_prompt_tokens", maximum=INT4_MAX)
        except NormalizationError as exc:
            raise NormalizationError("bad-tier", exc.detail) from None
        parts.append(f"prompt>={min_tokens}")
    if "utc_start" in condition or "utc_end" in condition:
        parts.append(f"utc={condition.get('utc_start')}-{condition.get('utc_end')}")
    if not parts:
        raise NormalizationError("bad-tier", f"tier without a condition: {sorted(map(str, condition))[:10]}")
    label = " ".join(parts)
    if len(label) > TIER_LABEL_CHARS or has_unsafe(label):
        raise NormalizationError("bad-tier", f"tier condition {label[:80]!r}")
    return label, min_tokens


@isolated
def normalize_pricing(pricing: Any) -> tuple[PriceValue, ...]:
    """Every component of the base price and of each tier in ``overrides``."""
    if not isinstance(pricing, Mapping):
        raise NormalizationError("missing-pricing", f"pricing is {type(pricing).__name__}")
    values: list[PriceValue] = list(_components(pricing, tier="", min_prompt_tokens=None))
    present = {v.component for v in values}
    for component in REQUIRED_COMPONENTS:
        if component not in present:
            values.append(price_value(component, None))
    overrides = pricing.get("overrides")
    if overrides is not None:
        if not isinstance(overrides, list):
            raise NormalizationError("bad-tier", "overrides is not a list")
        seen: set[str] = set()
        for entry in overrides:
            if not isinstance(entry, Mapping):
                raise NormalizationError("bad-tier", f"override {entry!r}")
            label, min_tokens = tier_label(entry)
            if label in seen:
                raise NormalizationError("bad-tier", f"duplicate tier {label}")
            seen.add(label)
            values.extend(_components(entry, tier=label, min_prompt_tokens=min_tokens))
    return tuple(sorted(values, key=lambda v: (v.min_prompt_tokens or 0, v.tier, v.component)))


def _components(entry: Mapping[str, Any], *, tier: str, min_prompt_tokens: int | None) -> Iterable[PriceValue]:
    for component, raw in entry.items():
        if component in NON_PRICE_KEYS or component in TIER_CONDITION_KEYS:
            continue
        if (
            not isinstance(component, str)
            or len(component) > COMPONENT_CHARS
            or not component.replace("_", "").isascii()
            or not component.replace("_", "").isalnum()
        ):
            raise NormalizationError("bad-price-key", repr(component)[:80])
        yield price_value(component, raw, tier=tier, min_prompt_tokens=min_prompt_tokens)


def percent_change(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """Percent change old → new, two decimals; None when undefined."""
    if old is None or new is None or old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
