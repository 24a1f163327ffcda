"""Retirements that vendor posts and docs announce: a deprecation statement linked to its model, one event per date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from tracker.claims.linking import build_index
from tracker.events.types import Event, RetirementAnnounced
from tracker.normalize.retirements import deprecation_statements
from tracker.store.events import insert_events
from tracker.store.retirements import announced_retirements


def announce_vendor_retirements(
    session: Session, pages: Sequence[Any], *, source: str, run_id: int | None, now: dt.datetime
) -> tuple[dict[str, int], list[Event]]:
    """``retirement_announced`` from vendor posts and docs that state a model's retirement date.

    ``pages`` are the crawl's read pages (``url``, ``kind``, ``text``, ``published_at``); press is not
    a vendor statement. A mention that resolves to no model (or to several) is skipped; a date already
    announced for that model is not announced again.
    """
    statements = [
        (page, statement)
        for page in pages
        if page.kind == "vendor"
        for statement in deprecation_statements(page.text, published=page.published_at or page.fetched_at)
    ]
    if not statements:
        return {"writes": 0}, []
    index = build_index(session)
    announced = announced_retirements(session)
    events: list[Event] = []
    for page, statement in statements:
        model_id = next(
            (r.model_id for r in (index.resolve(m) for m in statement.mentions) if r.model_id is not None), None
        )
        if model_id is None:
            continue
        key = index.keys[model_id]
        iso = statement.retires_on.isoformat()
        if announced.get(key) == iso:
            continue
        events.append(
            RetirementAnnounced(
                subject=key,
                source=source,
                detected_at=now,
                model_key=key,
                retires_on=iso,
                previous=announced.get(key),
                url=page.url,
                quote=statement.quote,
            )
        )
        announced[key] = iso
    return {"writes": insert_events(session, events, run_id=run_id)}, events
