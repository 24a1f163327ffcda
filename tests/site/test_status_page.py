"""The site's status page: every source's last run, result, URLs owed and broken listings — what
``tracker status`` and ``tracker sources`` say, escaped, readable without JavaScript."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from tracker.cli.app import App
from tracker.cli.sources import cmd_sources
from tracker.cli.status import cmd_status
from tracker.config import FeedSettings, Settings, SourcesSettings
from tracker.normalize.frontier import FrontierLog
from tracker.site.build import NAV, build_site
from tracker.site.contexts import SiteInfo
from tracker.site.render import environment
from tracker.site.status import StatusData, status_page
from tracker.sources.catalog import default_sources
from tracker.sources.listing_health import SourceLine
from tracker.store.db import session_scope
from tracker.store.frontier import apply_frontier
from tracker.store.health import SourceHealth
from tracker.store.runs import finish_run, start_run

HOSTILE_NAME = "<script>alert('feed')</script>"
HOSTILE_ERROR = "<img src=x onerror=alert('error')> refused"
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def _crawl(session, source: str, status: str, *, seen: int = 0, message: str | None = None) -> None:
    run = start_run(session, job="crawl", source=source, trigger="test")
    finish_run(
        session, run, status=status, error_message=message, items_seen=seen, errors=0 if status == "success" else 1
    )


@pytest.fixture
def status_settings(db_url: str, tmp_path: Path) -> Settings:
    own = FeedSettings(url="https://evil.example/feed.xml?a=1&b=<2>", vendor="evil", kind="press", name=HOSTILE_NAME)
    return dataclasses.replace(
        Settings(database_url=db_url),
        sources=SourcesSettings(defaults=True, broken_after_runs=2),
        feeds=(own,),
    )


@pytest.fixture
def status_world(sessions, status_settings: Settings) -> Settings:
    """openrouter ok, huggingface never crawled, blogs partial with 2 URLs owed and a gone index page,
    press failed (a hostile error message) with a hostile feed of the user's own failing once."""
    anthropic = next(s for s in default_sources() if s.id == "anthropic-news")
    openai = next(s for s in default_sources() if s.id == "openai-news")
    with session_scope(sessions) as session:
        _crawl(session, "openrouter", "success", seen=5)
        _crawl(session, "blogs", "partial", seen=3, message="https://openai.com/news/b: timeout")
        _crawl(session, "press", "failed", message=HOSTILE_ERROR)
        log = FrontierLog()
        feed = {"url": openai.url, "vendor": "openai", "kind": "vendor"}
        for slug in ("a", "b", "c"):
            log.entry(feed, f"https://openai.com/news/{slug}", slug, "2026-11-29")
        log.page("https://openai.com/news/a", NOW, "sha")
        log.failed("https://openai.com/news/b", NOW, "timeout", None, "no answer")
        log.listing(feed, openai.url, NOW, 200, 3)
        log.failed(anthropic.url, NOW, "http-404", 404, "not here")
        listings = [{"url": openai.url, "name": openai.id}, {"url": anthropic.url, "name": anthropic.id}]
        apply_frontier(
            session, log, source="blogs", listings=listings, now=NOW, first_wait_minutes=30, broken_after_runs=2
        )
        press = FrontierLog()
        own = status_settings.feeds[0]
        press.failed(own.url, NOW, "http-500", 500, HOSTILE_ERROR)
        apply_frontier(
            session,
            press,
            source="press",
            listings=[{"url": own.url, "name": own.name}],
            now=NOW,
            first_wait_minutes=30,
            broken_after_runs=2,
        )
    return status_settings


