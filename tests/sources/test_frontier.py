"""The crawl frontier: failed article fetches are owed and fetched by the next crawl, even after a 304 feed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from claims.content_server import ContentServer, file_date, rss
from helpers.server import Reply
from sqlalchemy import select

from tracker.cli.status import describe
from tracker.config import FeedSettings, Settings, SourcesSettings
from tracker.normalize.frontier import ListingOutcome, Outcome, backoff, decide, is_due, listing_broken, listing_state
from tracker.sources.registry import enabled_sources
from tracker.sources.runner import run_crawl
from tracker.store.health import source_health
from tracker.store.tables import Document
from tracker.store.tables.frontier import FrontierUrl

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MIN = dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (0, dt.timedelta(0)),
        (1, 30 * MIN),
        (2, 60 * MIN),
        (3, 120 * MIN),
        (12, dt.timedelta(days=7)),
        (99, dt.timedelta(days=7)),
    ],
)
def test_retries_back_off_doubling_up_to_a_week(attempts, wait):
    assert backoff(attempts, 30) == wait


def _row(**values):
    base = {"state": "pending", "attempts": 0, "gone_answers": 0, "content_hash": None, "next_retry_at": None}
    return base | values


@pytest.mark.parametrize(
    ("row", "outcome", "expected"),
    [
        (
            None,
            Outcome("discovered", NOW),
            {"state": "pending", "attempts": 0, "gone_answers": 0, "first_seen_at": NOW},
        ),
        (_row(state="fetched"), Outcome("discovered", NOW), {}),
        (
            _row(),
            Outcome("fetched", NOW, content_hash="h1"),
            {"state": "fetched", "content_hash": "h1", "http_status": 200, "last_attempt_at": NOW, "fetched_at": NOW},
        ),
        (
            _row(),
            Outcome("failed", NOW, reason="http-503", http_status=503),
            {
                "state": "failed",
                "attempts": 1,
                "reason": "http-503",
                "http_status": 503,
                "next_retry_at": NOW + 30 * MIN,
                "last_attempt_at": NOW,
            },
        ),
        (
            _row(state="failed", attempts=1, reason="http-503", http_status=503, next_retry_at=NOW),
            Outcome("failed", NOW, reason="timeout"),
            {
                "attempts": 2,
                "reason": "timeout",
                "http_status": None,
                "next_retry_at": NOW + 60 * MIN,
                "last_attempt_at": NOW,
            },
        ),
        (
            _row(),
            Outcome("failed", NOW, reason="http-404", http_status=404),
            {
                "state": "failed",
                "attempts": 1,
                "gone_answers": 1,
                "reason": "http-404",
                "http_status": 404,
                "next_retry_at": NOW + 30 * MIN,
                "last_attempt_at": NOW,
            },
        ),
        (
            _row(state="failed", attempts=1, gone_answers=1, reason="http-404", http_status=404),
            Outcome("failed", NOW, reason="http-410", http_status=410),
            {
                "state": "gone",
                "attempts": 2,
                "gone_answers": 2,
                "reason": "http-410",
                "http_status": 410,
                "last_attempt_at": NOW,
            },
        ),
        (
            _row(state="failed", attempts=3, gone_answers=1, reason="http-404", http_status=404, next_retry_at=NOW),
            Outcome("fetched", NOW, content_hash="h2"),
            {
                "state": "fetched",
                "attempts": 0,
                "gone_answers": 0,
                "reason": None,
                "http_status": 200,
                "next_retry_at": None,
                "content_hash": "h2",
                "last_attempt_at": NOW,
                "fetched_at": NOW,
            },
        ),
        (
            _row(),
            Outcome("failed", NOW, reason="robots-txt"),
            {"state": "refused", "attempts": 1, "reason": "robots-txt", "last_attempt_at": NOW},
        ),
        (
            _row(state="fetched", content_hash="h1", http_status=200),
            Outcome("not-modified", NOW),
            {"http_status": 304, "last_attempt_at": NOW, "fetched_at": NOW},
        ),
    ],
)
def test_the_frontier_decider(row, outcome, expected):
    assert decide(row, outcome, first_wait_minutes=30) == expected


@pytest.mark.parametrize(
    ("row", "due"),
    [
        (_row(), True),
        (_row(state="failed", next_retry_at=NOW - MIN), True),
        (_row(state="failed", next_retry_at=NOW + MIN), False),
        (_row(state="fetched"), False),
        (_row(state="gone"), False),
        (_row(state="refused"), False),
    ],
)
def test_what_is_due(row, due):
    assert is_due(row, NOW) is due


@pytest.mark.parametrize(
    ("before", "outcome", "state", "broken"),
    [
        (None, ListingOutcome("u", NOW, "ok", 200, entries=3), "ok", False),
        ({"problem_runs": 4}, ListingOutcome("u", NOW, "not-modified", 304), "ok", False),
        (None, ListingOutcome("u", NOW, "empty", 200, entries=0), "empty", False),
        ({"problem_runs": 1}, ListingOutcome("u", NOW, "empty", 200, entries=0), "empty", True),
        ({"problem_runs": 1}, ListingOutcome("u", NOW, "failed", 503, "http-503"), "failed", True),
        (None, ListingOutcome("u", NOW, "failed", None, "timeout"), "failed", False),
        (None, ListingOutcome("u", NOW, "failed", 404, "http-404"), "gone", True),
        (None, ListingOutcome("u", NOW, "ok", 200, entries=3, moved_to="v"), "moved", True),
    ],
)
def test_listing_health(before, outcome, state, broken):
    values = listing_state(before, outcome)
    assert values["state"] == state
    assert listing_broken(values, 2) is broken


class FailFirst:
    """Answer 503 to the first request of a path, then what the content server has."""

    def __init__(self, content: ContentServer, path: str) -> None:
        self.content, self.path, self.failed = content, path, 0

    def __call__(self, request):
        if not self.failed:
            self.failed += 1
            return Reply(503, b"busy", {"Content-Type": "text/plain"})
        return self.content._answer(self.path, request)


def _status_line(sessions, settings: Settings) -> str:
    with sessions() as session:
        healths = source_health(session, settings, enabled_sources(settings))
    lines = describe(healths, {}, [], [], dt.datetime.now(UTC))
    return next(line for line in lines if line.startswith("  blogs"))


def test_failed_entries_are_fetched_by_the_next_crawl_even_when_the_feed_answers_304(
    settings: Settings, server, corpus: Path, sessions
):
    content = ContentServer(server, corpus)
    server.route("/robots.txt", Reply(404, b"", {}))
    posts = sorted((corpus / "blogs" / "qwen").glob("*.md"))[:10]
    items, paths = [], []
    for post in posts:
        path = f"/blog/{post.name}"
        items.append((post.stem, content.add(path, post.read_bytes(), "text/markdown; charset=utf-8"), file_date(post)))
        paths.append(path)
    failing = paths[3::5]  # 2 of 10 entries (20 %) fail on the first crawl
    for path in failing:
        server.route(path, FailFirst(content, path))
    feed = content.add("/feed.xml", rss("qwen", content.url, items), "application/rss+xml")
    configured = dataclasses.replace(
        settings,
        feeds=(FeedSettings(url=feed, vendor="qwen"),),
        http=dataclasses.replace(settings.http, retries=0),
        sources=SourcesSettings(defaults=False, retry_minutes=0),
    )

    first = run_crawl(configured, "blogs", trigger="test")
    assert first.status == "partial" and first.errors == {"http-503": 2} and first.extra["owed"] == 2
    assert first.render().splitlines()[0] == "blogs: partial, 2 owed"
    assert _status_line(sessions, configured) == "  blogs: PARTIAL, 2 owed"
    with sessions() as session:
        owed = sorted(session.scalars(select(FrontierUrl.url).where(FrontierUrl.state == "failed")))
    assert owed == sorted(f"{content.url}{p}" for p in failing)

    second = run_crawl(configured, "blogs", trigger="test")
    assert content.not_modified["/feed.xml"] == 1  # the feed answered 304 …
    assert second.status == "success" and second.new == 2 and second.extra["owed"] == 0  # … the owed posts came anyway
    assert _status_line(sessions, configured) == "  blogs: ok"
    assert all(content.served[p] == 1 for p in paths)  # every entry fetched, nothing fetched twice
    with sessions() as session:
        assert len(session.scalars(select(Document)).all()) == 10
        states = {
            row.url: (row.state, row.attempts, row.content_hash is not None)
            for row in session.scalars(select(FrontierUrl))
        }
    assert set(states.values()) == {("fetched", 0, True)} and len(states) == 10

    third = run_crawl(configured, "blogs", trigger="test")
    assert third.status == "success" and third.requests <= 2  # robots.txt and the feed (304): nothing owed


def test_an_article_that_answers_404_twice_is_gone_and_no_longer_owed(
    settings: Settings, server, corpus: Path, sessions
):
    content = ContentServer(server, corpus)
    server.route("/robots.txt", Reply(404, b"", {}))
    post = sorted((corpus / "blogs" / "zhipu").glob("*.md"))[0]
    ok = content.add(f"/z/{post.name}", post.read_bytes(), "text/markdown")
    missing = f"{content.url}/z/deleted-post.md"
    server.route("/z/deleted-post.md", Reply(404, b"no", {}))
    when = dt.datetime(2025, 9, 1, tzinfo=UTC)
    feed = content.add(
        "/z.xml", rss("z", content.url, [("ok", ok, when), ("deleted", missing, when)]), "application/rss+xml"
    )
    configured = dataclasses.replace(
        settings,
        feeds=(FeedSettings(url=feed, vendor="zhipu"),),
        http=dataclasses.replace(settings.http, retries=0),
        sources=SourcesSettings(defaults=False, retry_minutes=0),
    )
    assert run_crawl(configured, "blogs", trigger="test").extra["owed"] == 1
    second = run_crawl(configured, "blogs", trigger="test")
    assert second.status == "partial" and second.extra["owed"] == 0 and second.errors == {"http-404": 1}
    with sessions() as session:
        row = session.scalars(select(FrontierUrl).where(FrontierUrl.url == missing)).one()
    assert (row.state, row.gone_answers, row.next_retry_at) == ("gone", 2, None)
    third = run_crawl(configured, "blogs", trigger="test")
    assert third.status == "success"
    assert len(server.requests_to("/z/deleted-post.md")) == 2  # never asked for again


def test_tracker_run_reports_the_urls_still_owed():
    from tracker.cli.run import describe as run_table
    from tracker.schedule.jobs import JobResult
    from tracker.sources.summary import CrawlSummary

    owing = CrawlSummary(source="blogs", status="partial", seen=8, extra={"owed": 2})
    clean = CrawlSummary(source="press", status="success", seen=3, extra={"owed": 0})
    site = JobResult("site", "skipped", "not built")
    issue = JobResult("newsletter-build", "skipped", "not built")
    lines = run_table(
        [
            JobResult("crawl:blogs", "partial", "2 failed", crawl=owing),
            JobResult("crawl:press", "success", crawl=clean),
        ],
        site,
        issue,
    )
    assert lines[1].split()[:4] == ["blogs", "partial,", "2", "owed"]
    assert lines[2].split()[:2] == ["press", "success"]
