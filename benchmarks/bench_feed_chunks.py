"""Benchmark: a blogs crawl of N new articles stored in chunks of ``--chunk`` pages, beside the same crawl
stored in one transaction (``store_chunk`` above N: what the pipeline did before issue 17), same run.

Serves N posts (corpus blog posts cycled, each made unique by a last line) behind N / 50 RSS feeds on
the loopback FakeServer and runs the real crawl (Scrapy child → pipelines → SQLite), one fresh database
per mode. Prints, per mode: the crawl child's peak RSS (its ``VmHWM``, polled) beside its RSS at start
(the floor), its CPU seconds (user + system, last polled), the number of store transactions and the
longest one (a streamed crawl), the seconds from the last article served to the crawl's end (the last
transaction, with the child's exit: the whole store step of the one-transaction mode), the pages the
pipeline held at most, and the rows written (documents, claims).

    .venv/bin/python benchmarks/bench_feed_chunks.py [--articles 3000] [--chunk 300]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from bench_huggingface import RssWatch  # noqa: E402
from helpers.server import FakeServer, Reply  # noqa: E402
from helpers.settings import loopback_settings  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tracker.config import FeedSettings, SourcesSettings  # noqa: E402
from tracker.sources.runner import run_crawl  # noqa: E402
from tracker.store.db import make_engine, upgrade  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
PER_FEED = 50


def posts(count: int) -> list[bytes]:
    sources = sorted((CORPUS / "blogs").glob("*/*.md"))
    if not sources:
        raise SystemExit(f"the corpus is missing: expected blog posts under {CORPUS / 'blogs'}")
    texts = [p.read_text("utf-8", errors="replace") for p in sources]
    return [f"{texts[i % len(texts)]}\n\nBenchmark article {i}.\n".encode() for i in range(count)]


def feed(url: str, items: list[tuple[str, str]], when: dt.datetime) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>']
    parts.append(f"<link>{escape(url)}</link><description>bench</description>")
    for title, link in items:
        parts.append(f"<item><title>{escape(title)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>")
        parts.append(f"<pubDate>{format_datetime(when)}</pubDate></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def run_mode(chunk: int, bodies: list[bytes], tmp: Path) -> dict:
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    last = {"at": 0.0}

    def answer(body: bytes) -> Reply:
        last["at"] = time.perf_counter()
        return Reply(200, body, {"Content-Type": "text/markdown; charset=utf-8"})

    when = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    feeds = []
    for start in range(0, len(bodies), PER_FEED):
        items = []
        for i in range(start, min(start + PER_FEED, len(bodies))):
            path = f"/posts/{i:06d}.md"
            server.route(path, lambda request, body=bodies[i]: answer(body))
            items.append((f"Article {i}", f"{server.url}{path}"))
        path = f"/feeds/{start // PER_FEED:04d}.xml"
        server.route(path, Reply(200, feed(server.url, items, when), {"Content-Type": "application/rss+xml"}))
        feeds.append(FeedSettings(url=f"{server.url}{path}", vendor=f"vendor{start // PER_FEED}"))
    db_url = f"sqlite:///{tmp / f'chunk-{chunk}.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    settings = loopback_settings(db_url, server)
    settings = dataclasses.replace(
        settings,
        feeds=tuple(feeds),
        store_chunk=chunk,
        sources=SourcesSettings(defaults=False),
        http=dataclasses.replace(settings.http, concurrency=8, timeout_seconds=30.0),
    )
    watch = RssWatch()
    started = time.perf_counter()
    summary = run_crawl(settings, "blogs", trigger="bench", on_child=watch.on_child, timeout_seconds=3600)
    ended = time.perf_counter()
    seconds = ended - started
    watch.stop()
    server.stop()
    with engine.connect() as conn:
        documents = conn.execute(text("SELECT COUNT(*) FROM documents")).scalar_one()
        claims = conn.execute(text("SELECT COUNT(*) FROM claims")).scalar_one()
    engine.dispose()
    return {
        "summary": summary,
        "seconds": seconds,
        # after the last article was served: the pipeline's last transaction (the one transaction, before)
        "after_last": ended - last["at"],
        "cpu": watch.cpu,
        "peak_mib": watch.peak / 1024,
        "start_mib": (watch.start or 0) / 1024,
        "documents": documents,
        "claims": claims,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--chunk", type=int, default=300)
    args = parser.parse_args()
    bodies = posts(args.articles)
    print(
        f"blogs crawl of {args.articles:,} new articles in {-(-args.articles // PER_FEED)} feeds; "
        f"load {os.getloadavg()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for label, chunk in ((f"chunks of {args.chunk}", args.chunk), ("one transaction", args.articles + 1)):
            run = run_mode(chunk, bodies, Path(tmp))
            s = run["summary"]
            extra = s.extra
            print(
                f"{label:>18}: {s.status}, {run['seconds']:.1f} s wall, child CPU {run['cpu']:.1f} s, "
                f"peak RSS {run['peak_mib']:.0f} MiB (floor: the child at start {run['start_mib']:.0f} MiB), "
                f"transactions {extra.get('stored_chunks', 1)}, "
                f"longest {extra.get('longest_store_ms', 0) / 1000:.2f} s, "
                f"after the last response {run['after_last']:.1f} s, "
                f"pages held at most {extra.get('peak_pages_held', '-')}, documents {run['documents']:,}, "
                f"claims {run['claims']:,}"
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
