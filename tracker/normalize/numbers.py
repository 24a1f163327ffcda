"""Decimal formatting shared by storage, events and rendering."""

from __future__ import annotations

from decimal import Decimal


def format_decimal(value: Decimal) -> str:
    """Plain (never scientific) text for a decimal, without trailing zeros."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
