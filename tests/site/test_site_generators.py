"""The page generators on their own: page contexts from the small database's rows, no rendering, no writing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from site_fixtures import fill_small_database, write_newsletter_archive

from tracker.site.archive import read_archive
from tracker.site.contexts import VendorPage
from tracker.site.generators import FileOut, PageOut, site_inputs
from tracker.site.generators import vendors as vendors_module
from tracker.site.generators.catalogs import catalog_pages
from tracker.site.generators.changes import change_log
from tracker.site.generators.disputes import disputes_page
from tracker.site.generators.downloads import download_files
from tracker.site.generators.home import home_page
from tracker.site.generators.licenses import license_pages
from tracker.site.generators.model_pages import batch_models, batches, model_page_inputs, model_pages_inputs
from tracker.site.generators.models import models_index
from tracker.site.generators.newsletter import issue_summaries, newsletter_pages
from tracker.site.generators.open_weights import open_weight_pages
from tracker.site.generators.status import status_pages
from tracker.site.generators.vendors import vendor_pages
from tracker.site.inputs import page_hash
from tracker.site.paths import output_file
from tracker.site.queries import load_site_data
from tracker.site.status import StatusData
from tracker.site.writer import MANIFEST
from tracker.store.db import session_scope

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def inputs(sessions):
    with session_scope(sessions) as session:
        fill_small_database(session)
    with sessions() as session:
        return site_inputs(load_site_data(session))


def _all_outputs(inputs, archive_dir: Path) -> list[PageOut | FileOut]:
    archived, problems = read_archive(archive_dir)
    assert problems == []
    return [
        *models_index(inputs),
        *vendor_pages(inputs),
        *license_pages(inputs),
        *open_weight_pages(inputs),
        *disputes_page(inputs),
        *catalog_pages(inputs),
        *change_log(inputs, per_page=50, feed_entries=50, base_url="https://tracker.example/", title="t"),
        *newsletter_pages(archived),
        *home_page(inputs, issue_summaries(archived), title="t"),
        *download_files(inputs, database=True),
        *status_pages(StatusData(as_of=None, sources=(), listings=())),  # its input is read apart (load_status)
    ]


def test_the_generators_produce_every_page_of_the_golden_site_once(inputs, tmp_path):
    write_newsletter_archive(tmp_path / "newsletter")
    outputs = _all_outputs(inputs, tmp_path / "newsletter")
    pages = [output_file(o.page.path) for o in outputs if isinstance(o, PageOut)]
    files = [o.path for o in outputs if isinstance(o, FileOut)]
    pages_inputs = model_pages_inputs(inputs, hub_url="https://huggingface.co")
    models = [
        path
        for task in batches(len(inputs.data.models))
        for _m, path, _i in model_page_inputs(pages_inputs, batch_models(pages_inputs, task), {})
    ]
    produced = [*pages, *files, *models]
    assert len(produced) == len(set(produced)), "a file is produced twice"
    golden = {
        p.relative_to(GOLDEN).as_posix()
        for p in GOLDEN.rglob("*")
        if p.is_file() and not p.relative_to(GOLDEN).as_posix().startswith(("static/", MANIFEST))
    }  # the static files are copied and the manifest is the writer's
    assert set(produced) == golden


def test_generators_are_pure_the_same_rows_give_the_same_contexts(inputs, tmp_path):
    write_newsletter_archive(tmp_path / "newsletter")
    assert _all_outputs(inputs, tmp_path / "newsletter") == _all_outputs(inputs, tmp_path / "newsletter")


def test_a_vendor_page_lists_the_vendors_typed_changes_newest_first(inputs):
    [qwen] = [o.page for o in vendor_pages(inputs) if isinstance(o.page, VendorPage) and o.page.vendor == "Qwen"]
    assert qwen.path == "vendors/qwen/" and qwen.table.count == 1
    assert [c.kind for c in qwen.changes] == ["price_changed", "price_changed", "price_changed", "model_added"]
    assert qwen.changes[0].summary == "Input price (prompts ≥ 32,000 tokens) added: $1.56 per 1M tokens"
    assert [c.detected_at for c in qwen.changes] == sorted((c.detected_at for c in qwen.changes), reverse=True)


def test_a_vendor_pages_input_hash_sees_its_recent_changes_without_their_views(inputs, monkeypatch):
    def qwen(of):
        return next(o.page for o in vendor_pages(of) if isinstance(o.page, VendorPage) and o.page.vendor == "Qwen")

    before = qwen(inputs)
    qwen_ids = {m.id for m in inputs.summaries.values() if m.vendor_name == "Qwen"}
    newest = next(e for e in inputs.data.events if e.model_id in qwen_ids)
    fewer = replace(inputs, data=replace(inputs.data, events=[e for e in inputs.data.events if e is not newest]))
    monkeypatch.setattr(vendors_module, "event_view", lambda *a: pytest.fail("a view made for the hash"))
    after = qwen(fewer)
    assert after.table == before.table
    assert page_hash("s", "vendor.html", after) != page_hash("s", "vendor.html", before)
    assert page_hash("s", "vendor.html", qwen(inputs)) == page_hash("s", "vendor.html", before)
