"""A parameter count written as a size class ("0.6B", "7B") is a class, not a count: the tolerance rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.claims.tolerance import agrees, size_class


def p(value: int, **extra: object) -> dict[str, object]:
    return {"value": str(value), "value_num": Decimal(value), "unit": None, "extra": extra}


HUB = {"method": "safetensors"}


@pytest.mark.parametrize(
    ("claim", "reference", "expected"),
    [
        # Qwen3-0.6B: the Hub's safetensors total stores the tied embedding twice
        (p(600_000_000, as_written="0.6B"), p(751_632_384, **HUB), True),
        (p(1_000_000_000, as_written="1B"), p(1_235_814_400, **HUB), True),  # Llama 3.2 1B
        (p(7_000_000_000, as_written="7B"), p(8_537_680_896, **HUB), True),  # Gemma 7B
        (p(1_000_000_000, as_written="1B"), p(3_212_749_824, **HUB), False),  # a 3B model is not "1B"
        (p(600_000_000, as_written="0.6B"), p(1_000_000_000, **HUB), False),
        # two significant digits is a count: within 10 %
        (p(1_500_000_000, as_written="1.5B"), p(1_543_714_304, **HUB), True),
        (p(1_500_000_000, as_written="1.5B"), p(1_800_000_000, **HUB), False),
        (p(671_000_000_000, as_written="671B"), p(850_000_000_000, **HUB), False),
        # a size read from a model's name (an OpenRouter id) is a class too
        (p(1_000_000_000, as_written="1.23B"), p(1_000_000_000, method="name"), True),
        # without how it was written: a count
        (p(600_000_000), p(751_632_384, **HUB), False),
    ],
)
def test_a_size_class_agrees_within_30_percent_a_count_within_10(claim, reference, expected):
    assert agrees("params_total", claim, reference) is expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("0.6B", True), ("7B", True), ("70B", True), ("1T", True), ("1.5B", False), ("0.44B", False), ("235B", False)],
)
def test_one_significant_digit_makes_a_size_class(written, expected):
    assert size_class({"as_written": written}) is expected
