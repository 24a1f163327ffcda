"""The whole built site: no broken internal link, a valid Atom feed, no absolute or external asset."""

from __future__ import annotations

import feedparser
from linkcheck import check_site

from tracker.urls import model_path


def test_no_broken_internal_link_in_the_corpus_site(corpus_site):
    report = check_site(corpus_site.out)
    assert report.broken == []
    assert report.pages == corpus_site.result.pages > 650  # every model has a page
    assert report.internal > 50 * report.pages  # the check covered the navigation and all tables


def test_no_broken_internal_link_in_the_small_site(small_site):
    report = check_site(small_site.out)
    assert report.broken == [] and report.pages == small_site.result.pages


def test_the_link_checker_finds_broken_links(small_site):
    page = small_site.out / "models" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html.replace(
            "</main>", '<a href="../nowhere/">x</a><a href="/abs/">y</a><a href="../disputes/#nope">z</a></main>'
        ),
        encoding="utf-8",
    )
    broken = check_site(small_site.out).broken
    assert len(broken) == 3
    assert any("nowhere" in b for b in broken) and any("not relative" in b for b in broken)
    assert any("no element with id 'nope'" in b for b in broken)


def test_the_atom_feed_parses_without_bozo(corpus_site):
    feed = feedparser.parse((corpus_site.out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "tracker: changes"
    assert len(feed.entries) == 100
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    assert all(e.link.startswith("https://tracker.example.org/") for e in feed.entries)
    assert len({e.id for e in feed.entries}) == 100


def test_the_feed_of_hostile_data_is_still_valid(small_site):
    feed = feedparser.parse((small_site.out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    evil = [e for e in feed.entries if "alert('name')" in e.title]
    assert evil and evil[0].link == "https://tracker.example.org/" + model_path("evil/model")
    cut = [e for e in feed.entries if "$1.20 → $0.78" in e.title]
    assert cut and cut[0].updated.startswith("2026-03-17")
