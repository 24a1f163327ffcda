"""``tracker crawl blogs`` / ``press`` over HTTP: conditional GET, robots.txt, size cap, broken input."""

from __future__ import annotations

import datetime as dt

from content_server import rss
from helpers.db import data_counts
from helpers.server import Reply
from sqlalchemy import func, select

from tracker.config import FeedSettings
from tracker.sources.registry import enabled_sources
from tracker.store.tables import Claim, CrawlError, Document, HttpCacheEntry

DAY = dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)


def errors(sessions, source):
    with sessions() as session:
        return sorted(
            (e.reason, e.subject) for e in session.scalars(select(CrawlError).where(CrawlError.source == source))
        )


def count(sessions, table):
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_a_feed_fetched_twice_gets_a_304_and_creates_nothing(content, crawl, engine, sessions):
    feed = FeedSettings(url=content.serve_blog("openai"), vendor="openai")
    first = crawl("blogs", feed)
    assert first.status == "success", first.render()
    assert first.new == len(content.blog_posts("openai")) == count(sessions, Document)
    assert count(sessions, Claim) > 0
    counts = data_counts(engine)
    second = crawl("blogs", feed)
    assert second.status == "success" and second.extra["not_modified"] == 1
    assert (second.seen, second.new, second.writes) == (0, 0, 0) and not second.events
    assert content.not_modified["/feeds/openai.xml"] == 1 and content.served["/feeds/openai.xml"] == 1
    assert data_counts(engine) == counts  # nothing created: no document, claim, dispute or event
    with sessions() as session:
        cached = session.get(HttpCacheEntry, feed.url)
    assert cached.etag and cached.last_modified and cached.status == 304


def test_a_post_fetched_twice_is_stored_once(content, crawl, engine, sessions, server):
    # a server that ignores validators: every fetch is a full 200
    body = (content.corpus / "blogs" / "qwen" / "2025-04-29-qwen3.md").read_bytes()
    server.route("/plain/qwen3.md", Reply(200, body, {"Content-Type": "text/markdown; charset=utf-8"}))
    page = FeedSettings(url=f"{server.url}/plain/qwen3.md", vendor="qwen", type="markdown")
    assert crawl("blogs", page).new == 1
    counts = data_counts(engine)
    again = crawl("blogs", page)
    assert again.status == "success" and (again.new, again.unchanged) == (0, 1)
    assert len(server.requests_to("/plain/qwen3.md")) == 2
    assert data_counts(engine) == counts
    with sessions() as session:
        [doc] = session.scalars(select(Document)).all()
    assert doc.kind == "vendor" and doc.vendor == "qwen" and doc.title == "Qwen3: Think Deeper, Act Faster"
    assert doc.published_at == dt.datetime(2025, 4, 28, 20, 0, tzinfo=dt.UTC)  # front matter date, in UTC


def test_robots_txt_is_obeyed_and_the_user_agent_is_the_trackers(content, crawl, server, sessions):
    feed = FeedSettings(url=content.serve_blog("zhipu"), vendor="zhipu")
    posts = content.blog_posts("zhipu")
    refused = f"/blogs/zhipu/{posts[0].name}"
    server.route(
        "/robots.txt", Reply(200, f"User-agent: *\nDisallow: {refused}\n".encode(), {"Content-Type": "text/plain"})
    )
    summary = crawl("blogs", feed)
    assert summary.status == "partial" and summary.errors == {"robots-txt": 1}
    assert not server.requests_to(refused)
    assert summary.new == len(posts) - 1
    assert ("robots-txt", f"{server.url}{refused}") in errors(sessions, "blogs")
    agents = {r.headers.get("user-agent") for r in server.requests}
    assert agents and all(a.startswith("tracker/") and "model-release tracker" in a for a in agents)


