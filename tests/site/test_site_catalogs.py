"""The catalog-accuracy page and the model page's catalog values and cost calculator (issue 16): rendered
without JavaScript, linked correctly, and the calculator computing the same figures in a real browser."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers.corpus import snapshot
from linkcheck import check_site
from site_fixtures import site_settings
from test_site_browser import open_site  # noqa: F401  (the fixture)

from tracker.backfill import backfill_openrouter
from tracker.normalize.peers.epoch import parse_epoch
from tracker.normalize.peers.litellm import parse_litellm
from tracker.peers.store import ingest_catalog
from tracker.site.build import build_site
from tracker.store.db import session_scope
from tracker.store.tables.huggingface import HfOrg

#: A small catalog in LiteLLM's format (written for this test): one stale price, one right, one wrong context.
CATALOG = {
    "openrouter/qwen/qwen3-max": {
        "litellm_provider": "openrouter",
        "input_cost_per_token": 1.2e-06,  # OpenRouter's price until the 2026-03-17 cut: stale
        "output_cost_per_token": 3.9e-06,  # today's price: agrees
        "max_input_tokens": 100000,  # never OpenRouter's: wrong
    },
}


@pytest.fixture
def catalog_site(corpus: Path, db_url: str, sessions, tmp_path: Path):
    files = [snapshot(corpus, name) for name in ("2025-12-02", "2026-03-17", "2026-08-22")]
    with session_scope(sessions) as session:  # Qwen's Hub organisation was searched: api-only is a finding
        session.add(HfOrg(name="Qwen", first_crawled_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC)))
    assert all(s.status == "success" for s in backfill_openrouter(sessions, db_url, files, trigger="test"))
    parse = parse_litellm(CATALOG, version="test", snapshot_at=dt.datetime(2026, 8, 22, 12, tzinfo=dt.UTC))
    # an Epoch-format row (written for this test): open-weight evidence contrary to what the APIs say
    epoch = parse_epoch(
        "Model,Model accessibility,Parameters\nQwen3-Max,Open weights (unrestricted),\n",
        version="2026-02-16",
        snapshot_at=dt.datetime(2026, 2, 16, tzinfo=dt.UTC),
    )
    with session_scope(sessions) as session:
        fetched = dt.datetime(2026, 8, 22, 12, tzinfo=dt.UTC)
        ingest_catalog(session, parse, url="https://example.org/<prices>.json", fetched_at=fetched, run_id=None)
        ingest_catalog(session, epoch, url="https://epoch.ai/data/x.csv", fetched_at=fetched, run_id=None)
    out = tmp_path / "site"
    build_site(sessions, site_settings(db_url, tmp_path / "newsletter", workers=1), out)
    return out


def test_catalog_page_and_model_page_show_the_verdicts(catalog_site: Path) -> None:
    page = (catalog_site / "catalogs" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "litellm@test" in text
    assert "Input price ($/M) 1 0 1 0 0" in text  # compared, agree, stale, wrong, unlinked
    assert "Context length 1 0 0 1 0" in text
    assert "stale since 2026-03-17" in text and "+$0.42 (+53.8 %)" in text
    assert "−162,144 (−61.9 %)" in text  # 100,000 against 262,144
    assert 'href="https://example.org/&lt;prices&gt;.json"' in page  # the catalog's URL, escaped
    assert 'href="../models/qwen/qwen3-max/#catalogs"' in page
    # Epoch's accessibility is aggregator evidence, shown with its quote beside the status tracker shows
    evidence = page[page.index('<table class="catalog-evidence">') :].split("</table>")[0]
    assert "<td>open</td><td>api-only</td><td><q>Model accessibility: Open weights (unrestricted)</q>" in evidence
    model = (catalog_site / "models" / "qwen" / "qwen3-max" / "index.html").read_text(encoding="utf-8")
    section = model[model.index('<section id="catalogs">') : model.index('<section id="cost">')]
    assert "OpenRouter changed it on 2026-03-17" in section and "<q>input_cost_per_token=1.2e-06</q>" in section
    assert "<td>epoch</td><td>Open weights</td><td>open</td>" in section
    cost = model[model.index('<section id="cost">') : model.index('<section id="claims">')]
    assert "very long prompt: 150,000 in, 2,000 out" in cost and "tier prompt ≥ 128,000 tokens (whole request)" in cost
    assert "prompt: 150,000 tokens × $1.95/M = $0.2925" in cost and "$0.312" in cost
    report = check_site(catalog_site)
    assert report.broken == [] and report.pages > 5


@pytest.mark.browser
def test_cost_calculator_without_and_with_javascript(catalog_site: Path, open_site) -> None:  # noqa: F811
    page, base, _watch = open_site(catalog_site, javascript=False)
    page.goto(base + "models/qwen/qwen3-max/")
    assert page.is_visible("table.cost-presets") and not page.is_visible("#cost-calculator")
    assert "$0.312" in page.locator("table.cost-presets").inner_text()
    page.goto(base + "catalogs/")
    assert "stale since 2026-03-17" in page.locator("table.catalog-disagreements").inner_text()

    page, base, _watch = open_site(catalog_site)
    page.goto(base + "models/qwen/qwen3-max/")
    assert page.is_visible("#cost-calculator")
    page.fill('[data-cost="prompt"]', "150000")
    page.fill('[data-cost="completion"]', "2000")
    result = page.locator('[data-cost="result"]').inner_text()
    assert "tier prompt>=128000 (whole request): $0.312" in result
    assert "prompt: 150,000 tokens × $1.95/M = $0.2925" in result
    page.fill('[data-cost="prompt"]', "1000")
    page.fill('[data-cost="cached"]', "400")
    result = page.locator('[data-cost="result"]').inner_text()
    # (600 × $0.78 + 400 × $0.156 + 2,000 × $3.90) / 1M = $0.0083304, shown to the millionth like `tracker cost`
    assert "base price: $0.00833" in result
    assert "input_cache_read: 400 tokens × $0.156/M = $0.000062" in result
