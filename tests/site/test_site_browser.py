"""The built site in a real browser (Debian chromium via Playwright), served from a sub-path on loopback.

Every test asserts that no request leaves the site folder (all other URLs are intercepted and
aborted), that no console error or dialog happens, and it drives the pages the way a reader does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from site_fixtures import HOSTILE_NAME, QWEN_PRESS_QUOTE

from tracker.site.generators.models import PAGE_SIZE

pytestmark = pytest.mark.browser


@dataclass
class Watch:
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def open_site(chromium, serve) -> Iterator[Any]:
    """``open_site(folder, javascript=True)`` → (page, base URL, watch)."""
    contexts = []
    watches: list[tuple[Watch, Any]] = []

    def start(folder, javascript: bool = True):
        server = serve(folder)
        context = chromium.new_context(java_script_enabled=javascript, service_workers="block")
        contexts.append(context)
        watch = Watch()
        watches.append((watch, server))

        def route(r):
            if r.request.url.startswith(server.base):
                r.continue_()
            else:
                watch.outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
        page.on("response", lambda r: watch.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        return page, server.base, watch

    yield start
    for context in contexts:
        context.close()
    for watch, server in watches:
        assert watch.outside == [] and server.outside == [], "a request left the site folder"
        assert watch.errors == [], "console errors or failed requests"
        assert watch.dialogs == [], "a dialog opened: something executed"


def _visible_rows(page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#models-table tbody tr:not([hidden])",
        "rows => rows.map(r => ({ow: r.dataset.ow, lc: r.dataset.lc, input: r.dataset.input, "
        "key: r.querySelector('code').textContent}))",
    )


def test_qwen3_max_story_in_the_browser(corpus_site, open_site):
    page, base, _watch = open_site(corpus_site.out)
    page.goto(base + "models/")  # the index is paginated: 100 models a page, linked without JavaScript
    assert page.locator("#models-table tbody tr").count() == min(PAGE_SIZE, corpus_site.result.models)
    page.click("nav.pager a[rel=next]")
    page.wait_for_url(re.compile(r".*/models/page/2/$"))
    assert page.locator("#models-table tbody tr").count() == min(PAGE_SIZE, corpus_site.result.models - PAGE_SIZE)
    page.goto(base + "licenses/classes/permissive/")  # every permissive model in one table, with the live filter
    assert page.is_visible("form.live-filter")  # the script enhanced the table
    total = page.locator("#models-table tbody tr").count()
    assert total == corpus_site.page("licenses/classes/permissive/").count("<tr data-name=")

    page.select_option("#f-ow", "open")
    page.select_option("#f-lc", "permissive")
    page.click("#models-table button.sort[data-sort-key=input]")
    rows = _visible_rows(page)
    assert len(rows) == 3 and all(r["ow"] == "open" and r["lc"] == "permissive" for r in rows)
    prices = [float(r["input"]) for r in rows if r["input"]]
    assert prices == sorted(prices) and len(prices) >= 2
    assert page.text_content("#f-count") == (f"3 of {total} models" if total > 3 else "3 models")
    assert "ow=open" in page.url and "lc=permissive" in page.url and "sort=input" in page.url
    page.click("#models-table button.sort[data-sort-key=input]")  # again: highest first
    assert [float(r["input"]) for r in _visible_rows(page) if r["input"]] == sorted(prices, reverse=True)

    page.goto(base + "vendors/qwen/")
    page.fill("#f-q", "qwen/qwen3-max")
    link = page.get_by_role("link", name="Qwen: Qwen3 Max", exact=True)
    link.click()
    page.wait_for_url(re.compile(r".*/models/qwen/qwen3-max/$"))
    assert page.text_content("#open-weight-status") == "API only"
    disputes = page.inner_text("#disputes")
    assert "Shown: api-only" in disputes and "Claimed: open source" in disputes
    assert QWEN_PRESS_QUOTE in disputes
    assert page.get_attribute("#disputes a[href*='example-blog.test']", "href").startswith("https://")
    chart = page.locator("#price-chart svg")
    assert chart.count() == 1
    marks = chart.locator("circle title").all_text_contents()
    assert "2026-03-17: Input (USD per 1M tokens) $1.20 → $0.78" in marks
    changes = page.inner_text("#prices")
    assert "Input: $1.20 → $0.78 per 1M tokens (−35%)" in changes
    tiers = page.locator("table.tiers tbody tr").all_inner_texts()
    assert len(tiers) == 3
    assert tiers[0].startswith("Base price") and "$0.78" in tiers[0]
    assert tiers[1].startswith("Prompts ≥ 32,000 tokens") and "$1.56" in tiers[1]
    assert tiers[2].startswith("Prompts ≥ 128,000 tokens") and "$1.95" in tiers[2]


def test_hostile_strings_never_execute_and_show_as_text(small_site, open_site):
    page, base, watch = open_site(small_site.out)
    for html in sorted(small_site.out.rglob("*.html")):
        page.goto(base + html.relative_to(small_site.out).as_posix())
    page.goto(base + "models/evil/model/")
    assert page.inner_text("h1") == HOSTILE_NAME
    card = page.inner_text("#card")
    assert "<script>alert('card')</script>" in card and "[image: pixel]" in card
    assert "<script>alert('desc')</script>" in page.inner_text("#description")
    assert "</blockquote><script>alert('quote')</script> it is open source" in page.inner_text("#claims")
    page.goto(base + "models/")
    page.fill("#f-q", "alert")
    assert [r["key"] for r in _visible_rows(page)] == ["evil/model"]
    page.goto(base + "changes/")
    assert "~evil/latest<script>alert('alias')</script>" in page.inner_text("table.events")
    assert watch.dialogs == []


def test_without_javascript_the_tables_filter_and_sort_through_links(small_site, open_site):
    page, base, _watch = open_site(small_site.out, javascript=False)
    page.goto(base + "models/")
    assert not page.is_visible("form.live-filter")
    assert page.locator("#models-table tbody tr").count() == 6
    page.locator("#models-table thead").get_by_role("link", name="Input $/M").click()
    page.wait_for_url(re.compile(r".*/models-by/input-price/$"))
    keys = page.locator("#models-table tbody tr code").all_text_contents()
    assert keys[:2] == ["mistralai/mistral-small-3.2-24b-instruct", "openai/gpt-oss-120b"]
    page.get_by_role("link", name=re.compile(r"^Open weights \d+$")).first.click()
    page.wait_for_url(re.compile(r".*/open-weights/open/$"))
    page.locator("p.facets").get_by_role("link", name=re.compile(r"^Permissive")).click()
    page.wait_for_url(re.compile(r".*/open-weights/open/permissive/$"))
    rows = page.locator("#models-table tbody tr").all()
    assert len(rows) == 4
    assert all(r.get_attribute("data-ow") == "open" and r.get_attribute("data-lc") == "permissive" for r in rows)
