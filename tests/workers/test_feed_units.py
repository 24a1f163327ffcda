"""A feed is a unit of crawl work: the producer queues one task per configured feed per tick (one waiting
task per feed), and a feed's task crawls that feed only — its entries and the article URLs it owes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import psycopg
import pytest
from claims.content_server import ContentServer, rss
from helpers.server import Reply
from sqlalchemy import select
from workers.test_stalled import run_in_own_thread

from tracker.config import FeedSettings, Settings, SourcesSettings
from tracker.errors import ConfigError
from tracker.sources.runner import run_crawl
from tracker.store.tables import Document
from tracker.store.tables.frontier import FrontierUrl
from tracker.workers.producer import TickReport, run_producer
from tracker.workers.queue import libpq_url
from tracker.workers.tasks import build_app, run_unit
from tracker.workers.units import parse_unit, unit_settings, units_of

FEEDS = (
    FeedSettings(url="https://a.example/feed.xml", vendor="a"),
    FeedSettings(url="https://b.example/index", vendor="b", type="index"),
    FeedSettings(url="https://news.example/rss", vendor="news", kind="press"),
)
TICK = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def test_each_configured_feed_is_a_unit_crawled_alone():
    settings = Settings(feeds=FEEDS, sources=SourcesSettings(defaults=False))
    blogs = units_of(settings, "blogs")
    assert [u.key for u in blogs] == ["blogs:feed:https://a.example/feed.xml", "blogs:feed:https://b.example/index"]
    assert [u.key for u in units_of(settings, "press")] == ["press:feed:https://news.example/rss"]
    unit = parse_unit(blogs[1].key, ("blogs", "press"))
    assert unit == blogs[1]
    narrowed = unit_settings(settings, unit)
    assert narrowed.feeds == (FEEDS[1],) and narrowed.sources.defaults is False
    # no feed configured: the source is one unit that says so when crawled
    assert [u.key for u in units_of(Settings(sources=SourcesSettings(defaults=False)), "blogs")] == ["blogs"]
    # the default sources are feeds too, each its own unit
    assert len(units_of(Settings(), "blogs")) > 10


def test_a_very_long_feed_url_is_named_by_its_hash_and_a_feed_no_longer_configured_is_an_error():
    long = FeedSettings(url="https://a.example/feed?" + "x" * 400, vendor="a")
    settings = Settings(feeds=(long,), sources=SourcesSettings(defaults=False))
    [unit] = units_of(settings, "blogs")
    assert len(unit.key) < 300 and unit.key.startswith("blogs:feed:sha256:")
    assert unit_settings(settings, parse_unit(unit.key, ("blogs",))).feeds == (long,)
    with pytest.raises(ConfigError, match="no such blogs feed"):
        unit_settings(Settings(sources=SourcesSettings(defaults=False)), unit)
    with pytest.raises(ConfigError, match="not a feed URL"):
        parse_unit("blogs:feed:nonsense", ("blogs",))


def test_the_producer_queues_one_task_per_feed_per_tick(queue_db):
    settings = Settings(database_url=queue_db, feeds=FEEDS, sources=SourcesSettings(defaults=False))
    app = build_app(settings)
    reports: list[TickReport] = []

    async def scenario(now: dt.datetime):
        import asyncio

        stop = asyncio.Event()
        seen: set[str] = set()

        def report(line: TickReport) -> None:
            reports.append(line)
            seen.add(line.source)
            if {"blogs", "press"} <= seen:
                stop.set()

        async with app.open_async():
            await asyncio.wait_for(
                run_producer(settings, app, stop, stalled_seconds=30, report=report, now=lambda: now), timeout=30
            )

    run_in_own_thread(scenario(TICK))
    run_in_own_thread(scenario(TICK + dt.timedelta(minutes=1)))  # the same tick again: nothing new is waiting twice
    with psycopg.connect(libpq_url(queue_db)) as conn:
        rows = conn.execute(
            "SELECT queueing_lock, lock, args->>'unit' FROM procrastinate.procrastinate_jobs ORDER BY id"
        ).fetchall()
    feed_units = sorted(unit for _q, _l, unit in rows if ":feed:" in unit)
    assert feed_units == sorted(
        [
            "blogs:feed:https://a.example/feed.xml",
            "blogs:feed:https://b.example/index",
            "press:feed:https://news.example/rss",
        ]
    )
    assert all(queueing == lock == unit for queueing, lock, unit in rows)  # one waiting and one running per feed
    blogs = [r for r in reports if r.source == "blogs"]
    assert blogs[0].deferred == 2 and all(r.deferred + r.already_queued == 2 for r in blogs)


class FailFirst:
    """Answer 503 to the first request of a path, then what the content server has."""

    def __init__(self, content: ContentServer, path: str) -> None:
        self.content, self.path, self.failed = content, path, False

    def __call__(self, request):
        if not self.failed:
            self.failed = True
            return Reply(503, b"busy", {"Content-Type": "text/plain"})
        return self.content._answer(self.path, request)


def serve_feed(content: ContentServer, name: str, count: int) -> tuple[str, list[str]]:
    when = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    items, paths = [], []
    for i in range(count):
        path = f"/{name}/{i}.md"
        text = f"The {name} team writes about week {i} of its work on tools, documentation and releases. " * 6
        body = f"# {name} post {i}\n\n{text}\n"
        items.append((f"{name} {i}", content.add(path, body.encode(), "text/markdown; charset=utf-8"), when))
        paths.append(path)
    return content.add(f"/{name}.xml", rss(name, content.url, items), "application/rss+xml"), paths


def test_a_feed_unit_crawls_only_its_feed_and_what_that_feed_owes(
    queue_db, settings: Settings, server, corpus: Path, sessions
):
    content = ContentServer(server, corpus)
    feed_a, _ = serve_feed(content, "alpha", 3)
    feed_b, paths_b = serve_feed(content, "beta", 3)
    server.route(paths_b[0], FailFirst(content, paths_b[0]))  # beta owes one article after the first crawl
    configured = dataclasses.replace(
        settings,
        database_url=queue_db,
        feeds=(FeedSettings(url=feed_a, vendor="alpha"), FeedSettings(url=feed_b, vendor="beta")),
        http=dataclasses.replace(settings.http, retries=0),
        sources=SourcesSettings(defaults=False, retry_minutes=0),
    )
    assert run_crawl(configured, "blogs", trigger="test").extra["owed"] == 1
    new_a, _ = serve_feed(content, "alpha", 4)  # alpha has a new post since
    assert new_a == feed_a
    served_before = dict(content.served)

    outcome = run_unit(configured, sessions, f"blogs:feed:{feed_a}", TICK.isoformat(), job_id=None)
    assert outcome.startswith("success"), outcome
    fetched = {p: n - served_before.get(p, 0) for p, n in content.served.items() if n > served_before.get(p, 0)}
    assert fetched == {"/alpha.xml": 1, "/alpha/3.md": 1}  # beta's feed and the article it owes are left alone
    with sessions() as session:
        owed = list(session.scalars(select(FrontierUrl.url).where(FrontierUrl.state == "failed")))
    assert owed == [f"{content.url}{paths_b[0]}"]

    outcome = run_unit(configured, sessions, f"blogs:feed:{feed_b}", TICK.isoformat(), job_id=None)
    assert outcome.startswith("success"), outcome
    with sessions() as session:
        urls = set(session.scalars(select(Document.url)))
        assert not list(session.scalars(select(FrontierUrl.url).where(FrontierUrl.state == "failed")))
    assert urls == {f"{content.url}/alpha/{i}.md" for i in range(4)} | {f"{content.url}{p}" for p in paths_b}
