"""HTML index pages: declarative hooks, pagination followed to the end, an unchanged index costs one request."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from claims.content_server import ContentServer, as_html_page
from helpers.server import Reply
from sqlalchemy import select

from tracker.config import FeedSettings, Settings
from tracker.normalize.frontier import parse_listing_date
from tracker.sources.runner import run_crawl
from tracker.sources.spiders.index import index_links
from tracker.store.tables import CrawlError, Document

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-29", dt.datetime(2025, 4, 29, tzinfo=UTC)),
        ("2025-04-29T04:00:00+08:00", dt.datetime(2025, 4, 28, 20, 0, tzinfo=UTC)),
        ("2025-04-29T04:00:00Z", dt.datetime(2025, 4, 29, 4, 0, tzinfo=UTC)),
        ("April 29, 2025", dt.datetime(2025, 4, 29, tzinfo=UTC)),
        ("Apr 29, 2025", dt.datetime(2025, 4, 29, tzinfo=UTC)),
        ("  29 April 2025 ", dt.datetime(2025, 4, 29, tzinfo=UTC)),
        ("September 3rd, 2025", dt.datetime(2025, 9, 3, tzinfo=UTC)),
        ("Tue, 23 Sep 2025 04:00:00 +0800", dt.datetime(2025, 9, 22, 20, 0, tzinfo=UTC)),
        ("2025/09/23", dt.datetime(2025, 9, 23, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_as_index_pages_write_them(text, expected):
    assert parse_listing_date(text) == expected


PAGE = """<html><body>
<nav><a href="/">Home</a><a href="/blog/">Blog</a><a href="/blog/about">About</a></nav>
<div class="post"><time datetime="2025-09-23">Sep 23</time><h2><a href="/blog/qwen3guard/">Qwen3Guard</a></h2>
  <a href="/blog/qwen3guard/#comments">comments</a></div>
<div class="post"><span class="date">July 22, 2025</span><h2><a href="qwen3-coder/">Qwen3-Coder</a></h2></div>
<div class="post"><h2><a href="https://elsewhere.example/post">Elsewhere</a></h2></div>
<div class="post"><h2><a href="/blog/qwen3guard/">Qwen3Guard again</a></h2></div>
<a class="next" href="/blog/page/2/">Older posts</a>
</body></html>"""


def test_index_hooks_pick_the_article_links_their_dates_and_the_next_page():
    hooks = {
        "item_selector": "div.post",
        "link_selector": "h2 a",
        "link_pattern": r"^https://blog\.example/blog/[^/]+/$",
        "date_selector": "time, .date",
        "next_selector": "a.next",
    }
    page = index_links(PAGE, "https://blog.example/blog/", hooks)
    assert [(link.url, link.title, link.date) for link in page.links] == [
        ("https://blog.example/blog/qwen3guard/", "Qwen3Guard", dt.datetime(2025, 9, 23, tzinfo=UTC)),
        ("https://blog.example/blog/qwen3-coder/", "Qwen3-Coder", dt.datetime(2025, 7, 22, tzinfo=UTC)),
    ]
    assert page.next_url == "https://blog.example/blog/page/2/"
    # without hooks every link of the page is an article (but the page itself and fragments are not)
    loose = index_links(PAGE, "https://blog.example/blog/", {"link_pattern": r"/blog/.+"})
    assert [link.url for link in loose.links] == [
        "https://blog.example/blog/about",
        "https://blog.example/blog/qwen3guard/",
        "https://blog.example/blog/qwen3-coder/",
        "https://blog.example/blog/page/2/",
    ]
    assert loose.next_url is None


def _index(content: ContentServer, number: int, posts: list[tuple[str, str, str]], last: bool) -> str:
    items = "".join(
        f"<article><h3><a href='{path}'>{title}</a></h3><time datetime='{date}'>{date}</time></article>"
        for path, title, date in posts
    )
    older = "" if last else f"<a rel='next' class='older' href='/news/page/{number + 1}'>Older</a>"
    path = "/news/" if number == 1 else f"/news/page/{number}"
    body = f"<html><body><header><a href='/news/'>News</a></header><main>{items}</main>{older}</body></html>"
    return content.add(path, body.encode(), "text/html; charset=utf-8")


def test_a_paginated_index_is_followed_to_the_end_and_an_unchanged_one_costs_one_request(
    settings: Settings, server, corpus: Path, sessions
):
    content = ContentServer(server, corpus)
    server.route("/robots.txt", Reply(404, b"", {}))
    posts = sorted((corpus / "blogs" / "qwen").glob("*.md"))[:5]
    served = []
    for post in posts:
        path = f"/news/{post.stem}"
        content.add(path, as_html_page(post.read_text("utf-8"), post.stem), "text/html; charset=utf-8")
        served.append((path, post.stem, post.name[:10]))
    pages = [served[0:2], served[2:4], served[4:5]]
    for number, chunk in enumerate(pages, 1):
        _index(content, number, chunk, last=number == len(pages))
    index = FeedSettings(
        url=f"{server.url}/news/",
        vendor="qwen",
        type="index",
        name="example-news",
        item_selector="article",
        link_selector="h3 a",
        date_selector="time",
        next_selector="a[rel=next]",
    )
    configured = dataclasses.replace(settings, feeds=(index,))
    first = run_crawl(configured, "blogs", trigger="test")
    assert first.status == "success", first.render()
    assert first.new == 5 and first.extra["owed"] == 0
    assert [content.served[p] for p in ("/news/", "/news/page/2", "/news/page/3")] == [1, 1, 1]
    with sessions() as session:
        docs = {d.url: d for d in session.scalars(select(Document))}
        assert not session.scalars(select(CrawlError)).all()  # every entry had a link and a date
    assert set(docs) == {f"{server.url}{path}" for path, _t, _d in served}
    for path, _title, date in served:  # the date is the index page's
        assert docs[f"{server.url}{path}"].published_at == dt.datetime.fromisoformat(date).replace(tzinfo=UTC)
    before = len(server.requests)
    again = run_crawl(configured, "blogs", trigger="test")
    assert again.status == "success" and (again.seen, again.new, again.writes) == (0, 0, 0)
    asked = [r.path for r in server.requests[before:] if r.path != "/robots.txt"]
    assert asked == ["/news/"] and content.not_modified["/news/"] == 1


def test_an_index_that_stopped_working_is_flagged(settings: Settings, server, corpus: Path, sessions):
    from tracker.cli.status import describe
    from tracker.sources.registry import enabled_sources
    from tracker.store.health import source_health

    server.route("/robots.txt", Reply(404, b"", {}))
    server.route("/gone/", Reply(404, b"not here", {"Content-Type": "text/html"}))
    gone = FeedSettings(url=f"{server.url}/gone/", vendor="x", type="index", name="gone-index")
    configured = dataclasses.replace(settings, feeds=(gone,))
    summary = run_crawl(configured, "blogs", trigger="test")
    assert summary.status == "failed" and summary.extra["broken_listings"] == 1
    with sessions() as session:
        [health] = [h for h in source_health(session, configured, enabled_sources(configured)) if h.source == "blogs"]
    assert "broken" in health.flags and health.broken == {gone.url: "gone-index: http-404: not here"}
    lines = describe([health], {}, [], [], dt.datetime.now(UTC))
    assert "  blogs: FAILING, STALE, BROKEN" in lines
    assert "    ! listing stopped working: gone-index: http-404: not here" in lines
