"""qwen/qwen3-max's page: released 2025-09-05 credited to the article that says it, on OpenRouter since 2025-09-23."""

from __future__ import annotations

from pathlib import Path

from tracker.config import Settings, SiteSettings
from tracker.site.build import build_site
from tracker.store.db import make_engine, make_sessionmaker


def test_the_qwen3_max_page_credits_its_release_date_to_the_source_that_says_it(world, tmp_path: Path):
    engine = make_engine(world)
    try:
        settings = Settings(database_url=world, site=SiteSettings(base_url="https://tracker.example.org/"))
        build_site(make_sessionmaker(engine), settings, tmp_path / "site")
    finally:
        engine.dispose()
    page = (tmp_path / "site" / "models" / "qwen" / "qwen3-max" / "index.html").read_text(encoding="utf-8")
    released = page[page.index(">Released<") :][:1500]
    assert "2025-09-05" in released and "(press)" in released
    assert "2025-09-23" not in released.split("On OpenRouter since")[0]
    since = page[page.index("On OpenRouter since") :][:600]
    assert "2025-09-23" in since