@pytest.fixture
def built(status_world: Settings, sessions, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build_site(sessions, status_world, out)
    return out


def _rows(page: str, table: str) -> dict[str, list[str]]:
    tree = lxml_html.fromstring(page)
    out = {}
    for row in tree.cssselect(f"table.{table} tbody tr"):
        cells = [" ".join(c.text_content().split()) for c in row]
        out[cells[0]] = cells[1:]
    return out


def test_the_status_page_shows_each_source_as_tracker_status_does(built: Path, status_world: Settings):
    page = (built / "status" / "index.html").read_text("utf-8")
    crawls = _rows(page, "status-crawls")
    out = io.StringIO()
    cmd_status(App(settings=status_world, out=out), _Args())
    reported = {s["source"]: s for s in json.loads(out.getvalue())["sources"]}
    assert set(crawls) == set(reported) == {"openrouter", "offers", "huggingface", "blogs", "press"}
    words = {"ok": "ok", "partial": "partial", "failed": "failed", "never": "never crawled"}
    tree = lxml_html.fromstring(page)
    for source, health in reported.items():
        result, _last, _success, _items, owed, _flags = crawls[source]
        assert result.startswith(words[health["result"]]), (source, result)
        assert int(owed) == health["owed"]
        flags = [f.text_content() for f in tree.cssselect(f"#crawl-{source} td:last-child > .flag")]
        notes = [n.text_content() for n in tree.cssselect(f"#crawl-{source} .notes li")]
        assert flags == [f.upper() for f in health["flags"]] and notes == health["notes"]
    assert crawls["blogs"][0] == "partial, 2 owed" and crawls["blogs"][4] == "2"
    assert crawls["openrouter"][0] == "ok" and crawls["openrouter"][3].startswith("5 seen")
    assert crawls["huggingface"][0] == "never crawled" and crawls["huggingface"][1] == "—"
    assert crawls["press"][0] == "failed"
    assert "BROKEN" in crawls["blogs"][5] and "listing stopped working: anthropic-news: http-404" in crawls["blogs"][5]
    assert "2 article URL(s) discovered and not fetched yet" in page


def test_the_status_page_flags_the_broken_listings_and_lists_every_source_as_tracker_sources_does(
    built: Path, status_world: Settings
):
    page = (built / "status" / "index.html").read_text("utf-8")
    tree = lxml_html.fromstring(page)
    broken = [" ".join(li.text_content().split()) for li in tree.cssselect("#broken li")]
    assert broken == ["anthropic-news (Anthropic, index): GONE (http-404: not here)"]
    out = io.StringIO()
    cmd_sources(App(settings=status_world, out=out), _SourcesArgs())
    listed = json.loads(out.getvalue())["sources"]
    rows = _rows(page, "status-listings")
    assert len(rows) == len(listed) == len(default_sources()) + 1
    health = {line["name"]: line for line in listed}
    assert rows["openai-news"][2] == "ok" and health["openai-news"]["state"] == "ok"
    assert rows["anthropic-news"][2].startswith("GONE") and health["anthropic-news"]["broken"]
    assert rows[HOSTILE_NAME][2].startswith("FAILED (http-500")  # failing once: not broken yet
    assert rows["mistral-news"][2] == "not crawled yet" and rows["mistral-news"][3] == "—"
    # a listing row links its URL and names where it was verified
    [link] = tree.cssselect("#listing-openai-news a")
    assert link.get("href") == "https://openai.com/news/rss.xml" and "verified in" in rows["openai-news"][4]


def test_everything_on_the_status_page_is_escaped_and_it_needs_no_javascript(built: Path):
    page = (built / "status" / "index.html").read_text("utf-8")
    assert HOSTILE_NAME not in page and "&lt;script&gt;alert(&#39;feed&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(&#39;error&#39;)&gt;" in page
    assert "b=&lt;2&gt;" in page
    assert len(re.findall(r"<script\b", page)) == 1  # the site's own deferred script, nothing from the data
    tree = lxml_html.fromstring(page)
    tree.make_links_absolute("https://tracker.example.org/status/")
    for script in tree.iter("script"):
        script.drop_tree()
    text = " ".join(tree.text_content().split())  # what a browser without JavaScript shows
    assert "partial, 2 owed" in text and "Flagged as broken (1)" in text


def test_every_page_links_the_status_page_from_its_navigation(built: Path):
    for rel in ("index.html", "models/index.html", "status/index.html"):
        tree = lxml_html.fromstring((built / rel).read_text("utf-8"))
        hrefs = [a.get("href") for a in tree.cssselect("header nav a")]
        assert any(h.endswith("status/") for h in hrefs), rel
    current = lxml_html.fromstring((built / "status" / "index.html").read_text("utf-8")).cssselect("[aria-current]")
    assert [a.text_content() for a in current] == ["Status"]


def test_before_any_crawl_every_source_is_never_crawled_and_the_page_says_so():
    blogs = SourceHealth(source="blogs", enabled=True, flags=["stale"], notes=["never crawled successfully"])
    line = SourceLine("openai-news", "OpenAI", "vendor", "feed", "https://openai.com/news/rss.xml", None, True)
    page = status_page(StatusData(as_of=None, sources=(blogs,), listings=(line,)))
    [row] = page.crawls
    assert (row.result, row.result_label, row.last_run_at, row.owed) == ("never", "never crawled", None, 0)
    assert page.vendor_listings[0].health == "not crawled yet" and page.broken == ()
    rendered = environment().get_template("status.html").render(page=page, site=SiteInfo("tracker", NAV))
    assert "Nothing has been crawled yet." in rendered and "your own configuration" in rendered


@dataclasses.dataclass
class _Args:
    json: bool = True
    check: bool = False


@dataclasses.dataclass
class _SourcesArgs:
    json: bool = True
    all: bool = False
