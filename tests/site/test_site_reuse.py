"""What a build keeps for the next (:mod:`tracker.site.reuse`): table rows' HTML by summary digest and
compiled templates, in the rows cache. A rebuild renders only the rows of models whose summary changed,
compiles no template the last build compiled, and still leaves the folder a cold build writes."""

from __future__ import annotations

import pickle

import pytest
from jinja2 import Environment, FileSystemLoader
from site_fixtures import fill_small_database, site_settings
from test_site_incremental import MISTRAL, _cut_price
from test_site_incremental_listings import _folder

from tracker.paths import templates_dir
from tracker.site import reading
from tracker.site import summaries as summaries_module
from tracker.site.build import build_site
from tracker.site.render import environment
from tracker.site.reuse import Reused, TemplateCache
from tracker.store.db import session_scope


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(summaries_module, "PAGE_SIZE", 1)


def _kept(site):
    raw = pickle.loads((site / reading.CACHE).read_bytes())
    return raw["reuse"]


def test_a_price_change_renders_only_the_changed_models_row(sessions, db_url, tmp_path, small_pages, monkeypatch):
    with session_scope(sessions) as session:
        fill_small_database(session)
    settings = site_settings(db_url, tmp_path / "no-newsletter", workers=1)
    site = tmp_path / "site"
    first = build_site(sessions, settings, site)
    kept = _kept(site)
    assert len(kept["rows"]) == first.models  # every model's row, by its summary's digest
    assert isinstance(kept["templates"], dict)  # what it compiled (none when this process already had them)
    _cut_price(sessions, subject=MISTRAL, model_id=4, new="0.04")
    template = environment().get_template("_rows.html")
    rendered: list[str] = []
    real = template.render

    def counting(*args, **kwargs):
        rendered.extend(m.key for m in kwargs["models"])
        return real(*args, **kwargs)

    monkeypatch.setattr(template, "render", counting)
    again = build_site(sessions, settings, site)
    monkeypatch.setattr(template, "render", real)
    assert again.rendered > 0
    assert rendered == [MISTRAL]
    cold = tmp_path / "cold"
    build_site(sessions, settings, cold)
    incremental, fresh = _folder(site), _folder(cold)
    assert sorted(incremental) == sorted(fresh)
    assert [rel for rel in fresh if incremental[rel] != fresh[rel]] == []
    # The kept rows are this build's: the changed model's row is kept under its new summary's digest.
    rows = _kept(site)["rows"]
    assert len(rows) == first.models and rows == _kept(cold)["rows"]


def test_kept_rows_are_dropped_when_the_build_salt_differs(tmp_path):
    (tmp_path / reading.CACHE).write_bytes(
        pickle.dumps(
            {
                "version": reading.CACHE_VERSION,
                "salt": "old",
                "exports": {},
                "chunks": 0,
                "reuse": {"rows": {b"x": "<tr data-name=x>"}, "templates": {"shared:k": b"code"}},
            }
        )
    )
    assert reading.ChunkCache(tmp_path, "old", {}, {}).kept.rows == {b"x": "<tr data-name=x>"}
    other = reading.ChunkCache(tmp_path, "new", {}, {}).kept
    assert (other.rows, other.templates) == ({}, {})


def test_a_kept_compiled_template_is_loaded_not_compiled(monkeypatch):
    stored: dict[str, bytes] = {}

    def env() -> Environment:
        out = Environment(loader=FileSystemLoader(str(templates_dir() / "site")), autoescape=True)
        out.filters.update(environment().filters)
        out.bytecode_cache = TemplateCache(stored, "test")
        return out

    first = env().get_template("_rows.html")
    assert list(stored) and all(key.startswith("test:") for key in stored)
    second = env()
    monkeypatch.setattr(second, "compile", lambda *a, **k: pytest.fail("compiled again"))
    again = second.get_template("_rows.html")
    assert again.render(models=[], root="../") == first.render(models=[], root="../")


def test_reused_ignores_what_is_not_its_shape():
    assert (Reused(None).rows, Reused({"rows": [1], "templates": "x"}).templates) == ({}, {})
