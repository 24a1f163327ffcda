"""Benchmark: the crawl frontier's store step on a large blog crawl, beside a floor measured in the same run.

Builds a log of N discovered article URLs (a first crawl: every URL new, 20 % failed), applies it
with :func:`tracker.store.frontier.apply_frontier` to a fresh SQLite database, then applies the
second crawl (the failed ones fetched, the rest not modified). The floor is one bare ``executemany``
insert of the same N rows into the same table (what writing the frontier costs at the least).

    .venv/bin/python benchmarks/bench_frontier.py [--urls 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, insert

from tracker.normalize.frontier import FrontierLog
from tracker.store.db import make_engine, make_sessionmaker, session_scope, upgrade
from tracker.store.frontier import apply_frontier
from tracker.store.tables.frontier import FrontierUrl

FEED = {"url": "https://example.org/feed.xml", "vendor": "example", "kind": "vendor", "name": "example"}


def first_crawl(urls: list[str], now: dt.datetime) -> FrontierLog:
    log = FrontierLog()
    for number, url in enumerate(urls):
        log.entry(FEED, url, f"Post {number}", "2026-01-01")
        if number % 5 == 3:
            log.failed(url, now, "http-503", 503, "busy")
        else:
            log.page(url, now, f"sha{number}")
    log.listing(FEED, FEED["url"], now, 200, len(urls))
    return log


def second_crawl(urls: list[str], now: dt.datetime) -> FrontierLog:
    log = FrontierLog()
    log.not_modified(FEED["url"], "feed", now)
    for number, url in enumerate(urls):
        if number % 5 == 3:
            log.page(url, now, f"sha{number}")
    return log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=20000)
    args = parser.parse_args()
    urls = [f"https://example.org/blog/post-{n:06d}" for n in range(args.urls)]
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        factory = make_sessionmaker(engine)

        rows = [
            {
                "source": "blogs",
                "url": url,
                "feed_url": FEED["url"],
                "vendor": "example",
                "kind": "vendor",
                "title": None,
                "date_text": None,
                "state": "pending",
                "content_hash": None,
                "attempts": 0,
                "gone_answers": 0,
                "reason": None,
                "http_status": None,
                "next_retry_at": None,
                "first_seen_at": now,
                "last_attempt_at": None,
                "fetched_at": None,
            }
            for url in urls
        ]
        started = time.perf_counter()
        with session_scope(factory) as session:
            session.execute(insert(FrontierUrl), rows)
        floor = time.perf_counter() - started
        with session_scope(factory) as session:
            session.execute(delete(FrontierUrl))

        log = first_crawl(urls, now)
        started = time.perf_counter()
        with session_scope(factory) as session:
            one = apply_frontier(
                session, log, source="blogs", listings=[FEED], now=now, first_wait_minutes=0, broken_after_runs=2
            )
        first = time.perf_counter() - started
        log = second_crawl(urls, now + dt.timedelta(hours=3))
        started = time.perf_counter()
        with session_scope(factory) as session:
            two = apply_frontier(
                session,
                log,
                source="blogs",
                listings=[FEED],
                now=now + dt.timedelta(hours=3),
                first_wait_minutes=0,
                broken_after_runs=2,
            )
        second = time.perf_counter() - started
        engine.dispose()
    print(f"frontier store step, {args.urls:,} article URLs (SQLite)")
    print(f"  floor: one executemany insert of the rows    {floor:7.2f} s")
    print(
        f"  first crawl (all new, 20 % failed)            {first:7.2f} s  ({first / floor:.1f}× floor)"
        f"  owed {one.owed:,}"
    )
    print(
        f"  second crawl (feed 304, the failed fetched)   {second:7.2f} s  ({second / floor:.1f}× floor)"
        f"  owed {two.owed:,}"
    )


if __name__ == "__main__":
    main()