def test_broken_input_is_recorded_and_the_crawl_continues(content, crawl, server, sessions):
    good = FeedSettings(url=content.serve_blog("moonshot"), vendor="moonshot")
    broken = content.add("/feeds/broken.xml", b"<rss><channel><title>x</title><item><title>a", "application/rss+xml")
    not_a_feed = content.add("/feeds/html.xml", b"<html><body><p>Hello</p></body></html>", "text/html")
    latin = "Qwen3-Max hat über eine Billion Parameter. " * 5 + "Preis: 1,20 $, günstig."
    wrong_charset = content.add(
        "/pages/latin.html",
        f"<html><body><article><p>{latin}</p></article></body></html>".encode("latin-1"),
        "text/html; charset=utf-8",
    )
    no_article = content.add(
        "/pages/empty.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "text/html"
    )
    huge = content.add(
        "/pages/huge.md", b"# Big\n\n" + b"Qwen3-Max has one trillion parameters. " * 200_000, "text/markdown"
    )
    entries = [
        (
            "Has everything",
            content.add(
                "/pages/ok.md",
                (content.corpus / "blogs" / "qwen" / "2025-03-06-qwq-32b.md").read_bytes(),
                "text/markdown",
            ),
            DAY,
        ),
        ("No link", "", DAY),
        (
            "No date",
            content.add(
                "/pages/nodate.md",
                (content.corpus / "blogs" / "qwen" / "2025-01-28-qwen2.5-max.md").read_bytes(),
                "text/markdown",
            ),
            None,
        ),
        ("Wrong charset", wrong_charset, DAY),
        ("No article", no_article, DAY),
        ("Too large", huge, DAY),
    ]
    odd = content.add("/feeds/odd.xml", rss("odd", content.url, entries), "application/rss+xml")
    feeds = [
        good,
        FeedSettings(url=broken, vendor="x"),
        FeedSettings(url=not_a_feed, vendor="x"),
        FeedSettings(url=odd, vendor="qwen"),
        FeedSettings(url=f"{server.url}/feeds/missing.xml", vendor="x"),
    ]
    summary = crawl("blogs", *feeds, max_page_bytes=1_000_000)
    assert summary.status == "partial", summary.render()
    found = {reason for reason, _subject in errors(sessions, "blogs")}
    assert {
        "bad-xml",
        "not-a-feed",
        "entry-no-link",
        "entry-no-date",
        "wrong-charset",
        "no-article",
        "too-large",
    } <= found
    assert found >= {"http-404"}
    with sessions() as session:
        urls = set(session.scalars(select(Document.url)))
    # the good feed's posts, the complete entry and the undated one (its page has a date) are stored
    assert {f"{content.url}/pages/ok.md", f"{content.url}/pages/nodate.md"} <= urls
    assert sum(1 for u in urls if "/blogs/moonshot/" in u) == len(content.blog_posts("moonshot"))
    assert not urls & {wrong_charset, no_article, huge}


def test_a_failed_feed_keeps_what_was_stored(content, crawl, server, engine):
    feed = FeedSettings(url=content.serve_blog("allenai"), vendor="allenai")
    assert crawl("blogs", feed).status == "success"
    counts = data_counts(engine)
    server.route("/feeds/allenai.xml", Reply(503, b"down", {}))
    failed = crawl("blogs", feed, retries=0)
    assert failed.status == "failed" and failed.errors == {"http-503": 1}
    assert data_counts(engine) == counts


def test_html_pages_and_atom_feeds_are_read_like_markdown_and_rss(content, crawl, sessions):
    html_feed = FeedSettings(url=content.serve_blog("openai", html=True, atom_feed=True), vendor="openai")
    summary = crawl("blogs", html_feed)
    assert summary.status == "success" and summary.new == len(content.blog_posts("openai"))
    with sessions() as session:
        doc = session.scalars(select(Document).where(Document.url.like("%introducing-gpt-oss.html"))).one()
        claims = session.scalars(select(Claim).where(Claim.document_id == doc.id)).all()
    assert "Home | Blog" not in doc.text and "All rights reserved" not in doc.text  # navigation and footer dropped
    got = {(c.mention, c.attribute, c.value) for c in claims}
    assert ("gpt-oss-120b", "params_active", "5100000000") in got
    assert ("gpt-oss-20b", "params_total", "21000000000") in got
    assert ("gpt-oss-120b", "license", "Apache-2.0") in got


def test_press_and_blogs_run_when_feeds_of_their_kind_are_configured(with_feeds, content):
    assert "blogs" not in enabled_sources(with_feeds()) and "press" not in enabled_sources(with_feeds())
    settings = with_feeds(FeedSettings(url=content.serve_press(), vendor="news", kind="press"))
    assert "press" in enabled_sources(settings) and "blogs" not in enabled_sources(settings)
