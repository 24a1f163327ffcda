"""The models index, once per sort order; a renamed model's old page, pointing to its new one."""

from __future__ import annotations

from tracker.site.contexts import ModelsIndexPage, RenamedPage
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.paths import SORTS, root_of
from tracker.site.summaries import SORT_LABELS, class_facets, status_facets
from tracker.urls import model_path


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
    for old, new in sorted(inputs.data.renamed.items()):
        yield PageOut(
            "renamed.html",
            RenamedPage(
                path=model_path(old), title=f"{old} is now {new}", old_key=old, new_key=new, new_path=model_path(new)
            ),
        )
