"""The corpus world a new user builds: every corpus source crawled, the seed articles checked.

* OpenRouter: the three snapshots of ``tests/claims`` backfilled (2025-12-02 with
  Qwen3-Max at $1.20, 2026-03-17 with the price cut, 2026-08-22 with the tiers);
* the recorded Hub, every organisation in it;
* every vendor blog folder of the corpus as a configured feed (the Qwen blog
  through its real RSS feed), and the press folder as a press feed;
* ``tracker check`` on the five seed articles.

``build_world(db_url, corpus)`` is used by ``tests/verdicts/conftest.py`` and
``benchmarks/dispute_key.py``; it needs ``tests`` on ``sys.path`` (pytest's
``pythonpath``) and puts ``tests/claims`` there for the content server.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent / "claims"))  # content_server

from content_server import BLOG_VENDORS, ContentServer
from helpers.corpus import FakeHub, hub_cards, hub_details, snapshot
from helpers.server import FakeServer, Reply

from tracker.backfill import backfill_openrouter
from tracker.config import FeedSettings, HttpSettings, HuggingFaceSettings, OpenRouterSettings, Settings
from tracker.sources.runner import run_crawl
from tracker.store.db import make_engine, make_sessionmaker

#: OpenRouter snapshots backfilled (oldest first), as in ``tests/claims``.
SNAPSHOTS = ("2025-12-02", "2026-03-17", "2026-08-22")
SEEDS = (
    "000_c6dc48e131f9fde4.txt",
    "001_ce9375d93a126e2f.txt",
    "002_f8a82aa700dfb7a4.txt",
    "003_6ba69d8e4af22b21.txt",
    "004_d69d3dd2a683e24d.txt",
)


def world_settings(db_url: str, content: ContentServer) -> Settings:
    feeds = [FeedSettings(url=content.serve_real_qwen_feed(), vendor="qwen")]
    feeds += [FeedSettings(url=content.serve_blog(v), vendor=v) for v in BLOG_VENDORS if v != "qwen"]
    feeds.append(FeedSettings(url=content.serve_press(), vendor="news", kind="press"))
    return Settings(
        database_url=db_url,
        http=HttpSettings(allowed_hosts=("127.0.0.1", "localhost"), retries=1, timeout_seconds=5.0, autothrottle=False),
        openrouter=OpenRouterSettings(url=f"{content.url}/api/v1/models"),
        huggingface=HuggingFaceSettings(url=content.url, orgs=()),
        feeds=tuple(feeds),
    )


def crawl_documents(db_url: str, corpus: Path) -> None:
    """Crawl the blogs and the press into ``db_url`` (already stocked) and check the seeds."""
    from tracker.cli import main

    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    try:
        content = ContentServer(server, corpus)
        settings = world_settings(db_url, content)
        for source in ("blogs", "press"):
            summary = run_crawl(settings, source, trigger="test")
            assert summary.status in ("success", "partial"), summary.render()
    finally:
        server.stop()
    previous = os.environ.get("TRACKER_DATABASE_URL"), os.environ.get("TRACKER_CONFIG")
    os.environ["TRACKER_DATABASE_URL"] = db_url
    os.environ.pop("TRACKER_CONFIG", None)
    try:
        assert main(["check", *(str(corpus / "press" / "seeds" / name) for name in SEEDS)]) == 0
    finally:
        for name, value in zip(("TRACKER_DATABASE_URL", "TRACKER_CONFIG"), previous, strict=True):
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def stock_primary(db_url: str, corpus: Path) -> None:
    """Backfill the OpenRouter snapshots and crawl every recorded Hub organisation into ``db_url``."""
    engine = make_engine(db_url)
    try:
        files = [snapshot(corpus, name) for name in SNAPSHOTS]
        summaries = backfill_openrouter(make_sessionmaker(engine), db_url, files, trigger="test")
        assert all(s.status == "success" for s in summaries), [s.render() for s in summaries]
    finally:
        engine.dispose()
    details = hub_details(corpus)
    orgs = tuple(sorted({repo.split("/")[0] for repo in details}))
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    try:
        FakeHub(server, details, hub_cards(corpus)).install()
        settings = Settings(
            database_url=db_url,
            http=HttpSettings(
                allowed_hosts=("127.0.0.1", "localhost"), retries=1, timeout_seconds=5.0, autothrottle=False
            ),
            huggingface=HuggingFaceSettings(url=server.url, orgs=orgs),
        )
        summary = run_crawl(settings, "huggingface", trigger="test")
        assert summary.status in ("success", "partial"), summary.render()
    finally:
        server.stop()


def build_world(db_url: str, corpus: Path) -> None:
    """Stock ``db_url`` (a migrated, empty database) with the whole corpus world."""
    stock_primary(db_url, corpus)
    crawl_documents(db_url, corpus)
