"""When two values of one attribute agree: the tolerances of the claims ledger. Pure.

* **context length**: equal, or the same number of thousands written two ways
  (``128K`` = 128,000 agrees with 131,072 = 128 × 1024; ``256,000`` with
  262,144; ``1M`` with 1,048,576); a figure written rounded (``128K``, ``1
  million``) also agrees within 5 % (``1 million`` and 1,050,000). ``32K`` does
  not agree with 131,072, nor 258,048 with 262,144.
* **parameters**: within 10 % (``7B`` and 7.6 billion; ``671B`` and 684.5
  billion counted by safetensors); a claim of *over* N agrees with anything
  from N − 10 % upwards. A **size class** — a count written with one
  significant digit (``0.6B``, ``1B``, ``7B``, ``70B``, ``1T``), or read from a
  model's name — is a class, not a count: it agrees within 30 % (``Llama 3.2
  1B`` has 1.23B, ``Gemma 7B`` 8.5B, and the Hub's safetensors total of
  Qwen3-0.6B, 752M, stores its tied embedding twice); ``1B`` still disputes 3B,
  and ``1.5B`` (two digits) is a count within 10 %.
* **price** (USD per 1M tokens): within 2 % (OpenRouter's routing jitters).
* **benchmark**: within 0.5 points (rounding); a 0–1 fraction is compared as a
  percentage.
* **openness**: ``open`` agrees with ``open`` and ``gated`` (weights can be
  downloaded); ``api-only`` agrees with ``api-only`` and ``no-weights``.
  ``open`` against ``api-only`` / ``no-weights`` is the open-washing dispute.
* **licence**: the same canonical key. **release date**: within 2 days (time
  zones, announcement vs. publication).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

PARAMS_RELATIVE = Decimal("0.10")
#: A size class (one significant digit: ``0.6B``, ``7B``) agrees within this of a counted total.
SIZE_CLASS_RELATIVE = Decimal("0.30")
_WRITTEN_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMBT]|[kmbt]\b|million|billion|trillion)", re.IGNORECASE)
#: A context length written rounded (``128K``, ``1 million``) agrees within this of the exact one.
ROUNDED_RELATIVE = Decimal("0.05")
PRICE_RELATIVE = Decimal("0.02")
BENCHMARK_POINTS = Decimal("0.5")
RELEASE_DAYS = 2
OPEN_SIDE = frozenset({"open", "gated"})
CLOSED_SIDE = frozenset({"api-only", "no-weights"})


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _thousands(value: Decimal) -> set[Decimal]:
    out = {value}
    for unit in (Decimal(1000), Decimal(1024)):
        if value % unit == 0:
            out.add(value / unit * 1000)
    for unit in (Decimal(10**6), Decimal(2**20)):
        if value % unit == 0:
            out.add(value / unit * 10**6)
    return out


def context_agrees(a: Decimal, b: Decimal) -> bool:
    return a == b or bool(_thousands(a) & _thousands(b))


def relative_agrees(a: Decimal, b: Decimal, tolerance: Decimal) -> bool:
    if a == b:
        return True
    largest = max(abs(a), abs(b))
    return largest > 0 and abs(a - b) / largest <= tolerance


def size_class(extra: Mapping[str, Any] | None) -> bool:
    """Whether a parameter value is a size class: written with one significant digit, or read from a name."""
    extra = extra or {}
    if extra.get("method") == "name" or extra.get("source") == "name":
        return True
    match = _WRITTEN_SIZE.match(str(extra.get("as_written", "")))
    if match is None:
        return False
    digits = match.group(1).replace(".", "").lstrip("0").rstrip("0")
    return len(digits) <= 1


def benchmark_agrees(a: Decimal, a_unit: str | None, b: Decimal, b_unit: str | None) -> bool:
    if a_unit == "fraction" and b_unit != "fraction" and a <= 1:
        a = a * 100
    if b_unit == "fraction" and a_unit != "fraction" and b <= 1:
        b = b * 100
    return abs(a - b) <= BENCHMARK_POINTS


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _month(value: str) -> str | None:
    """``2025-01`` for a month-precision date (``YYYY-MM``), else None."""
    year, dash, month = value[:4], value[4:5], value[5:]
    if len(value) == 7 and dash == "-" and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return value
    return None


def agrees(attribute: str, claim: Mapping[str, Any], reference: Mapping[str, Any]) -> bool:
    """Whether ``claim`` agrees with ``reference`` (mappings with ``value``, ``value_num``, ``unit``, ``extra``)."""
    value, other = str(claim["value"]), str(reference["value"])
    if attribute == "openness":
        if value == other:
            return True
        return (value in OPEN_SIDE and other in OPEN_SIDE) or (value in CLOSED_SIDE and other in CLOSED_SIDE)
    if attribute == "license":
        return value.lower() == other.lower()
    if attribute == "release_date":
        month_a, month_b = _month(value), _month(other)
        if month_a is not None or month_b is not None:  # a month agrees with every day of that month
            left = month_a or (value[:7] if _date(value) else None)
            right = month_b or (other[:7] if _date(other) else None)
            return left is not None and left == right
        a, b = _date(value), _date(other)
        return a is not None and b is not None and abs((a - b).days) <= RELEASE_DAYS
    a = _decimal(claim.get("value_num")) if claim.get("value_num") is not None else _decimal(value)
    b = _decimal(reference.get("value_num")) if reference.get("value_num") is not None else _decimal(other)
    if a is None or b is None:
        return value == other
    if attribute == "context_length":
        extra = claim.get("extra") or {}
        values = [a] + [Decimal(v) for v in extra.get("values", []) if isinstance(v, int)]
        rounded = bool(re.search(r"\d\s?(?:[KkMm]\b|million|thousand)", str(extra.get("as_written", ""))))
        return any(context_agrees(v, b) or (rounded and relative_agrees(v, b, ROUNDED_RELATIVE)) for v in values)
    if attribute in ("params_total", "params_active"):
        bound = str((claim.get("extra") or {}).get("bound") or "")
        if bound in ("over", "more than") and b >= a:
            return True
        if size_class(claim.get("extra")) or size_class(reference.get("extra")):
            return relative_agrees(a, b, SIZE_CLASS_RELATIVE)
        return relative_agrees(a, b, PARAMS_RELATIVE)
    if attribute == "price":
        return relative_agrees(a, b, PRICE_RELATIVE)
    if attribute == "benchmark":
        return benchmark_agrees(a, claim.get("unit"), b, reference.get("unit"))
    return a == b
