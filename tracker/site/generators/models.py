"""The models index, once per sort order."""

from __future__ import annotations

from tracker.site.contexts import ModelsIndexPage
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.paths import SORTS, root_of
from tracker.site.summaries import SORT_LABELS, class_facets, status_facets


def models_index(inputs: SiteInputs) -> Outputs:
    ordered = inputs.ordered
    statuses, classes = status_facets(ordered), class_facets(ordered)
    for sort, path in SORTS.items():
        yield PageOut(
            "models_index.html",
            ModelsIndexPage(
                path=path,
                title="Models" if sort == "released" else f"Models by {SORT_LABELS[sort]}",
                section="models",
                table=inputs.tables.table(ordered, root_of(path), sort=sort, sort_links=True),
                total=len(ordered),
                sort_label=SORT_LABELS[sort],
                status_facets=statuses,
                class_facets=classes,
            ),
        )
