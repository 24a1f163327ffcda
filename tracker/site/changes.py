"""Change events as shown on pages: the view of one event and the paginated change log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

from tracker.site.contexts import ChangesPage, EventView, ModelSummary
from tracker.site.describe import describe, kind_label
from tracker.store.events import StoredEvent
from tracker.urls import changes_path


def event_view(event: StoredEvent, models: Mapping[int, ModelSummary]) -> EventView:
    model = models.get(event.model_id) if event.model_id is not None else None
    return EventView(
        id=event.id,
        kind=event.kind,
        kind_label=kind_label(event.kind),
        detected_at=event.detected_at,
        subject=event.subject,
        model_path=model.path if model else None,
        model_name=model.name if model else None,
        summary=describe(event.event),
        source=event.source,
    )


def events_digest(events: Sequence[StoredEvent], models: Mapping[int, ModelSummary]) -> str:
    """PURE: the digest of what the views of ``events`` are made from, without making the views: each
    event's row id, kind, subject, source and time, and its model's name and path. Event rows are only
    ever inserted (their data never changes under their id), so the payload need not be decoded."""
    parts = []
    for event in events:
        model = models.get(event.model_id) if event.model_id is not None else None
        e = event  # the row's columns, which the typed event is made of: nothing decoded
        parts.append(
            f"{event.id}\x00{event.model_id}\x00{e.kind}\x00{e.subject}\x00{e.source}\x00{e.detected_at.isoformat()}"
            f"\x00{model.path if model else ''}\x00{model.name if model else ''}\x01"
        )
    return hashlib.blake2b("".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _views(events: Sequence[StoredEvent], models: Mapping[int, ModelSummary]) -> Callable[[], tuple[EventView, ...]]:
    return lambda: tuple(event_view(e, models) for e in events)


def change_pages(
    events: Sequence[StoredEvent], models: Mapping[int, ModelSummary], *, per_page: int
) -> list[ChangesPage]:
    """The change log: ``changes/`` lists the newest ``per_page`` events; older ones are on archive pages
    numbered from the first event recorded (``changes/page/1/`` holds the oldest ``per_page``), so that
    a new event changes only the front page and the newest archive page, never the pages before it.

    ``events`` are newest first. With no more events than fit on the front page there is no archive.
    A page's event views are made only when it is rendered; its :attr:`~ChangesPage.events_digest`
    stands for them in its input hash.
    """
    per_page = max(per_page, 1)
    total = len(events)
    chunks = (total + per_page - 1) // per_page if total > per_page else 0
    older = (total - 1 - per_page) // per_page + 1 if total > per_page else None
    out = [
        ChangesPage(
            path=changes_path(),
            title="Changes",
            section="changes",
            events_digest=events_digest(events[:per_page], models),
            make_events=_views(events[:per_page], models),
            page=1,
            pages=chunks,
            total=total,
            prev_path=None,
            next_path=archive_path(older) if older else None,
        )
    ]
    oldest_first = list(reversed(events))
    for number in range(1, chunks + 1):
        chunk = oldest_first[(number - 1) * per_page : number * per_page]
        listed = chunk[::-1]
        out.append(
            ChangesPage(
                path=archive_path(number),
                title=f"Changes, page {number}",
                section="changes",
                events_digest=events_digest(listed, models),
                make_events=_views(listed, models),
                page=number,
                pages=0,  # archive pages show no totals, so that they stay as they are when events are added
                total=0,
                prev_path=archive_path(number + 1) if number < chunks else changes_path(),
                next_path=archive_path(number - 1) if number > 1 else None,
                archive=True,
                first=(number - 1) * per_page + 1,
                last=(number - 1) * per_page + len(chunk),
            )
        )
    return out


def archive_path(number: int) -> str:
    """``changes/page/3/``: the third ``per_page`` events ever recorded (numbered from the oldest)."""
    return f"changes/page/{number}/"
