"""The home page: counts, this week's changes (the week of the newest event), the latest issue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tracker.site.changes import event_view
from tracker.site.contexts import Count, HomePage, IssueSummary
from tracker.site.format import iso_week
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.paths import open_weight_path
from tracker.site.retiring import retiring_views
from tracker.site.summaries import class_facets, status_facets
from tracker.store.events import StoredEvent
from tracker.vocabulary import kind_label

#: Changes of the week listed on the home page (all are counted).
WEEK_CHANGES_SHOWN = 50


def home_page(inputs: SiteInputs, issues: Sequence[IssueSummary], *, title: str) -> Outputs:
    data, summaries, ordered = inputs.data, inputs.summaries, inputs.ordered
    latest = data.latest_event_at
    week = iso_week(latest) if latest else None
    this_week: list[StoredEvent] = []
    for event in data.events:
        if iso_week(event.detected_at) != week:
            break
        this_week.append(event)
    kinds = Counter(e.kind for e in this_week)
    open_disputes = sum(1 for ds in data.disputes.values() for d in ds if d.status == "open")
    counts = (
        Count("models", len(ordered), "models/"),
        Count("vendors", len({m.vendor_path for m in ordered}), "vendors/"),
        Count("with open weights", sum(1 for m in ordered if m.open_weight_status == "open"), open_weight_path("open")),
        Count("API only", sum(1 for m in ordered if m.open_weight_status == "api-only"), open_weight_path("api-only")),
        Count("open disputes", open_disputes, "disputes/"),
        Count("changes recorded", len(data.events), "changes/"),
    )
    yield PageOut(
        "home.html",
        HomePage(
            path="",
            title=title,
            section="home",
            site_title=title,
            counts=counts,
            week=week,
            week_changes=tuple(event_view(e, summaries) for e in this_week[:WEEK_CHANGES_SHOWN]),
            week_change_total=len(this_week),
            week_kinds=tuple(Count(kind_label(k), n) for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
            latest_change_at=latest,
            latest_issue=issues[-1] if issues else None,
            status_facets=status_facets(ordered),
            class_facets=class_facets(ordered),
            retiring=retiring_views(data, summaries),
        ),
    )
