"""How values are shown on the site: money, token counts, dates, labels.

Component labels, units and money come from :mod:`tracker.vocabulary` (re-exported
here), shared with the newsletter and the CLI.

Pure functions over plain values (no database, no templates). Money stays
:class:`~decimal.Decimal` throughout; nothing here rounds a price to a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from tracker.normalize.numbers import format_decimal
from tracker.vocabulary import COMPONENT_ORDER, component_label, component_rank, percent, unit_label, usd

__all__ = [
    "COMPONENT_ORDER",
    "component_label",
    "component_rank",
    "date",
    "iso",
    "iso_week",
    "params",
    "percent",
    "price_text",
    "tier_label",
    "timestamp",
    "tokens",
    "unit_label",
    "usd",
]


def price_text(status: str | None, amount: Decimal | None) -> str:
    """A price cell: ``$0.78``, ``free``, ``dynamic`` (routers), ``unknown`` or ``—`` (none)."""
    if status is None:
        return "—"
    if status == "priced":
        return usd(amount)
    return status


def tokens(count: int | None) -> str:
    """``262144`` → ``262,144``."""
    return "—" if count is None else f"{count:,}"


def tier_label(tier: str, min_prompt_tokens: int | None) -> str:
    if not tier:
        return "Base price"
    if min_prompt_tokens is not None:
        return f"Prompts ≥ {min_prompt_tokens:,} tokens"
    return tier


def params(count: int | None) -> str:
    """``235000000000`` → ``235B``; ``1000000000000`` → ``1T``; ``7600000000`` → ``7.6B``."""
    if count is None:
        return "—"
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M")):
        if count >= size:
            value = Decimal(count) / Decimal(size)
            return (
                format_decimal(value.quantize(Decimal("0.1")) if value < 100 else value.quantize(Decimal(1))) + suffix
            )
    return f"{count:,}"


@lru_cache(maxsize=4096)
def _utc_text(value: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]`` in UTC (isoformat is much faster than strftime).

    Remembered for the last few thousand times: a page shows most of its times twice or more
    (``<time datetime="iso">date</time>``, sources), and a lookup is ~20× cheaper than ``isoformat``."""
    text = value.isoformat()
    if text.endswith("+00:00"):
        return text[:-6]
    return value.astimezone(dt.UTC).isoformat()[:-6]


def date(value: dt.datetime | None) -> str:
    return "—" if value is None else _utc_text(value)[:10]


def timestamp(value: dt.datetime | None) -> str:
    """``2026-07-13 19:34 UTC``."""
    if value is None:
        return "—"
    text = _utc_text(value)
    return f"{text[:10]} {text[11:16]} UTC"


def iso(value: dt.datetime | None) -> str:
    """Machine-readable UTC time for ``<time datetime>``, feeds and exports."""
    return "" if value is None else _utc_text(value) + "Z"


def iso_week(value: dt.datetime) -> str:
    """``2026-W12`` (ISO week, UTC)."""
    year, week, _ = value.astimezone(dt.UTC).isocalendar()
    return f"{year}-W{week:02d}"
