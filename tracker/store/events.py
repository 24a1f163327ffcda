"""Persist typed events and read them back."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Container, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.events import types
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
    """A typed event read back from ``events``, with its row id and resolved model.

    ``kind``, ``subject``, ``source`` and ``detected_at`` are the row's columns (the typed event's, which
    is made from them); the typed event (:attr:`event`) is decoded from ``data`` when first used, so
    that a reader that only counts, orders or links events does not decode them all.
    """

    id: int
    model_id: int | None
    kind: str
    subject: str
    source: str
    detected_at: dt.datetime
    #: The stored JSON (``events.data``) the typed event is decoded from; None once it is decoded.
    data: Any = field(default=None, repr=False, compare=False)
    _event: Event | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, row_id: int, model_id: int | None, event: Event) -> StoredEvent:
        """A stored event whose typed event is already decoded."""
        out = cls(row_id, model_id, event.kind, event.subject, event.source, event.detected_at)
        object.__setattr__(out, "_event", event)
        return out

    @property
    def event(self) -> Event:
        """The typed event (:func:`tracker.events.types.decode`), decoded on first use; raises
        :class:`~tracker.events.types.EventDataError` if the row does not fit its kind (which
        :func:`read_events` checked unless the row was ``known`` valid)."""
        event = self._event
        if event is None:
            event = decode(self.kind, self.data, subject=self.subject, source=self.source, detected_at=self.detected_at)
            object.__setattr__(self, "_event", event)
            object.__setattr__(self, "data", None)  # the typed event holds it now: not kept twice
        return event


@cache
def decoders_stamp() -> str:
    """The code that decides whether a row decodes (:mod:`tracker.events.types` and this module): digests
    kept from an :func:`event_digest`-keyed read are valid only for the same stamp."""
    h = hashlib.blake2b(digest_size=16)
    for path in (Path(types.__file__), Path(__file__)):
        h.update(path.read_bytes())
    return h.hexdigest()


def event_digest(kind: str, data: Any) -> bytes:
    """PURE: what decides whether a stored row decodes (its kind and data), as 8 bytes: a reader that
    decoded a row keeps this so that the next read of the same row need not decode it to know."""
    try:
        body = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # e.g. an integer beyond 64 bits: the digest of a text no JSON row gives
        body = b"\x00" + repr(data).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(kind.encode("utf-8", "surrogatepass") + b"\x00" + body, digest_size=8).digest()


@dataclass
class ReadEvents:
    """What :func:`read_events` found: the typed events, and the rows that could not be decoded."""

    events: list[StoredEvent]
    #: ``(row id, error)`` of rows whose kind is unknown or whose data does not fit their kind.
    broken: list[tuple[int, str]]
    #: With ``known``: the :func:`event_digest` of each row in :attr:`events` (all valid), to be the
    #: next read's ``known``.
    valid: list[bytes] = field(default_factory=list)


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
    known: Container[bytes] | None = None,
) -> ReadEvents:
    """Typed events (:func:`tracker.events.types.decode`), oldest first unless ``newest_first``.

    ``model_id`` and ``subjects`` together select the events of one model: those resolved to it
    and those whose subject is one of its ids. A broken row is reported in ``broken``, not raised.

    ``known``: :func:`event_digest` values of rows a previous read found valid (``valid``): a row whose
    digest is among them is not decoded now, only when its :attr:`StoredEvent.event` is first used
    (validity depends only on the kind and data the digest is made of, and on the decoders' code, which
    the keeper of the digests must tell apart).
    """
    rows = EventRow.__table__  # table columns: rows come back as tuples, without the ORM's loading
    query = select(
        rows.c.id,
        rows.c.kind,
        rows.c.subject,
        rows.c.model_id,
        rows.c.source,
        rows.c.detected_at,
        rows.c.data,
    )
    if newest_first:
        query = query.order_by(rows.c.detected_at.desc(), rows.c.id.desc())
    else:
        query = query.order_by(rows.c.detected_at, rows.c.id)
    if since is not None:
        query = query.where(rows.c.detected_at >= since)
    if until is not None:
        query = query.where(rows.c.detected_at < until)
    if kinds:
        query = query.where(rows.c.kind.in_(list(kinds)))
    if model_id is not None or subjects:
        conditions = []
        if model_id is not None:
            conditions.append(rows.c.model_id == model_id)
        if subjects:
            conditions.append(rows.c.subject.in_(sorted(subjects)))
        query = query.where(or_(*conditions))
    if limit:
        query = query.limit(limit)
    out = ReadEvents([], [])
    for row_id, kind, subject, row_model_id, source, detected_at, data in session.execute(query):
        if known is not None:
            digest = event_digest(kind, data)
            if digest in known:
                out.events.append(StoredEvent(row_id, row_model_id, kind, subject, source, detected_at, data))
                out.valid.append(digest)
                continue
        try:
            event = decode(kind, data, subject=subject, source=source, detected_at=detected_at)
        except EventDataError as exc:
            out.broken.append((row_id, str(exc)))
            continue
        out.events.append(StoredEvent.of(row_id, row_model_id, event))
        if known is not None:
            out.valid.append(digest)
    return out
