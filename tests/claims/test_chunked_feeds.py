"""Blogs and press store in chunks of ``store_chunk`` pages, each its own transaction: the database ends up
as with one transaction, the pipeline holds at most a chunk, and a crawl killed halfway keeps its chunks
(the next crawl reads the feed again and stores only what is missing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from content_server import ContentServer, rss
from helpers.worlds import copy_world
from sqlalchemy import func, select, text

from tracker.config import FeedSettings, Settings
from tracker.sources.runner import run_crawl
from tracker.store.db import make_engine
from tracker.store.tables import Document, Run
from tracker.store.tables.frontier import FrontierUrl

#: The tables a blogs/press crawl writes, compared row by row (ids, run ids and times left out:
#: they differ between two crawls by construction).
COMPARED = (
    "documents",
    "claims",
    "disputes",
    "events",
    "models",
    "http_cache",
    "frontier",
    "source_listings",
    "crawl_errors",
)
SKIPPED_COLUMNS = {"id", "run_id", "document_id", "observation_id", "payload", "extra", "data"}


def table_rows(db_url: str) -> dict[str, Counter[tuple[Any, ...]]]:
    engine = make_engine(db_url)
    try:
        out: dict[str, Counter[tuple[Any, ...]]] = {}
        with engine.connect() as conn:
            for table in COMPARED:
                result = conn.execute(text(f'SELECT * FROM "{table}"'))
                names = list(result.keys())
                rows: Counter[tuple[Any, ...]] = Counter()
                for row in result:
                    rows[
                        tuple(
                            (name, value)
                            for name, value in zip(names, row, strict=True)
                            if name not in SKIPPED_COLUMNS
                            and not name.endswith("claim_id")
                            and not name.endswith("_at")
                            and not isinstance(value, dt.datetime | dt.date)
                        )
                    ] += 1
                out[table] = rows
        return out
    finally:
        engine.dispose()


def corpus_feeds(content: ContentServer) -> tuple[FeedSettings, ...]:
    feeds = [FeedSettings(url=content.serve_real_qwen_feed(), vendor="qwen")]
    feeds += [FeedSettings(url=content.serve_blog(v), vendor=v) for v in ("deepseek", "openai")]
    feeds.append(FeedSettings(url=content.serve_press(), vendor="news", kind="press"))
    return tuple(feeds)


def test_a_crawl_in_chunks_of_two_stores_what_one_transaction_stores(
    settings: Settings, content: ContentServer, request, tmp_path: Path
):
    template = request.getfixturevalue("_stocked_template")  # OpenRouter's and the Hub's data: claims get weighed
    feeds = corpus_feeds(content)
    results = {}
    for chunk in (2, 100_000):
        db_url = f"sqlite:///{tmp_path / f'chunk-{chunk}.db'}"
        copy_world(template, db_url)
        configured = dataclasses.replace(settings, database_url=db_url, feeds=feeds, store_chunk=chunk)
        summaries = [run_crawl(configured, source, trigger="test") for source in ("blogs", "press")]
        assert [s.status for s in summaries] == ["success", "success"], [s.render() for s in summaries]
        results[chunk] = (summaries, table_rows(db_url))
    streamed, whole = results[2], results[100_000]
    blogs = streamed[0][0]
    assert blogs.extra["stored_chunks"] > 10 and 1 <= blogs.extra["peak_pages_held"] <= 2
    assert "stored_chunks" not in whole[0][0].extra  # a crawl smaller than its chunk: one transaction
    for a, b in zip(streamed[0], whole[0], strict=True):
        assert (a.seen, a.new, a.unchanged) == (b.seen, b.new, b.unchanged)
        assert a.extra["pages_read"] == b.extra["pages_read"] and a.events == b.events
    assert sum(len(rows) for rows in whole[1].values()) > 100
    assert whole[1]["claims"] and whole[1]["events"]
    for table in COMPARED:
        a, b = streamed[1][table], whole[1][table]
        assert a == b, (table, sorted(a - b), sorted(b - a))


POSTS = 30
CHUNK = 5
KILL_AFTER_PAGES = 18


def post(i: int) -> bytes:
    return (
        f"# Release notes {i}\n\nToday we publish the notes of week {i} about our tools and our"
        f" documentation, with the changes of the week and the fixes.\n"
    ).encode()


def test_a_feed_crawl_killed_halfway_keeps_its_chunks_and_the_next_crawl_completes(
    settings: Settings, content: ContentServer, server, sessions
):
    day = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    items, paths = [], []
    for i in range(POSTS):
        path = f"/notes/{i:02d}.md"
        items.append((f"Notes {i}", content.add(path, post(i), "text/markdown; charset=utf-8"), day))
        paths.append(path)
    feed = content.add("/notes.xml", rss("notes", content.url, items), "application/rss+xml")
    configured = dataclasses.replace(settings, feeds=(FeedSettings(url=feed, vendor="acme"),), store_chunk=CHUNK)
    child: dict[str, int | None] = {"pid": None}
    served = {"pages": 0}
    lock = threading.Lock()

    def page_then_kill(request, path):
        with lock:
            served["pages"] += 1
            if served["pages"] == KILL_AFTER_PAGES and child["pid"]:
                os.kill(child["pid"], signal.SIGKILL)  # a crash in the middle of the crawl
        return content._answer(path, request)

    for path in paths:
        server.route(path, lambda request, p=path: page_then_kill(request, p))

    def on_child(pid):
        if pid is not None:
            child["pid"] = pid

    first = run_crawl(configured, "blogs", trigger="test", on_child=on_child)
    assert first.status == "failed"
    with sessions() as session:
        kept = set(session.scalars(select(Document.url)))
        # nothing of the end was recorded: no frontier, no feed validators (the next crawl reads the feed again)
        assert session.scalar(select(func.count()).select_from(FrontierUrl)) == 0
    assert 0 < len(kept) < POSTS and len(kept) % CHUNK == 0, len(kept)

    for path in paths:  # the second crawl is not killed
        server.route(path, lambda request, p=path: content._answer(p, request))
    second = run_crawl(configured, "blogs", trigger="test")
    assert second.status == "success", second.render()
    assert second.new == POSTS - len(kept) and second.extra["owed"] == 0
    assert content.served["/notes.xml"] == 2
    # the pages stored by the killed crawl answered 304: fetched in full once
    assert all(content.served[p] == 1 for p in paths if f"{content.url}{p}" in kept)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == POSTS
        assert session.get(Run, second.run_id).status == "success"
        assert (
            session.scalar(select(func.count()).select_from(FrontierUrl).where(FrontierUrl.state == "fetched")) == POSTS
        )
