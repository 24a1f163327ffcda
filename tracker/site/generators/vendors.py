"""One page per vendor (its models and recent changes) and the vendors index."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence

from tracker.site.changes import event_view, events_digest
from tracker.site.contexts import EventView, ModelSummary, VendorPage, VendorsIndexPage, VendorSummary
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.summaries import paged_title, status_facets
from tracker.store.events import StoredEvent

#: Changes listed on a vendor page, newest first.
VENDOR_CHANGES_SHOWN = 20


def vendor_pages(inputs: SiteInputs) -> Outputs:
    summaries = inputs.summaries
    groups: dict[str, list[ModelSummary]] = defaultdict(list)
    for m in summaries.values():
        groups[m.vendor_path].append(m)
    recent: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in inputs.data.events:
        model = summaries.get(event.model_id) if event.model_id is not None else None
        if model is not None and len(recent[model.vendor_path]) < VENDOR_CHANGES_SHOWN:
            recent[model.vendor_path].append(event)
    listing = []
    released = inputs.tables.grouped(lambda m: m.vendor_path)  # the same groups, newest release first
    for path, models in groups.items():
        name = Counter(m.vendor_name or m.vendor for m in models).most_common(1)[0][0]
        releases = [m.released_at for m in models if m.released_at is not None]
        listing.append(
            VendorSummary(
                name=name,
                path=path,
                models=len(models),
                open_weights=sum(1 for m in models if m.open_weight_status == "open"),
                latest_release=max(releases) if releases else None,
            )
        )
        counts = status_facets(models)
        for number, page_path, table in inputs.tables.pages(released[path], path):
            shown = recent.get(path, []) if number == 1 else []
            yield PageOut(
                "vendor.html",
                VendorPage(
                    path=page_path,
                    title=paged_title(name, number),
                    section="vendors",
                    vendor=name,
                    table=table,
                    status_counts=counts,
                    # The recent changes are on the vendor's first page only, their views made if it renders.
                    changes_digest=events_digest(shown, summaries) if shown else "",
                    make_changes=_views(shown, summaries) if shown else None,
                ),
            )
    listing.sort(key=lambda v: (v.name.casefold(), v.path))
    yield PageOut(
        "vendors.html", VendorsIndexPage(path="vendors/", title="Vendors", section="vendors", vendors=tuple(listing))
    )


def _views(events: Sequence[StoredEvent], models: Mapping[int, ModelSummary]) -> Callable[[], tuple[EventView, ...]]:
    return lambda: tuple(event_view(e, models) for e in events)
