"""Paths of the site's own pages (beyond the shared ones in :mod:`tracker.urls`).

Every path is relative to the site root; folders end in ``/`` and are served as
``index.html``. Pages link to each other with relative URLs built by
:func:`root_of` so that the site works from any sub-path and any file host.
"""

from __future__ import annotations

from tracker.urls import path_segment

HOME = ""
MODELS = "models/"
VENDORS = "vendors/"
LICENSES = "licenses/"
OPEN_WEIGHTS = "open-weights/"
NEWSLETTER = "newsletter/"
DATA = "data/"
FEED = "feed.xml"
STATIC = "static/"

#: Sort orders of the models index that exist as pages (usable without JavaScript):
#: sort key → page path. ``released`` (newest first) is the default order at ``models/``.
SORTS: dict[str, str] = {
    "released": MODELS,
    "name": "models-by/name/",
    "vendor": "models-by/vendor/",
    "input": "models-by/input-price/",
    "output": "models-by/output-price/",
    "context": "models-by/context/",
}


def sort_page_path(sort: str, page: int = 1) -> str:
    """Page ``page`` of the models index in one sort order: ``models/``, ``models/page/2/``,
    ``models-by/name/page/3/``."""
    base = SORTS[sort]
    return base if page <= 1 else f"{base}page/{page}/"


def paged_path(base: str, page: int = 1) -> str:
    """Page ``page`` of a paginated listing at ``base``: ``vendors/qwen/``, ``vendors/qwen/page/2/``."""
    return base if page <= 1 else f"{base}page/{page}/"


def pager_numbers(number: int, pages: int, near: int = 2) -> list[int]:
    """PURE: the page numbers a pager links: the first, the last and ``near`` on each side."""
    return sorted({1, pages, *range(max(1, number - near), min(pages, number + near) + 1)})


def open_weight_path(status: str, license_class: str | None = None) -> str:
    """``open-weights/open/`` or, combined with a licence class, ``open-weights/open/permissive/``."""
    base = f"{OPEN_WEIGHTS}{path_segment(status)}/"
    return base if license_class is None else f"{base}{path_segment(license_class)}/"


def root_of(path: str) -> str:
    """The relative prefix from the page at ``path`` back to the site root (``./``, ``../``...)."""
    folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    depth = len([p for p in folder.split("/") if p])
    return "../" * depth if depth else "./"


def output_file(path: str) -> str:
    """The file that serves ``path``: folders get ``index.html``."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path
