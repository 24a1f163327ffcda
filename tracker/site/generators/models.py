"""The models index: every sort order in small pages (usable without JavaScript, linked to each other);
a renamed model's old page, pointing to its new one.

The full lists are the downloads (``data/models.json``, ``data/models.csv``); each index page holds
:data:`PAGE_SIZE` models, so that a changed model rewrites the few pages that show it, not six
lists of every model.
"""

from __future__ import annotations

from tracker.site.contexts import ModelsIndexPage, RenamedPage
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.paths import SORTS, pager_numbers, root_of, sort_page_path
from tracker.site.summaries import SORT_LABELS, class_facets, status_facets
from tracker.urls import model_path

#: Models per index page.
PAGE_SIZE = 100
#: Pages linked on either side of the current one in the pager (first and last are always linked).
NEAR = 2


def models_index(inputs: SiteInputs, *, page_size: int | None = None) -> Outputs:
    page_size = page_size or PAGE_SIZE
    ordered = inputs.ordered
    statuses, classes = status_facets(ordered), class_facets(ordered)
    pages = max(1, -(-len(ordered) // page_size))
    for sort in SORTS:
        in_order = inputs.tables.order(sort)
        for number in range(1, pages + 1):
            path = sort_page_path(sort, number)
            chunk = in_order[(number - 1) * page_size : number * page_size]
            title = "Models" if sort == "released" else f"Models by {SORT_LABELS[sort]}"
            yield PageOut(
                "models_index.html",
                ModelsIndexPage(
                    path=path,
                    title=title if number == 1 else f"{title} (page {number} of {pages})",
                    section="models",
                    table=inputs.tables.table(chunk, root_of(path), sort=sort, sort_links=True),
                    total=len(ordered),
                    sort_label=SORT_LABELS[sort],
                    status_facets=statuses,
                    class_facets=classes,
                    number=number,
                    pages=pages,
                    prev_path=sort_page_path(sort, number - 1) if number > 1 else None,
                    next_path=sort_page_path(sort, number + 1) if number < pages else None,
                    page_links=tuple((n, sort_page_path(sort, n)) for n in pager(number, pages)),
                    first=(number - 1) * page_size + 1 if chunk else 0,
                    last=(number - 1) * page_size + len(chunk),
                ),
            )
    for old, new in sorted(inputs.data.renamed.items()):
        yield PageOut(
            "renamed.html",
            RenamedPage(
                path=model_path(old), title=f"{old} is now {new}", old_key=old, new_key=new, new_path=model_path(new)
            ),
        )


def pager(number: int, pages: int, near: int = NEAR) -> list[int]:
    """PURE: the page numbers the pager links: the first, the last and ``near`` on each side."""
    return pager_numbers(number, pages, near)
