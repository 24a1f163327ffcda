"""Persist typed events and read them back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.events.types import Event, EventDataError, decode
from tracker.store.bulk import TupleRows, select_in
from tracker.store.tables import Event as EventRow
from tracker.store.tables import Model


def insert_events(session: Session, events: Sequence[Event], *, run_id: int | None) -> int:
    """Append ``events``; ``model_id`` is resolved from each event's ``model_key``."""
    if not events:
        return 0
    keys = sorted({e.model_key for e in events if e.model_key})
    model_ids = {k: i for i, k in select_in(session, Model.__table__, ["id", "key"], "key", keys)}
    now = dt.datetime.now(dt.UTC)
    out = TupleRows(session, EventRow.__table__, _EVENT_NAMES)
    detected, data, created = (
        out.converter("detected_at"),
        out.converter("data", memo=False),
        out.convert("created_at", now),
    )
    rows = [
        (
            e.kind,
            e.subject[:512],
            model_ids.get(e.model_key) if e.model_key else None,
            e.source,
            detected(e.detected_at),
            run_id,
            data(e.data()),
            created,
        )
        for e in events
    ]
    return out.insert(rows)


_EVENT_NAMES = ("kind", "subject", "model_id", "source", "detected_at", "run_id", "data", "created_at")


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


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A typed event read back from ``events``, with its row id and resolved model."""

    id: int
    model_id: int | None
    event: Event

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def subject(self) -> str:
        return self.event.subject

    @property
    def source(self) -> str:
        return self.event.source

    @property
    def detected_at(self) -> dt.datetime:
        return self.event.detected_at


@dataclass
class ReadEvents:
    """What :func:`read_events` found: the typed events, and the rows that could not be decoded."""

    events: list[StoredEvent]
    #: ``(row id, error)`` of rows whose kind is unknown or whose data does not fit their kind.
    broken: list[tuple[int, str]]


def read_events(
    session: Session,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    kinds: Iterable[str] | None = None,
    model_id: int | None = None,
    subjects: Collection[str] = (),
    limit: int | None = None,
    newest_first: bool = False,
) -> ReadEvents:
    """Typed events (:func:`tracker.events.types.decode`), oldest first unless ``newest_first``.

    ``model_id`` and ``subjects`` together select the events of one model: those resolved to it
    and those whose subject is one of its ids. A broken row is reported in ``broken``, not raised.
    """
    query = select(
        EventRow.id,
        EventRow.kind,
        EventRow.subject,
        EventRow.model_id,
        EventRow.source,
        EventRow.detected_at,
        EventRow.data,
    )
    if newest_first:
        query = query.order_by(EventRow.detected_at.desc(), EventRow.id.desc())
    else:
        query = query.order_by(EventRow.detected_at, EventRow.id)
    if since is not None:
        query = query.where(EventRow.detected_at >= since)
    if until is not None:
        query = query.where(EventRow.detected_at < until)
    if kinds:
        query = query.where(EventRow.kind.in_(list(kinds)))
    if model_id is not None or subjects:
        conditions = []
        if model_id is not None:
            conditions.append(EventRow.model_id == model_id)
        if subjects:
            conditions.append(EventRow.subject.in_(sorted(subjects)))
        query = query.where(or_(*conditions))
    if limit:
        query = query.limit(limit)
    out = ReadEvents([], [])
    for row_id, kind, subject, row_model_id, source, detected_at, data in session.execute(query):
        try:
            event = decode(kind, data, subject=subject, source=source, detected_at=detected_at)
        except EventDataError as exc:
            out.broken.append((row_id, str(exc)))
            continue
        out.events.append(StoredEvent(row_id, row_model_id, event))
    return out
