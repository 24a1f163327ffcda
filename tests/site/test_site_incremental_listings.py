"""The incremental site against a cold build, and the paginated vendor, licence and open-weight pages.

The key check: after a price change, the folder an incremental build leaves is byte for byte the
folder a cold build of the same database writes (pages, exports, feed, database copy and the build's
records), with the listing pages split into small pages so that the pagination is part of it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from site_fixtures import fill_small_database, site_settings
from test_site_incremental import MISTRAL, _cut_price, _files

from tracker.site import reading
from tracker.site import summaries as summaries_module
from tracker.site.build import build_site
from tracker.site.generators import models as models_generator
from tracker.site.generators import site_inputs
from tracker.site.generators.licenses import license_pages
from tracker.site.generators.open_weights import open_weight_pages
from tracker.site.generators.vendors import vendor_pages
from tracker.site.paths import output_file
from tracker.site.queries import load_site_data, model_rows
from tracker.store.db import session_scope
from tracker.urls import model_path

PAGED = re.compile(r"page/\d+/$")


#: The build's cache of summaries and export spans (not part of the site; a pickle, whose bytes may
#: differ with the same content).
CACHE = ".tracker-site-rows.pickle"


def _folder(root: Path) -> dict[str, bytes]:
    assert (root / CACHE).is_file()
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != CACHE
    }


@pytest.fixture
def small_pages(monkeypatch):
    """Listings of one model a page and an index of two a page: the small database paginates everywhere."""
    monkeypatch.setattr(summaries_module, "PAGE_SIZE", 1)
    monkeypatch.setattr(models_generator, "PAGE_SIZE", 2)


@pytest.mark.parametrize("chunk", [2, 2000])
def test_a_price_change_leaves_the_folder_a_cold_build_writes(
    sessions, db_url, tmp_path, small_pages, monkeypatch, chunk
):
    monkeypatch.setattr(reading, "CHUNK", chunk)
    with session_scope(sessions) as session:
        fill_small_database(session)
    settings = site_settings(db_url, tmp_path / "no-newsletter", workers=1)
    site = tmp_path / "site"
    first = build_site(sessions, settings, site)
    before = _files(site)
    _cut_price(sessions, subject=MISTRAL, model_id=4, new="0.04")
    read: list[int] = []

    def counting(session, model_ids, rename_ids=None):
        read.extend(model_ids)
        return model_rows(session, model_ids, rename_ids)

    monkeypatch.setattr(reading, "model_rows", counting)
    again = build_site(sessions, settings, site)
    # Only the chunk holding the changed model was read again (its rows, for summaries and exports).
    assert 4 in read and len(read) == (chunk if chunk < first.models else first.models)
    monkeypatch.setattr(reading, "model_rows", model_rows)
    cold = tmp_path / "cold"
    build_site(sessions, settings, cold)
    incremental, fresh = _folder(site), _folder(cold)
    assert sorted(incremental) == sorted(fresh)
    differing = [rel for rel in fresh if incremental[rel] != fresh[rel]]
    assert differing == []
    # Only the pages that show the model (and the exports) were rendered and written.
    written = {rel for rel, mtime in _files(site).items() if before.get(rel) != mtime}
    page = output_file(model_path(MISTRAL))
    assert page in written
    for rel in written - {page}:
        text = (site / rel).read_bytes().decode("utf-8", "replace")
        assert rel.startswith("data/") or f"{MISTRAL}/" in text, rel
    assert 0 < again.rendered < first.rendered // 3


def test_a_rebuild_of_an_unchanged_paginated_site_renders_and_writes_nothing(sessions, db_url, tmp_path, small_pages):
    with session_scope(sessions) as session:
        fill_small_database(session)
    settings = site_settings(db_url, tmp_path / "no-newsletter", workers=1)
    site = tmp_path / "site"
    build_site(sessions, settings, site)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    again = build_site(sessions, settings, site)
    assert (again.written, again.rendered, again.removed) == (0, 0, 0)
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == before


def test_listing_pages_show_every_model_exactly_once_across_their_pages(sessions, small_pages):
    with session_scope(sessions) as session:
        fill_small_database(session)
    with sessions() as session:
        inputs = site_inputs(load_site_data(session))
    pages = [out.page for gen in (vendor_pages, license_pages, open_weight_pages) for out in gen(inputs)]
    groups: dict[str, list] = defaultdict(list)
    for page in pages:
        if hasattr(page, "table"):
            groups[PAGED.sub("", page.path)].append(page)
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for m in inputs.ordered:
        for base in (m.vendor_path, m.license_path, m.license_class_path, m.open_weight_path):
            if base is not None:
                expected[base][m.key] += 1
        expected[f"{m.open_weight_path}{m.license_class}/"][m.key] += 1
    assert any(len(group) > 1 for group in groups.values())  # the small database does paginate here
    for base, group in groups.items():
        shown: Counter[str] = Counter()
        for page in group:
            for m in inputs.ordered:
                shown[m.key] += page.table.rows.count(f'href="{page.root}{m.path}"')
        assert +shown == expected[base], base
        total = sum(expected[base].values())
        numbers = [p.table.pager.number if p.table.pager else 1 for p in group]
        assert numbers == list(range(1, len(group) + 1)) and len(group) == max(1, total)
        if len(group) > 1:
            assert group[0].path == base and group[1].path == f"{base}page/2/"
            assert (group[0].table.pager.next_path, group[1].table.pager.prev_path) == (group[1].path, base)


def test_a_paginated_licence_page_links_its_pages_without_javascript(sessions, db_url, tmp_path, small_pages):
    with session_scope(sessions) as session:
        fill_small_database(session)
    out = tmp_path / "site"
    build_site(sessions, site_settings(db_url, tmp_path / "no-newsletter", workers=1), out)
    second = (out / "licenses/Apache-2.0/page/2/index.html").read_text()
    assert "(page 2 of" in second and 'rel="prev" href="../../../../licenses/Apache-2.0/"' in second
    first = (out / "licenses/Apache-2.0/index.html").read_text()
    assert 'rel="next" href="../../licenses/Apache-2.0/page/2/"' in first and "(page 1 of" in first
    assert (out / "open-weights/open/permissive/page/2/index.html").is_file()
