"""The primary (OpenRouter) history as :class:`~tracker.peers.compare.Span` lists, read from the store.

Prices come from ``prices`` (each distinct value with its first and last observation; ``last_seen_at`` NULL
while current; a ``dynamic`` price is kept as a span that cannot be compared). Context lengths come from
``observations`` (one row per change of a listing): a value holds from its observation until the last
crawl before the next change, and the last one while the listing is listed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.peers.compare import Span
from tracker.peers.primary import COMPONENTS
from tracker.store.bulk import in_chunks
from tracker.store.tables import Observation, OpenRouterListing, Price, Run

SOURCE = "openrouter"
_TICK = dt.timedelta(microseconds=1)


def primary_history(session: Session, openrouter_ids: Collection[str]) -> dict[tuple[str, str, str], list[Span]]:
    """``(OpenRouter id, attribute, qualifier)`` → spans, for ``openrouter_ids``."""
    history: dict[tuple[str, str, str], list[Span]] = defaultdict(list)
    ids = sorted(set(openrouter_ids))
    crawls = sorted(
        t
        for t in session.scalars(
            select(Run.observed_at).where(
                Run.source == SOURCE, Run.status.in_(("success", "partial")), Run.observed_at.is_not(None)
            )
        )
        if t is not None
    )
    for part in in_chunks(ids):
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
        delisted = {
            listing_id: (status, delisted_at)
            for listing_id, status, delisted_at in session.execute(
                select(OpenRouterListing.id, OpenRouterListing.status, OpenRouterListing.delisted_at).where(
                    OpenRouterListing.id.in_(part)
                )
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
            status, delisted_at = delisted.get(subject, ("listed", None))
            spans = _context_spans(seq, crawls, delisted_at=delisted_at if status != "listed" else None)
            if spans:
                history[(subject, "context_length", "")] = spans
    return dict(history)


def _last_crawl_before(crawls: Sequence[dt.datetime], moment: dt.datetime, floor: dt.datetime) -> dt.datetime:
    """The last OpenRouter crawl before ``moment`` (not before ``floor``): when an old value was last seen."""
    index = bisect.bisect_left(crawls, moment)
    return max(crawls[index - 1], floor) if index > 0 else floor


def _context_spans(
    points: list[tuple[dt.datetime, int | None]], crawls: Sequence[dt.datetime], *, delisted_at: dt.datetime | None
) -> list[Span]:
    """Observations (written on any change of the listing) → spans of equal context lengths.

    A value was last seen at the last crawl before the observation that changed it (the crawls in between
    saw an unchanged listing), so the time between that crawl and the change is an unobserved gap, as in
    ``prices``; the last value holds while the listing is listed.
    """
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
            end: dt.datetime | None = _last_crawl_before(crawls, runs[index + 1][1], start)
        elif delisted_at is not None:
            end = _last_crawl_before(crawls, delisted_at, start)
        else:
            end = None
        spans.append(Span(number, start, end))
    return spans
