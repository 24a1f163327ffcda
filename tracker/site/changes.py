"""Change events as shown on pages: the view of one event and the paginated change log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def change_pages(
    events: Sequence[StoredEvent], models: Mapping[int, ModelSummary], *, per_page: int
) -> list[ChangesPage]:
    """The change log, newest first, ``per_page`` events a page (always at least one page)."""
    per_page = max(per_page, 1)
    total = len(events)
    pages = max((total + per_page - 1) // per_page, 1)
    out = []
    for number in range(1, pages + 1):
        chunk = events[(number - 1) * per_page : number * per_page]
        out.append(
            ChangesPage(
                path=changes_path(number),
                title="Changes" if number == 1 else f"Changes, page {number} of {pages}",
                section="changes",
                events=tuple(event_view(e, models) for e in chunk),
                page=number,
                pages=pages,
                total=total,
                prev_path=changes_path(number - 1) if number > 1 else None,
                next_path=changes_path(number + 1) if number < pages else None,
            )
        )
    return out
