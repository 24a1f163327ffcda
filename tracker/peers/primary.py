"""PURE: the primary (OpenRouter) history as spans, from dated snapshots of normalized listings.

The store keeps the same history in ``prices`` (first/last seen per value) and ``observations``;
:mod:`tracker.peers.history` reads it from there. This builder serves backfills, benchmarks and tests:
consecutive snapshots with the same value extend one span; a value that changes opens a new span; a
value missing from a later snapshot ends its span at its last observation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from tracker.normalize.openrouter import OpenRouterModel
from tracker.normalize.pricing import PriceStatus
from tracker.peers.compare import Span

#: The price components a catalog can state.
COMPONENTS = ("prompt", "completion", "input_cache_read", "input_cache_write")
#: (value, comparable) of one attribute; a dynamic price is not comparable.
Point = tuple[Decimal | None, bool]


def model_points(model: OpenRouterModel) -> dict[tuple[str, str], Point]:
    """What one listing says: (attribute, qualifier) → value, per price component and tier and context length."""
    points: dict[tuple[str, str], Point] = {}
    for price in model.prices:
        if price.component not in COMPONENTS or price.unit != "mtok":
            continue
        qualifier = f"{price.component}@{price.tier}" if price.tier else price.component
        if price.status in (PriceStatus.PRICED, PriceStatus.FREE):
            points[("price", qualifier)] = (price.usd_per_mtok, True)
        elif price.status == PriceStatus.DYNAMIC:
            points[("price", qualifier)] = (None, False)
    if model.context_length:
        points[("context_length", "")] = (Decimal(model.context_length), True)
    return points


def build_history(
    snapshots: Iterable[tuple[dt.datetime, Mapping[str, Mapping[tuple[str, str], Point]]]],
) -> dict[tuple[str, str, str], list[Span]]:
    """``(observed_at, {openrouter id → points})`` in any order → spans per (id, attribute, qualifier)."""
    spans: dict[tuple[str, str, str], list[Span]] = {}
    open_keys: set[tuple[str, str, str]] = set()
    ordered = sorted(snapshots, key=lambda item: item[0])
    for observed_at, listing in ordered:
        seen: set[tuple[str, str, str]] = set()
        for model_id, points in listing.items():
            for (attribute, qualifier), (value, comparable) in points.items():
                key = (model_id, attribute, qualifier)
                seen.add(key)
                history = spans.setdefault(key, [])
                last = history[-1] if history else None
                if last is not None and key in open_keys and last.value == value and last.comparable == comparable:
                    history[-1] = Span(last.value, last.first_seen_at, observed_at, comparable)
                else:
                    history.append(Span(value, observed_at, observed_at, comparable))
        open_keys = seen
    for key in open_keys:  # still listed in the last snapshot: current
        last = spans[key][-1]
        spans[key][-1] = Span(last.value, last.first_seen_at, None, last.comparable)
    return spans
