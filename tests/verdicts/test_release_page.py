"""The corpus world's site: qwen/qwen3-max's release credited to the article that says it, on OpenRouter since
2025-09-23; vendors shown under their own spelling, each once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker.config import Settings, SiteSettings
from tracker.site.build import build_site
from tracker.store.db import make_engine, make_sessionmaker


@pytest.fixture
def site(world, tmp_path: Path) -> Path:
    engine = make_engine(world)
    try:
        settings = Settings(database_url=world, site=SiteSettings(base_url="https://tracker.example.org/"))
        build_site(make_sessionmaker(engine), settings, tmp_path / "site")
    finally:
        engine.dispose()
    return tmp_path / "site"


def test_the_qwen3_max_page_credits_its_release_date_to_the_source_that_says_it(site: Path):
    page = (site / "models" / "qwen" / "qwen3-max" / "index.html").read_text(encoding="utf-8")
    released = page[page.index(">Released<") :][:1500]
    assert "2025-09-05" in released and "(press)" in released
    assert "2025-09-23" not in released.split("On OpenRouter since")[0]
    since = page[page.index("On OpenRouter since") :][:600]
    assert "2025-09-23" in since
    # the vendor in the breadcrumb is the one its organisation spells
    assert '<a href="../../../vendors/qwen/">Qwen</a></nav>' in page


def test_the_vendor_filter_shows_each_vendor_once_under_its_own_spelling(site: Path):
    index = (site / "models" / "index.html").read_text(encoding="utf-8")
    select = index[index.index('id="f-vendor"') :].split("</select>")[0]
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', select)
    values = [v for v, _ in options if v]
    assert len(values) == len({v.casefold() for v in values})  # each vendor once
    assert ("qwen", "Qwen") in options and ("inclusionai", "inclusionAI") in options
    vendors = (site / "vendors" / "index.html").read_text(encoding="utf-8")
    assert ">Qwen</a>" in vendors and ">qwen</a>" not in vendors
