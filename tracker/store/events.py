"""Persist typed events and read them back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.events.types import Event
from tracker.store.bulk import insert_rows
from tracker.store.tables import Event as EventRow
from tracker.store.tables import Model


def insert_events(session: Session, events: Sequence[Event], *, run_id: int | None) -> int:
    """Append ``events``; ``model_id`` is resolved from each event's ``model_key``."""
    if not events:
        return 0
    keys = sorted({e.model_key for e in events if e.model_key})
    model_ids: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        model_ids.update({k: i for i, k in session.execute(select(Model.id, Model.key).where(Model.key.in_(part)))})
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "kind": e.kind,
            "subject": e.subject[:512],
            "model_id": model_ids.get(e.model_key) if e.model_key else None,
            "source": e.source,
            "detected_at": e.detected_at,
            "run_id": run_id,
            "data": e.data(),
            "created_at": now,
        }
        for e in events
    ]
    insert_rows(session, EventRow.__table__, rows)
    return len(rows)


def list_events(
    session: Session,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    kinds: Iterable[str] | None = None,
    subject: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Events as plain dicts (``kind``, ``model``, ``detected_at`` + the event's data), oldest first."""
    query = select(EventRow).order_by(EventRow.detected_at, EventRow.id)
    if since is not None:
        query = query.where(EventRow.detected_at >= since)
    if until is not None:
        query = query.where(EventRow.detected_at < until)
    if kinds:
        query = query.where(EventRow.kind.in_(list(kinds)))
    if subject:
        query = query.where(EventRow.subject == subject)
    if limit:
        query = query.limit(limit)
    out = []
    for row in session.scalars(query):
        item: dict[str, Any] = {
            "id": row.id,
            "kind": row.kind,
            "model": row.subject,
            "detected_at": row.detected_at.isoformat(),
            "source": row.source,
        }
        item.update({k: v for k, v in (row.data or {}).items() if k not in item})
        out.append(item)
    return out
