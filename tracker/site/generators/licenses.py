"""One page per licence and per licence class, and the licences index."""

from __future__ import annotations

from collections import Counter, defaultdict

from tracker.site.contexts import (
    LicenseClassPage,
    LicenseClassSummary,
    LicensePage,
    LicensesIndexPage,
    LicenseSummary,
    ModelSummary,
)
from tracker.site.generators import Outputs, PageOut, SiteInputs
from tracker.site.glossary import LICENSE_CLASSES, license_class_term
from tracker.site.summaries import paged_title
from tracker.urls import license_class_path


def license_pages(inputs: SiteInputs) -> Outputs:
    tables = inputs.tables
    by_license: dict[str, list[ModelSummary]] = defaultdict(list)
    by_class: dict[str, list[ModelSummary]] = defaultdict(list)
    for m in inputs.ordered:
        by_class[m.license_class].append(m)
        if m.license_path is not None:
            by_license[m.license_path].append(m)
    # The same groups, newest release first (the order their pages list them in).
    released_by_license = tables.grouped(lambda m: m.license_path)
    released_by_class = tables.grouped(lambda m: m.license_class)
    licenses: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for path, models in sorted(by_license.items()):
        key = Counter(m.license_key for m in models).most_common(1)[0][0] or path
        license_class = Counter(m.license_class for m in models).most_common(1)[0][0]
        term = license_class_term(license_class)
        licenses[license_class].append((key, path, len(models)))
        for number, page_path, table in tables.pages(released_by_license[path], path):
            yield PageOut(
                "license.html",
                LicensePage(
                    path=page_path,
                    title=paged_title(key, number),
                    section="licenses",
                    key=key,
                    term=term,
                    class_path=license_class_path(license_class),
                    table=table,
                ),
            )
    summaries = []
    for key in [*LICENSE_CLASSES, *sorted(k for k in by_class if k not in LICENSE_CLASSES)]:
        term = license_class_term(key)
        path = license_class_path(key)
        items = tuple(
            LicenseSummary(key=k, path=p, license_class=key, count=n)
            for k, p, n in sorted(licenses.get(key, ()), key=lambda t: t[0].casefold())
        )
        models = by_class.get(key, [])
        summaries.append(LicenseClassSummary(term=term, path=path, count=len(models), licenses=items))
        listed = released_by_class.get(key, [])
        for number, page_path, table in tables.pages(listed, path):
            title = f"{term.label} licences"
            yield PageOut(
                "license_class.html",
                LicenseClassPage(
                    path=page_path,
                    title=paged_title(title, number),
                    section="licenses",
                    term=term,
                    licenses=items,
                    table=table,
                ),
            )
    yield PageOut(
        "licenses.html",
        LicensesIndexPage(path="licenses/", title="Licences", section="licenses", classes=tuple(summaries)),
    )
