"""The shipped default source list: reviewed, enabled by default, configurable, crawled out of the box."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from claims.content_server import ContentServer
from helpers.server import Reply
from source_pages import serve_defaults
from sqlalchemy import select

from tracker.cli.app import App
from tracker.cli.sources import cmd_sources
from tracker.config import Settings, SourcesSettings, load_settings
from tracker.errors import ConfigError
from tracker.schedule.plan import plan
from tracker.sources.catalog import SHAPES, configured_feeds, default_sources, mirrored, parse_sources
from tracker.sources.registry import enabled_sources
from tracker.sources.runner import run_crawl
from tracker.store.tables import Document


def test_the_shipped_list_names_twenty_makers_every_shape_and_where_each_url_was_verified():
    sources = default_sources()
    makers = {s.maker for s in sources if s.kind == "vendor"}
    assert len(makers) >= 20
    for wanted in ("Qwen", "Meta", "Mistral", "DeepSeek", "OpenAI", "Anthropic", "Moonshot", "AllenAI", "Cohere"):
        assert wanted in makers
    assert len({s.maker for s in sources if s.kind == "press"}) >= 4
    assert set(Counter(s.shape for s in sources)) == {"feed", "index", "sitemap", "github-releases", "changelog"}
    assert len({s.id for s in sources}) == len(sources) and len({s.url for s in sources}) == len(sources)
    for source in sources:
        assert source.url.startswith("https://") and source.verified.startswith("verified in ")
        assert source.verified[-10:-6] == "2026"
        if source.shape == "index":
            assert source.link_pattern or source.link_selector, source.id
        if source.shape == "sitemap":  # a whole site's sitemap: only the articles, and not its whole history
            assert source.link_pattern and source.since, source.id


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {
                "id": "x",
                "maker": "X",
                "vendor": "x",
                "kind": "blog",
                "shape": "feed",
                "url": "https://x/",
                "verified": "verified in a, 2026-01-01",
            },
            "kind must be",
        ),
        (
            {
                "id": "x",
                "maker": "X",
                "vendor": "x",
                "kind": "vendor",
                "shape": "podcast",
                "url": "https://x/",
                "verified": "verified in a, 2026-01-01",
            },
            "shape must be",
        ),
        (
            {
                "id": "x",
                "maker": "X",
                "vendor": "x",
                "kind": "vendor",
                "shape": "sitemap",
                "url": "https://x/sitemap.xml",
                "verified": "verified in a, 2026-01-01",
                "since": "last year",
            },
            "since must be a date",
        ),
        (
            {
                "id": "x",
                "maker": "X",
                "vendor": "x",
                "kind": "vendor",
                "shape": "feed",
                "url": "http://x/",
                "verified": "verified in a, 2026-01-01",
            },
            "must be https",
        ),
        (
            {
                "id": "x",
                "maker": "X",
                "vendor": "x",
                "kind": "vendor",
                "shape": "feed",
                "url": "https://x/",
                "verified": "looks fine",
            },
            "verified must read",
        ),
        (
            {"id": "x", "maker": "X", "vendor": "x", "kind": "vendor", "shape": "feed", "url": "https://x/"},
            "missing verified",
        ),
    ],
)
def test_a_bad_entry_in_a_source_list_is_a_one_line_error(entry, message):
    with pytest.raises(ConfigError, match=message):
        parse_sources({"source": [entry]})


def test_defaults_are_on_for_tracker_run_and_can_be_disabled_or_extended_in_toml(tmp_path: Path):
    fresh = load_settings(env={})
    assert [n for n in enabled_sources(fresh) if n in ("blogs", "press")] == ["blogs", "press"]
    specs = {s.name: s for s in plan(fresh)}  # the scheduler crawls them too
    assert {"crawl:blogs", "crawl:press", "crawl:offers"} <= set(specs)
    assert specs["crawl:blogs"].trigger.interval == dt.timedelta(minutes=180)
    assert len(configured_feeds(fresh)) == len(default_sources())
    config = tmp_path / "tracker.toml"
    config.write_text(
        '[sources]\ndisable = ["openai-news", "techcrunch-ai"]\n\n'
        '[[feeds]]\nurl = "https://example.org/blog/index.xml"\nvendor = "example"\n\n'
        '[[feeds]]\nurl = "https://mistral.ai/news/rss"\nvendor = "mistral"\nname = "my-mistral"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, env={})
    feeds = {f.url: f for f in configured_feeds(settings)}
    assert (
        "https://openai.com/news/rss.xml" not in feeds
        and "https://techcrunch.com/category/artificial-intelligence/feed/" not in feeds
    )
    assert feeds["https://example.org/blog/index.xml"].vendor == "example"
    assert feeds["https://mistral.ai/news/rss"].name == "my-mistral"  # the user's entry replaces the default
    assert len(feeds) == len(default_sources()) - 2 + 1
    off = load_settings(env={"TRACKER_DEFAULT_SOURCES": "false"})
    assert configured_feeds(off) == () and "blogs" not in enabled_sources(off)
    typo = dataclasses.replace(settings, sources=SourcesSettings(disable=("openai-newz",)))
    with pytest.raises(ConfigError, match=r"unknown default source.*openai-newz"):
        configured_feeds(typo)


def test_mirror_moves_the_default_urls_and_their_link_patterns():
    anthropic = next(s for s in default_sources() if s.id == "anthropic-news")
    feed = anthropic.feed("http://127.0.0.1:8080")
    assert feed.url == "http://127.0.0.1:8080/www.anthropic.com/news" and feed.type == "index"
    assert feed.link_pattern.startswith("^http://127\\.0\\.0\\.1:8080/www\\.anthropic\\.com/news/")
    assert mirrored("https://stability.ai/news?format=rss", "http://m/") == "http://m/stability.ai/news?format=rss"


def test_a_fresh_install_crawls_every_default_source_kind(settings: Settings, server, corpus: Path, sessions):
    content = ContentServer(server, corpus)
    server.route("/robots.txt", Reply(404, b"", {}))
    articles = serve_defaults(content, corpus)
    fresh = dataclasses.replace(settings, sources=SourcesSettings(mirror=server.url))
    assert {"blogs", "press"} <= set(enabled_sources(fresh))
    for source in ("blogs", "press"):
        summary = run_crawl(fresh, source, trigger="test")
        assert summary.status == "success", summary.render()
        assert summary.extra["owed"] == 0
    with sessions() as session:
        stored = {url: kind for url, kind in session.execute(select(Document.url, Document.kind))}
    by_shape: Counter[str] = Counter()
    for source in default_sources():
        assert articles[source.id] in stored, f"{source.id}: {articles[source.id]} was not stored"
        assert stored[articles[source.id]] == source.kind
        by_shape[source.shape] += 1
    assert set(by_shape) == set(SHAPES) == {"feed", "index", "sitemap", "github-releases", "changelog"}
    # every index page's navigation links were skipped (only the article link matches the pattern)
    assert not any("/about" in url or "example.org" in url for url in stored)
    # the sitemap's pages outside its link pattern, and those older than its `since`, were left out
    assert not any("/careers/" in url or url.endswith("-old") for url in stored)

    out = io.StringIO()
    assert cmd_sources(App(settings=fresh, out=out), _Args(json=True, all=False)) == 0
    listed = json.loads(out.getvalue())
    assert len(listed["sources"]) == len(default_sources())
    assert {line["state"] for line in listed["sources"]} == {"ok"} and listed["owed"] == {"blogs": 0, "press": 0}
    out = io.StringIO()
    cmd_sources(App(settings=fresh, out=out), _Args(json=False, all=False))
    text = out.getvalue()
    assert "anthropic-news: ok" in text and "verified in" in text and "model makers" in text


@dataclasses.dataclass
class _Args:
    json: bool
    all: bool
