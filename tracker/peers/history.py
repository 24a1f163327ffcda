"""The primary (OpenRouter) history as :class:`~tracker.peers.compare.Span` lists, read from the store.

Prices come from ``prices`` (each distinct value with its first and last observation; ``last_seen_at`` NULL
while current; a ``dynamic`` price is kept as a span that cannot be compared). Context lengths come from
``observations`` (one row per change of a listing): a value holds from its observation until the next
change, and the last one while the listing is listed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.peers.compare import Span
from tracker.peers.primary import COMPONENTS
from tracker.store.tables import Observation, OpenRouterListing, Price

SOURCE = "openrouter"
CHUNK = 500
_TICK = dt.timedelta(microseconds=1)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def primary_history(session: Session, openrouter_ids: Collection[str]) -> dict[tuple[str, str, str], list[Span]]:
    """``(OpenRouter id, attribute, qualifier)`` → spans, for ``openrouter_ids``."""
    history: dict[tuple[str, str, str], list[Span]] = defaultdict(list)
    ids = sorted(set(openrouter_ids))
    for part in _chunks(ids):
        for row in session.execute(
            select(
                Price.subject,
                Price.component,
                Price.tier,
                Price.status,
                Price.usd_per_mtok,
                Price.first_seen_at,
                Price.last_seen_at,
            )
            .where(
                Price.source == SOURCE,
                Price.subject.in_(part),
                Price.provider.is_(None),
                Price.component.in_(COMPONENTS),
                Price.status.in_(("priced", "free", "dynamic")),
            )
            .order_by(Price.first_seen_at, Price.id)
        ):
            qualifier = f"{row.component}@{row.tier}" if row.tier else row.component
            comparable = row.status != "dynamic"
            history[(row.subject, "price", qualifier)].append(
                Span(row.usd_per_mtok if comparable else None, row.first_seen_at, row.last_seen_at, comparable)
            )
        listed = {
            listing_id: status
            for listing_id, status in session.execute(
                select(OpenRouterListing.id, OpenRouterListing.status).where(OpenRouterListing.id.in_(part))
            )
        }
        points: dict[str, list[tuple[dt.datetime, int | None]]] = defaultdict(list)
        for subject, observed_at, payload in session.execute(
            select(Observation.subject, Observation.observed_at, Observation.payload)
            .where(Observation.source == SOURCE, Observation.subject.in_(part))
            .order_by(Observation.observed_at, Observation.id)
        ):
            value = payload.get("context_length") if isinstance(payload, dict) else None
            points[subject].append((observed_at, value if isinstance(value, int) and value > 0 else None))
        for subject, seq in points.items():
            spans = _context_spans(seq, still_listed=listed.get(subject) == "listed")
            if spans:
                history[(subject, "context_length", "")] = spans
    return dict(history)


def _context_spans(points: list[tuple[dt.datetime, int | None]], *, still_listed: bool) -> list[Span]:
    """Observations (written on any change of the listing) → spans of equal context lengths."""
    runs: list[tuple[Decimal | None, dt.datetime]] = []
    for observed_at, value in points:
        number = Decimal(value) if value is not None else None
        if runs and runs[-1][0] == number:
            continue
        runs.append((number, observed_at))
    spans: list[Span] = []
    for index, (number, start) in enumerate(runs):
        if number is None:
            continue
        if index + 1 < len(runs):
            end: dt.datetime | None = runs[index + 1][1] - _TICK
        else:
            end = None if still_listed else points[-1][0]
        spans.append(Span(number, start, end))
    return spans
