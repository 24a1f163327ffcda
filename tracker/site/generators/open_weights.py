"""One page per open-weight status and per status × licence class, and the matrix index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from tracker.site.contexts import FacetLink, MatrixRow, ModelSummary, OpenWeightPage, OpenWeightsIndexPage
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.glossary import LICENSE_CLASSES, OPEN_WEIGHT_STATUSES, Term, license_class_term, open_weight_term
from tracker.site.paths import open_weight_path
from tracker.site.summaries import Tables, paged_title
from tracker.urls import license_class_path


def open_weight_pages(inputs: SiteInputs) -> Outputs:
    ordered, tables = inputs.ordered, inputs.tables
    by_status: dict[str, list[ModelSummary]] = defaultdict(list)
    for m in ordered:
        by_status[m.open_weight_status].append(m)
    statuses = [*OPEN_WEIGHT_STATUSES, *sorted(k for k in by_status if k not in OPEN_WEIGHT_STATUSES)]
    classes = [*LICENSE_CLASSES, *sorted({m.license_class for m in ordered} - set(LICENSE_CLASSES))]
    # The same groups, newest release first (the order their pages list them in).
    released = tables.grouped(lambda m: m.open_weight_status)
    released_combos = tables.grouped(lambda m: (m.open_weight_status, m.license_class))
    matrix = []
    for status in statuses:
        term = open_weight_term(status)
        models = by_status.get(status, [])
        by_class: dict[str, list[ModelSummary]] = defaultdict(list)
        for m in models:
            by_class[m.license_class].append(m)
        cells = tuple(
            FacetLink(
                f"{term.label}, {license_class_term(c).label}",
                open_weight_path(status, c),
                len(by_class.get(c, ())),
            )
            for c in classes
        )
        combos = tuple(
            FacetLink(license_class_term(c).label, open_weight_path(status, c), len(by_class[c]))
            for c in classes
            if by_class.get(c)
        )
        path = open_weight_path(status)
        matrix.append(MatrixRow(FacetLink(term.label, path, len(models)), cells))
        yield from _listing(tables, released.get(status, []), path, f"{term.label} models", term, None, combos)
        for license_class in sorted(by_class):
            combo_path = open_weight_path(status, license_class)
            class_term = license_class_term(license_class)
            title = f"{term.label}, {class_term.label} licence"
            current = tuple(FacetLink(c.label, c.path, c.count, current=c.path == combo_path) for c in combos)
            listed = released_combos[(status, license_class)]
            yield from _listing(tables, listed, combo_path, title, term, class_term, current)
    headers = tuple(
        FacetLink(license_class_term(c).label, license_class_path(c), sum(1 for m in ordered if m.license_class == c))
        for c in classes
    )
    yield PageOut(
        "open_weights.html",
        OpenWeightsIndexPage(
            path="open-weights/",
            title="Open weights",
            section="open-weights",
            terms=tuple(open_weight_term(s) for s in statuses),
            class_headers=headers,
            matrix=tuple(matrix),
        ),
    )


def _listing(
    tables: Tables,
    models: Sequence[ModelSummary],
    path: str,
    title: str,
    term: Term,
    class_term: Term | None,
    combos: tuple[FacetLink, ...],
) -> Outputs:
    """The pages of one open-weight listing (a status, or a status × licence class), 100 models a page;
    ``models`` newest release first."""
    for number, page_path, table in tables.pages(models, path):
        yield PageOut(
            "open_weight.html",
            OpenWeightPage(
                path=page_path,
                title=paged_title(title, number),
                section="open-weights",
                term=term,
                class_term=class_term,
                combos=combos,
                table=table,
            ),
        )
