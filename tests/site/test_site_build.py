"""Building the site from a small fixed database: pages, sources, escaping, rebuilds, foreign folders."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from site_fixtures import HOSTILE_NAME, QWEN_PRESS_QUOTE, fill_small_database, site_settings, write_newsletter_archive
from sqlalchemy import insert, text

from tracker.site.build import build_site
from tracker.site.writer import MANIFEST, SiteError
from tracker.store.db import session_scope
from tracker.store.tables import Event
from tracker.urls import changes_path, license_class_path, model_path, newsletter_path, vendor_path


def test_every_page_kind_is_built(small_site):
    r = small_site.result
    assert r.models == 6 and r.written == r.pages + 10 and r.unchanged == 0 and r.removed == 0
    for path in (
        "",
        "models/",
        "models-by/input-price/",
        model_path("qwen/qwen3-max"),
        vendor_path("qwen"),
        "vendors/",
        "licenses/",
        "licenses/Apache-2.0/",
        license_class_path("permissive"),
        "open-weights/",
        "open-weights/open/permissive/",
        changes_path(),
        "disputes/",
        "newsletter/",
        newsletter_path("2026-W29"),
        "data/",
    ):
        assert "</html>" in small_site.page(path), path
    for path in ("feed.xml", "data/models.json", "data/models.csv", "data/prices.json", "data/prices.csv"):
        assert small_site.page(path)
    assert (small_site.out / "data" / "tracker.db").stat().st_size > 0
    assert (small_site.out / "static" / "site.js").is_file()


def test_model_page_shows_facts_with_sources_prices_dispute_and_lineage(small_site):
    html = small_site.page(model_path("qwen/qwen3-max"))
    assert 'id="open-weight-status">API only<' in html
    # the shown openness value has its source and time
    assert "huggingface (primary API)" in html and "2026-07-13 12:00 UTC" in html
    # the dispute shows both sides and the press quote, linked to the article
    dispute = html[html.index('id="disputes"') : html.index('id="prices"')]
    assert "Shown: api-only" in dispute and "Claimed: open source" in dispute
    assert (
        QWEN_PRESS_QUOTE in dispute and 'href="https://example-blog.test/trillion-parameters-zero-lock-in"' in dispute
    )
    # tier table: base price and the two prompt-length tiers, USD per 1M tokens
    tiers = html[html.index('class="tiers"') : html.index("</table>", html.index('class="tiers"'))]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", tiers)
    assert [label for label, _ in rows] == ["Base price", "Prompts ≥ 32,000 tokens", "Prompts ≥ 128,000 tokens"]
    assert "$0.78" in rows[0][1] and "$3.90" in rows[0][1] and "$1.56" in rows[1][1] and "$9.75" in rows[2][1]
    # price history: the chart marks the cut, the change list says it in words
    assert "<svg" in html and "2026-03-17: Input (USD per 1M tokens) $1.20 → $0.78" in html
    assert "Input: $1.20 → $0.78 per 1M tokens (−35%)" in html
    gpt = small_site.page(model_path("openai/gpt-oss-120b"))
    assert "117B total, 5.1B active" in gpt and "from the weight files" in gpt
    assert "gpt-oss-120b GGUF" in gpt and "Derivatives (1)" in gpt  # lineage: the quantized derivative
    assert "<code>openai/gpt-oss-120b:free</code>" in gpt  # the free variant offer
    assert 'href="https://huggingface.co/openai/gpt-oss-120b/blob/main/LICENSE"' in gpt  # card link made absolute
    gguf = small_site.page(model_path("unsloth/gpt-oss-120b-GGUF"))
    assert "Quantized of" in gguf and 'href="../../../models/openai/gpt-oss-120b/"' in gguf


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_hostile_strings_are_escaped_everywhere(small_site):
    for page in small_site.out.rglob("*.html"):
        parser = _Tags()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attrs in parser.tags:
            assert tag not in {"img", "iframe", "object", "embed", "base", "frame", "style", "link"} or (
                tag == "link" and attrs.get("rel") in {"stylesheet", "icon", "alternate"}
            ), (page, tag)
            assert tag != "form" or attrs.get("class") == "live-filter", page
            assert not [a for a in attrs if a.startswith("on")], (page, tag, attrs)
            for name in ("href", "src", "action"):
                assert not (attrs.get(name) or "").strip().lower().startswith(("javascript:", "data:")), page
            if tag == "script":
                assert attrs["src"].endswith("static/site.js") and set(attrs) == {"src", "defer"}, page
            if tag == "svg":
                assert "models" in page.relative_to(small_site.out).parts, page  # only the price charts
    evil = small_site.page(model_path("evil/model"))
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in evil  # the name, as text
    assert "&lt;script&gt;alert('card')&lt;/script&gt;" in evil  # the card's script, as text
    assert "[image: pixel]" in evil and 'href="https://huggingface.co/evil/model/blob/main/LICENSE"' in evil
    feed = small_site.page("feed.xml")
    assert "<script>" not in feed and "&lt;script&gt;alert('name')" in feed
    models = {m["key"]: m for m in json.loads(small_site.page("data/models.json"))}
    assert models["evil/model"]["name"] == HOSTILE_NAME  # the exports keep the data as it is


def test_models_index_has_a_page_per_sort_order_and_facet_links(small_site):
    html = small_site.page("models-by/input-price/")
    keys = re.findall(r"<br><code>(.*?)</code></td>", html)
    assert keys[:4] == [
        "mistralai/mistral-small-3.2-24b-instruct",
        "openai/gpt-oss-120b",
        "evil/model",
        "qwen/qwen3-max",
    ]
    assert set(keys[4:]) == {"meta-llama/llama-3.1-8b-instruct", "unsloth/gpt-oss-120b-GGUF"}  # no price: last
    index = small_site.page("models/")
    assert 'href="../open-weights/open/"' in index and 'href="../licenses/classes/permissive/"' in index
    combo = small_site.page("open-weights/open/permissive/")
    assert set(re.findall(r"<br><code>(.*?)</code></td>", combo)) == {
        "openai/gpt-oss-120b",
        "mistralai/mistral-small-3.2-24b-instruct",
        "unsloth/gpt-oss-120b-GGUF",
        "evil/model",
    }


def test_home_this_week_comes_from_the_data_and_lists_the_newsletter(small_site):
    home = small_site.page("")
    assert "This week (2026-W29)" in home  # the ISO week of the newest event, not of the clock
    assert "tracker 2026-W29: 3 new models, 1 price cut" in home
    issue = small_site.page(newsletter_path("2026-W29"))
    assert "&lt;script&gt;alert(&#39;newsletter&#39;)&lt;/script&gt;" in issue
    assert (small_site.out / "newsletter" / "2026-W29" / "data.json").is_file()
    assert not (small_site.out / "newsletter" / "not-a-week").exists()


def test_a_rebuild_without_changes_rewrites_nothing(small_site, sessions):
    before = {p: p.stat().st_mtime_ns for p in small_site.out.rglob("*") if p.is_file()}
    again = build_site(sessions, small_site.settings, small_site.out)
    assert again.written == 0 and again.removed == 0
    assert again.unchanged == small_site.result.written
    assert {p: p.stat().st_mtime_ns for p in small_site.out.rglob("*") if p.is_file()} == before


def _add_event(sessions, *, model_id: int) -> None:
    with session_scope(sessions) as session:
        session.execute(
            insert(Event),
            [
                {
                    "id": 100,  # explicit like the fixture's ids (Postgres sequences do not see those)
                    "kind": "context_length_changed",
                    "subject": "openai/gpt-oss-120b",
                    "model_id": model_id,
                    "source": "openrouter",
                    "detected_at": dt.datetime(2026, 7, 20, tzinfo=dt.UTC),
                    "data": {"old": 131072, "new": 262144},
                    "created_at": dt.datetime(2026, 7, 20, tzinfo=dt.UTC),
                }
            ],
        )


def test_a_new_event_rewrites_only_the_pages_that_show_it(small_site, sessions):
    before = _mtimes(small_site.out)
    _add_event(sessions, model_id=2)
    again = build_site(sessions, small_site.settings, small_site.out)
    after = _mtimes(small_site.out)
    written = {p for p, m in after.items() if before.get(p) != m}
    assert len(written) == again.written
    assert "models/openai/gpt-oss-120b/index.html" in written
    assert "models/qwen/qwen3-max/index.html" not in written
    assert {"index.html", "changes/index.html", "feed.xml", "data/tracker.db"} <= written
    assert "static/site.css" not in written and again.written < again.pages // 2
    assert "Context length 131,072 → 262,144 tokens" in small_site.page(model_path("openai/gpt-oss-120b"))


def _mtimes(out):
    """The site's files (not the build's own records, ``.tracker-site*``) and their modification times."""
    return {
        str(p.relative_to(out)): p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".tracker-site")
    }


def test_pages_no_longer_produced_are_removed_and_foreign_folders_refused(small_site, sessions, tmp_path):
    stale = small_site.out / "changes" / "page" / "9" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    manifest = small_site.out / MANIFEST
    manifest.write_text(manifest.read_text() + "changes/page/9/index.html\n")
    (small_site.out / "notes.txt").write_text("not ours")
    again = build_site(sessions, small_site.settings, small_site.out)
    assert again.removed == 1 and not stale.exists() and not stale.parent.exists()
    assert (small_site.out / "notes.txt").read_text() == "not ours"  # never listed, never deleted
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "index.html").write_text("my own page")
    with pytest.raises(SiteError, match="not empty and was not built by tracker"):
        build_site(sessions, small_site.settings, foreign)
    assert (foreign / "index.html").read_text() == "my own page"


def test_an_empty_database_builds_a_correct_site(sessions, db_url, tmp_path):
    settings = site_settings(db_url, tmp_path / "no-newsletter", workers=1)
    result = build_site(sessions, settings, tmp_path / "site")
    assert result.models == 0 and result.pages > 0
    home = (tmp_path / "site" / "index.html").read_text()
    assert "No changes recorded yet." in home
    assert "No open disputes." in (tmp_path / "site" / "disputes" / "index.html").read_text()


def test_the_same_data_builds_the_same_files_with_several_workers(sessions, db_url, tmp_path, monkeypatch):
    with session_scope(sessions) as session:
        fill_small_database(session)
    write_newsletter_archive(tmp_path / "newsletter")
    monkeypatch.setattr("tracker.site.generators.model_pages.BATCH", 2)  # several batches even for six models
    one = build_site(sessions, site_settings(db_url, tmp_path / "newsletter", workers=1), tmp_path / "one")
    two = build_site(sessions, site_settings(db_url, tmp_path / "newsletter", workers=2), tmp_path / "two")
    assert one.pages == two.pages
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file())
    for rel in files:
        if rel.name != "tracker.db":
            assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_a_model_whose_page_fails_is_reported_and_the_rest_is_built(small_site, sessions, engine, monkeypatch):
    import tracker.site.workers as build_module

    real = build_module.model_page

    def broken(inputs, summaries):
        if inputs.model.key == "openai/gpt-oss-120b":
            raise ValueError("corrupt row")
        return real(inputs, summaries)

    monkeypatch.setattr(build_module, "model_page", broken)
    page = small_site.out / "models" / "openai" / "gpt-oss-120b" / "index.html"
    before = page.read_bytes()
    _add_event(sessions, model_id=2)  # its page must be rendered again (unchanged pages are not rendered)
    again = build_site(sessions, small_site.settings, small_site.out)
    assert again.problems == ("model page openai/gpt-oss-120b: ValueError: corrupt row",)
    assert again.pages == small_site.result.pages - 1 and again.removed == 0
    assert page.read_bytes() == before  # the last good page stays online
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT source, subject, reason, detail FROM crawl_errors")).all()
    assert [tuple(r) for r in rows] == [("site", "openai/gpt-oss-120b", "page-failed", "ValueError: corrupt row")]
    monkeypatch.setattr(build_module, "model_page", real)
    fixed = build_site(sessions, small_site.settings, small_site.out)  # a failed page is tried again
    assert fixed.problems == () and "262,144" in page.read_text()
