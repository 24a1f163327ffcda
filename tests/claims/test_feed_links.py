"""Feed entries whose link is not http(s) are rejected one by one; the rest of the feed is read."""

from __future__ import annotations

import datetime as dt

from content_server import rss
from sqlalchemy import select

from tracker.config import FeedSettings
from tracker.sources.spiders.feeds import is_web_link
from tracker.store.tables import CrawlError, Document

DAY = dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)


def test_non_web_links_are_rejected_and_the_other_entries_are_read(content, crawl, sessions):
    post = (content.corpus / "blogs" / "qwen" / "2025-03-06-qwq-32b.md").read_bytes()
    first = content.add("/pages/first.md", post, "text/markdown")
    last = content.add(
        "/pages/last.md",
        (content.corpus / "blogs" / "qwen" / "2025-01-28-qwen2.5-max.md").read_bytes(),
        "text/markdown",
    )
    entries = [
        ("Before", first, DAY),
        ("Script", "javascript:alert(document.cookie)", DAY),
        ("Mail", "mailto:press@example.org", DAY),
        ("Data", "data:text/html,<script>alert(1)</script>", DAY),
        ("Broken IPv6", "http://[::1/x", DAY),
        ("After", last, DAY),
    ]
    feed = content.add("/feeds/links.xml", rss("links", content.url, entries), "application/rss+xml")
    summary = crawl("blogs", FeedSettings(url=feed, vendor="qwen"))
    assert summary.rejected.get("entry-bad-link") == 4, summary.render()  # counted, not a silent success
    with sessions() as session:
        bad = {e.subject for e in session.scalars(select(CrawlError).where(CrawlError.reason == "entry-bad-link"))}
        urls = set(session.scalars(select(Document.url)))
    assert bad == {"Script", "Mail", "Data", "Broken IPv6"}
    assert {first, last} <= urls
    assert not any(u.startswith(("javascript:", "mailto:", "data:")) for u in urls)


def test_what_counts_as_a_web_link():
    assert is_web_link("https://qwenlm.github.io/blog/qwq-32b/")
    assert is_web_link("http://127.0.0.1:8080/x")
    for link in ("javascript:alert(1)", "mailto:a@b.c", "data:text/html,x", "ftp://host/x", "http:///nohost", "//x"):
        assert not is_web_link(link), link
