"""The incremental site: an unchanged database is not even read, a changed price rewrites the pages that
show it and nothing else, a removed model's page goes, and the models index comes in linked pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from site_fixtures import fill_small_database, site_settings
from sqlalchemy import delete, insert, select, update

from tracker.site import rebuild as build_module
from tracker.site.build import build_site
from tracker.site.changes import change_pages
from tracker.site.generators import models as models_generator
from tracker.site.generators import site_inputs
from tracker.site.generators.models import models_index, pager
from tracker.site.inputs import FILE, BuiltInputs, needs_render, unchanged
from tracker.site.paths import output_file, sort_page_path
from tracker.site.queries import load_site_data
from tracker.site.stamp import database_stamp
from tracker.store.db import session_scope
from tracker.store.tables import Claim, Model, Price
from tracker.urls import model_path

MISTRAL = "mistralai/mistral-small-3.2-24b-instruct"
AT = dt.datetime(2026, 7, 21, 6, 0, tzinfo=dt.UTC)


def _files(out):
    """The site's files and their modification times (not the build's own records, ``.tracker-site*``)."""
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".tracker-site")
    }


def _cut_price(sessions, *, subject: str, model_id: int, new: str) -> None:
    """What a crawl records for a price cut: the current row closed, a new one opened."""
    with session_scope(sessions) as session:
        row = (
            session.execute(
                select(Price.__table__).where(
                    Price.subject == subject, Price.component == "prompt", Price.last_seen_at.is_(None)
                )
            )
            .mappings()
            .one()
        )
        session.execute(update(Price).where(Price.id == row["id"]).values(last_seen_at=AT))
        values = {k: v for k, v in row.items() if k != "id"}
        values.update(usd_per_mtok=Decimal(new), raw=str(Decimal(new) / 1_000_000), first_seen_at=AT)
        session.execute(insert(Price), [values])
        assert row["model_id"] == model_id


def test_an_unchanged_database_is_not_read_and_no_file_is_written(small_site, sessions, monkeypatch):
    before = {p: p.stat().st_mtime_ns for p in small_site.out.rglob("*") if p.is_file()}

    def no_reading(_session):
        raise AssertionError("the rows were read although nothing changed")

    monkeypatch.setattr(build_module, "load_site_data", no_reading)
    again = build_site(sessions, small_site.settings, small_site.out)
    assert (again.written, again.removed, again.rendered) == (0, 0, 0)
    assert again.pages == small_site.result.pages and again.models == small_site.result.models
    assert {p: p.stat().st_mtime_ns for p in small_site.out.rglob("*") if p.is_file()} == before


def test_a_price_cut_rewrites_the_model_page_and_the_listings_that_show_it(small_site, sessions):
    before = _files(small_site.out)
    _cut_price(sessions, subject=MISTRAL, model_id=4, new="0.04")
    again = build_site(sessions, small_site.settings, small_site.out)
    after = _files(small_site.out)
    written = {p for p, m in after.items() if before.get(p) != m}
    page = output_file(model_path(MISTRAL))
    assert page in written and "$0.04" in small_site.page(model_path(MISTRAL))
    assert "$0.04" in small_site.page("models-by/input-price/")
    # Everything rewritten shows the model (links to its page), or is an export of the data.
    for rel in written - {page}:
        text = (small_site.out / rel).read_bytes().decode("utf-8", "replace")
        assert rel.startswith("data/") or f"{MISTRAL}/" in text, rel
    assert {"models/index.html", "vendors/mistralai/index.html", "data/models.json", "data/prices.csv"} <= written
    untouched = {output_file(model_path("qwen/qwen3-max")), "vendors/qwen/index.html", "changes/index.html"}
    assert not untouched & written
    assert again.written == len(written) and again.rendered < again.pages // 2


def test_a_removed_model_loses_its_page_and_its_rows(small_site, sessions):
    page = small_site.out / output_file(model_path(MISTRAL))
    assert page.is_file()
    with session_scope(sessions) as session:
        session.execute(delete(Model).where(Model.id == 4))
    again = build_site(sessions, small_site.settings, small_site.out)
    assert not page.exists() and again.models == small_site.result.models - 1
    assert again.removed == 2 and not (small_site.out / "vendors" / "mistralai").exists()  # its only model
    assert f"{MISTRAL}/" not in small_site.page("models/") and "mistralai/" not in small_site.page("vendors/")


def test_a_claim_status_changed_in_place_changes_the_stamp(small_site, sessions):
    """The ledger updates claims in place, without a timestamp: the stamp still sees it."""
    with sessions() as session:
        first = database_stamp(session)
        assert database_stamp(session) == first
        claim_id, status = session.execute(select(Claim.id, Claim.status).order_by(Claim.id)).first()
    with session_scope(sessions) as session:
        session.execute(update(Claim).where(Claim.id == claim_id).values(status="outdated"))
    with sessions() as session:
        second = database_stamp(session)
    assert second != first and status != "outdated"


def test_a_lost_or_foreign_record_renders_everything_again(small_site, sessions):
    (small_site.out / FILE).write_text("not json")
    again = build_site(sessions, small_site.settings, small_site.out)
    assert again.rendered == again.pages and again.written == 0  # every page rendered, none differed
    assert build_site(sessions, small_site.settings, small_site.out).rendered == 0


def test_a_deleted_page_is_rendered_again(small_site, sessions):
    page = small_site.out / output_file(model_path(MISTRAL))
    page.unlink()
    again = build_site(sessions, small_site.settings, small_site.out)
    assert page.is_file() and again.written == 1 and again.rendered == 1


def test_the_decisions_of_the_record():
    old = BuiltInputs(stamp="s1", hashes={"a/index.html": "h1", "b.css": "h2"})
    assert unchanged(old, "s1", {"a/index.html", "b.css"}, [])
    assert not unchanged(old, "s2", {"a/index.html", "b.css"}, [])
    assert not unchanged(old, "s1", {"a/index.html", "b.css"}, ["b.css"])  # a file went missing
    assert not unchanged(old, "s1", {"a/index.html", "b.css", "c.html"}, [])  # the file list disagrees
    assert not unchanged(None, "s1", set(), [])
    assert not needs_render(old, "a/index.html", "h1")
    assert needs_render(old, "a/index.html", "h9") and needs_render(old, "new.html", "h1")
    assert needs_render(None, "a/index.html", "h1")


@pytest.mark.parametrize(
    ("number", "pages", "links"),
    [(1, 1, [1]), (1, 9, [1, 2, 3, 9]), (5, 9, [1, 3, 4, 5, 6, 7, 9]), (9, 9, [1, 7, 8, 9])],
)
def test_the_pager_links_the_ends_and_the_neighbours(number, pages, links):
    assert pager(number, pages) == links


def test_every_sort_order_is_split_into_linked_pages_that_list_every_model_once(sessions):
    with session_scope(sessions) as session:
        fill_small_database(session)
    with sessions() as session:
        inputs = site_inputs(load_site_data(session))
    pages = [out.page for out in models_index(inputs, page_size=4)]
    assert len(pages) == 6 * 2  # six models, four a page, six sort orders
    by_input = [p for p in pages if p.path.startswith("models-by/input-price/")]
    assert [p.path for p in by_input] == ["models-by/input-price/", "models-by/input-price/page/2/"]
    assert (by_input[0].next_path, by_input[1].prev_path) == (by_input[1].path, by_input[0].path)
    assert (by_input[0].prev_path, by_input[1].next_path) == (None, None)
    assert [(p.first, p.last, p.table.count) for p in by_input] == [(1, 4, 4), (5, 6, 2)]
    for m in inputs.ordered:  # each model on exactly one page of the order
        assert sum(p.table.rows.count(f'href="{p.root}{m.path}"') for p in by_input) == 1, m.key


def test_a_paginated_index_is_built_with_working_links(sessions, db_url, tmp_path, monkeypatch):
    with session_scope(sessions) as session:
        fill_small_database(session)
    monkeypatch.setattr(models_generator, "PAGE_SIZE", 4)
    out = tmp_path / "site"
    build_site(sessions, site_settings(db_url, tmp_path / "no-newsletter", workers=1), out)
    second = (out / output_file(sort_page_path("name", 2))).read_text()
    assert "page 2 of 2" in second and 'rel="prev" href="../../../../models-by/name/"' in second
    assert 'href="../../../../data/models.csv"' in second
    first = (out / output_file(sort_page_path("name", 1))).read_text()
    assert 'rel="next" href="../../models-by/name/page/2/"' in first


def test_reading_two_models_at_a_time_builds_the_golden_site(small_site, sessions, tmp_path, monkeypatch):
    """Listings and prices read a chunk of models at a time give the same pages and exports."""
    monkeypatch.setattr("tracker.site.reading.CHUNK", 2)
    monkeypatch.setattr("tracker.site.generators.model_pages.BATCH", 2)
    out = tmp_path / "chunked"
    build_site(sessions, small_site.settings, out)
    golden = Path(__file__).resolve().parent / "golden"
    for rel in ("data/models.json", "data/models.csv", "data/prices.json", "data/prices.csv", "data/index.html"):
        assert (out / rel).read_bytes() == (golden / rel).read_bytes(), rel
    for rel in ("models-by/input-price/index.html", output_file(model_path("qwen/qwen3-max"))):
        assert (out / rel).read_bytes() == (small_site.out / rel).read_bytes(), rel


def test_a_new_event_changes_only_the_front_and_the_newest_archive_page(sessions):
    with session_scope(sessions) as session:
        fill_small_database(session)
    with sessions() as session:
        inputs = site_inputs(load_site_data(session))
    events = inputs.data.events
    assert len(events) >= 7
    before = {p.path: p for p in change_pages(events[1:], inputs.summaries, per_page=2)}
    after = {p.path: p for p in change_pages(events, inputs.summaries, per_page=2)}
    changed = {path for path, page in after.items() if before.get(path) != page}
    newest = max((p for p in after.values() if p.archive), key=lambda p: p.page)
    assert changed <= {"changes/", newest.path} and "changes/" in changed
    oldest = after["changes/page/1/"]
    assert [e.id for e in oldest.events] == [e.id for e in events[-2:]]  # the two first ever recorded, newest first
    assert (oldest.prev_path, oldest.next_path) == ("changes/page/2/", None)
    assert after["changes/"].next_path == f"changes/page/{(len(events) - 3) // 2 + 1}/"
    shown = [e.id for p in after.values() if p.archive for e in p.events]
    assert sorted(shown) == sorted(e.id for e in events)  # the archive holds every event once
