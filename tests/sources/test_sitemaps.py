"""Sitemaps as a discovery source: an index followed to its sitemaps and their articles, filters, 304, robots.txt."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
from pathlib import Path

import pytest
from claims.content_server import ContentServer, as_html_page
from helpers.server import Reply
from source_pages import sitemap_index, urlset
from sqlalchemy import select

from tracker.config import FeedSettings, Settings, load_settings
from tracker.errors import ConfigError
from tracker.sources.runner import run_crawl
from tracker.sources.spiders.sitemap import SitemapTooLarge, gunzipped, read_sitemap, sitemaps_in_robots
from tracker.store.tables import CrawlError, Document
from tracker.store.tables.frontier import FrontierUrl

UTC = dt.UTC
BASE = "https://blog.example/sitemap.xml"


def test_a_sitemap_index_lists_its_sitemaps_newest_first_and_the_follow_pattern_picks_them():
    body = sitemap_index(
        [
            ("https://blog.example/sitemap-pages.xml", "2026-03-01"),
            ("https://blog.example/sitemap-posts-2024.xml", "2024-12-31T10:00:00+00:00"),
            ("/sitemap-posts-2025.xml", "2025-06-30"),  # relative: joined to the index's URL
            ("https://blog.example/sitemap-posts-2025.xml", "2025-06-30"),  # listed twice: once
            ("https://blog.example/sitemap-posts-undated.xml", None),
        ]
    )
    doc = read_sitemap(body, BASE, {"follow_pattern": r"/sitemap-posts-"})
    assert doc.kind == "sitemapindex" and doc.skipped == 1
    assert [e.url.rsplit("/", 1)[1] for e in doc.entries] == [
        "sitemap-posts-2025.xml",
        "sitemap-posts-2024.xml",
        "sitemap-posts-undated.xml",  # no lastmod: kept, last
    ]


def test_a_sitemap_keeps_the_urls_its_pattern_accepts_since_its_date_with_lastmod_as_their_date():
    body = urlset(
        [
            ("https://blog.example/blog/old-post", "2024-05-01"),
            ("https://blog.example/blog/new-post", "2025-09-23T04:00:00+08:00"),
            ("https://blog.example/careers/engineer", "2025-10-01"),
            ("https://blog.example/blog/undated-post", None),
            ("javascript:alert(1)", None),
        ]
    )
    doc = read_sitemap(body, BASE, {"link_pattern": r"^https://blog\.example/blog/", "since": "2025-01-01"})
    assert doc.kind == "urlset" and doc.skipped == 2
    assert [(e.url, e.lastmod) for e in doc.entries] == [
        ("https://blog.example/blog/new-post", dt.datetime(2025, 9, 22, 20, 0, tzinfo=UTC)),
        ("https://blog.example/blog/undated-post", None),
    ]
    assert doc.entries[0].lastmod_text == "2025-09-23T04:00:00+08:00"


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Not found</body></html>",
        b"",
        b"\x00\x01binary",
        b'<?xml version="1.0"?><rss><channel></channel></rss>',
    ],
)
def test_what_is_not_a_sitemap_is_said_so(body):
    assert read_sitemap(body, BASE, {}).kind is None


def test_entities_in_a_sitemap_are_not_expanded():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://blog.example/a&x;</loc></url>'
        b"</urlset>"
    )
    doc = read_sitemap(body, BASE, {})
    assert all("root:" not in e.url for e in doc.entries)


def test_a_gzipped_sitemap_is_read_within_the_size_cap():
    body = urlset([("https://blog.example/blog/a", "2025-01-02")])
    assert gunzipped(gzip.compress(body), 10_000) == body
    assert gunzipped(body, 10) == body  # not gzip: as it is (the download cap applied already)
    with pytest.raises(SitemapTooLarge):
        gunzipped(gzip.compress(b"<urlset>" + b" " * 50_000 + b"</urlset>"), 10_000)


def test_a_sitemap_source_of_your_own_is_checked_when_the_configuration_loads(tmp_path: Path):
    config = tmp_path / "tracker.toml"
    config.write_text(
        '[[feeds]]\nurl = "https://blog.example/sitemap.xml"\nvendor = "example"\ntype = "sitemap"\n'
        'link_pattern = "/blog/"\nsince = "2025-01-01"\n',
        encoding="utf-8",
    )
    assert load_settings(config, env={}).feeds[0].type == "sitemap"
    config.write_text(config.read_text("utf-8").replace('"2025-01-01"', '"last spring"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feeds\[0\]\.since must be a date"):
        load_settings(config, env={})
    config.write_text(config.read_text("utf-8").replace('"/blog/"', '"(["'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feeds\[0\]\.link_pattern is not a regular expression"):
        load_settings(config, env={})


# ───────────────────────────── crawled on the loopback server ─────────────────────────────


def _serve_site(content: ContentServer, corpus: Path) -> dict[str, str]:
    """A sitemap index → two sitemaps (posts of two years) → five Qwen posts; plus pages the pattern refuses."""
    url = content.url
    posts = sorted((corpus / "blogs" / "qwen").glob("*.md"))[:5]
    articles: dict[str, str] = {}
    for post in posts:
        articles[post.stem] = content.add(
            f"/blog/{post.stem}", as_html_page(post.read_text("utf-8"), post.stem), "text/html; charset=utf-8"
        )
    content.add("/careers/engineer", b"<html><body>jobs</body></html>", "text/html")
    dated = [(stem[:10], link) for stem, link in sorted(articles.items())]
    xml = "application/xml"
    content.add(
        "/sitemap-posts-a.xml",
        urlset([(link, day) for day, link in dated[:3]] + [(f"{url}/careers/engineer", "2025-10-01")]),
        xml,
    )
    content.add("/sitemap-posts-b.xml", urlset([(link, day) for day, link in dated[3:]]), xml)
    content.add("/sitemap-pages.xml", urlset([(f"{url}/about", "2025-10-01")]), xml)
    content.add(
        "/sitemap.xml",
        sitemap_index(
            [
                (f"{url}/sitemap-posts-a.xml", "2025-10-01"),
                (f"{url}/sitemap-posts-b.xml", "2025-10-02"),
                (f"{url}/sitemap-pages.xml", "2025-10-03"),
            ]
        ),
        xml,
    )
    return articles


def _sitemap_source(server) -> FeedSettings:
    return FeedSettings(
        url=f"{server.url}/sitemap.xml",
        vendor="qwen",
        type="sitemap",
        name="example-sitemap",
        link_pattern=rf"^{server.url}/blog/",
        follow_pattern=r"/sitemap-posts-",
    )


def test_a_sitemap_index_is_followed_to_its_sitemaps_and_their_articles_and_an_unchanged_one_costs_one_request(
    settings: Settings, server, corpus: Path, sessions
):
    content = ContentServer(server, corpus)
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}))
    articles = _serve_site(content, corpus)
    configured = dataclasses.replace(settings, feeds=(_sitemap_source(server),))

    first = run_crawl(configured, "blogs", trigger="test")
    assert first.status == "success", first.render()
    assert first.new == 5 and first.extra["owed"] == 0
    assert [content.served[p] for p in ("/sitemap.xml", "/sitemap-posts-a.xml", "/sitemap-posts-b.xml")] == [1, 1, 1]
    # the URL pattern and the follow pattern: the careers page and the pages sitemap are never asked for
    assert content.served["/careers/engineer"] == 0 and content.served["/sitemap-pages.xml"] == 0
    with sessions() as session:
        docs = {d.url: d for d in session.scalars(select(Document))}
        frontier = {row.url: row.state for row in session.scalars(select(FrontierUrl))}
        assert not session.scalars(select(CrawlError)).all()  # every URL had a lastmod
    assert set(docs) == set(articles.values())
    assert frontier == dict.fromkeys(articles.values(), "fetched")  # discovered URLs are frontier rows
    for stem, link in articles.items():  # lastmod is the entry's date when the page gives none of its own
        assert docs[link].published_at == dt.datetime.fromisoformat(stem[:10]).replace(tzinfo=UTC)

    before = len(server.requests)
    again = run_crawl(configured, "blogs", trigger="test")
    assert again.status == "success" and (again.seen, again.new, again.writes) == (0, 0, 0)
    asked = [r.path for r in server.requests[before:] if r.path != "/robots.txt"]
    assert asked == ["/sitemap.xml"] and content.not_modified["/sitemap.xml"] == 1


def test_a_robots_txt_names_the_sitemaps_to_follow():
    text = (
        "User-agent: *\nDisallow: /private/\n\nSitemap: https://blog.example/sitemap.xml\n"
        "sitemap:/news-sitemap.xml\nSitemap: https://blog.example/sitemap.xml\nSitemap:\n# Sitemap: commented\n"
    )
    doc = sitemaps_in_robots(text, "https://blog.example/robots.txt")
    assert doc.kind == "sitemapindex"
    assert [e.url for e in doc.entries] == ["https://blog.example/sitemap.xml", "https://blog.example/news-sitemap.xml"]


def test_robots_txt_leads_to_the_sitemap_and_it_and_the_size_cap_hold_for_what_sitemaps_list(
    settings: Settings, server, corpus: Path, sessions
):
    content = ContentServer(server, corpus)
    robots = f"User-agent: *\nDisallow: /private/\nSitemap: {server.url}/sitemap.xml\n"
    content.add("/robots.txt", robots.encode(), "text/plain")
    post = sorted((corpus / "blogs" / "qwen").glob("*.md"))[0]
    ok = content.add("/blog/ok", as_html_page(post.read_text("utf-8"), "ok"), "text/html")
    content.add("/private/secret", b"<html><body>secret</body></html>", "text/html")
    content.add(
        "/sitemap.xml", urlset([(ok, "2025-10-01"), (f"{server.url}/private/secret", "2025-10-02")]), "application/xml"
    )
    content.add("/big.xml", gzip.compress(b"<urlset>" + b" " * 300_000 + b"</urlset>"), "application/gzip")
    own = (
        FeedSettings(url=f"{server.url}/robots.txt", vendor="qwen", type="sitemap", name="site"),
        FeedSettings(url=f"{server.url}/big.xml", vendor="qwen", type="sitemap", name="big"),
    )
    configured = dataclasses.replace(
        settings, feeds=own, http=dataclasses.replace(settings.http, max_page_bytes=100_000)
    )
    summary = run_crawl(configured, "blogs", trigger="test")
    assert summary.status == "partial", summary.render()
    assert dict(summary.errors) == {"robots-txt": 1, "too-large": 1}
    assert content.served["/private/secret"] == 0 and content.served["/blog/ok"] == 1
    assert content.served["/sitemap.xml"] == 1  # found through robots.txt
    with sessions() as session:
        states = {row.url: row.state for row in session.scalars(select(FrontierUrl))}
    assert states == {ok: "fetched", f"{server.url}/private/secret": "refused"}
