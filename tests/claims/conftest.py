"""Fixtures for the claims tests: the corpus blogs and press on loopback, and a database that
already holds what OpenRouter and the Hub say (the primary sources the claims are weighed against).

``stocked`` gives a database where three OpenRouter snapshots were backfilled
(2025-12-02: Qwen3-Max at $1.20; 2026-03-17: the price cut; 2026-08-22: the
prompt-length tiers) and the recorded Hub was crawled for a few organisations.
On SQLite that database is built once per session and copied per test; on
Postgres it is built in the test database.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from content_server import ContentServer
from helpers.corpus import FakeHub, hub_cards, hub_details, snapshot
from helpers.server import FakeServer, Reply

from tracker.backfill import backfill_openrouter
from tracker.config import FeedSettings, HttpSettings, HuggingFaceSettings, Settings
from tracker.sources.runner import run_crawl
from tracker.store.db import make_engine, make_sessionmaker

#: OpenRouter snapshots backfilled into the stocked database (oldest first).
SNAPSHOTS = ("2025-12-02", "2026-03-17", "2026-08-22")
#: Hub organisations crawled into the stocked database.
HUB_ORGS = ("Qwen", "openai", "meta-llama", "deepseek-ai", "moonshotai", "mistralai", "google")


def stock(db_url: str, corpus: Path, server: FakeServer) -> None:
    """Backfill the OpenRouter snapshots and crawl the recorded Hub into ``db_url``."""
    engine = make_engine(db_url)
    try:
        files = [snapshot(corpus, name) for name in SNAPSHOTS]
        summaries = backfill_openrouter(make_sessionmaker(engine), db_url, files, trigger="test")
        assert all(s.status == "success" for s in summaries), [s.render() for s in summaries]
    finally:
        engine.dispose()
    details = {k: v for k, v in hub_details(corpus).items() if k.split("/")[0] in HUB_ORGS}
    FakeHub(server, details, hub_cards(corpus)).install()
    settings = Settings(
        database_url=db_url,
        http=HttpSettings(allowed_hosts=("127.0.0.1", "localhost"), retries=1, timeout_seconds=5.0, autothrottle=False),
        huggingface=HuggingFaceSettings(url=server.url, orgs=HUB_ORGS),
    )
    summary = run_crawl(settings, "huggingface", trigger="test")
    assert summary.status in ("success", "partial"), summary.render()


@pytest.fixture(scope="session")
def _stocked_template(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path, corpus: Path) -> Path:
    path = tmp_path_factory.mktemp("stocked") / "stocked.db"
    shutil.copyfile(_sqlite_template, path)
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    try:
        stock(f"sqlite:///{path}", corpus, server)
    finally:
        server.stop()
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def stocked(db_url: str, request: pytest.FixtureRequest, corpus: Path) -> str:
    """``db_url``, holding OpenRouter's and the Hub's data (see the module docstring)."""
    if db_url.startswith("sqlite:///"):
        template = request.getfixturevalue("_stocked_template")
        shutil.copyfile(template, db_url.removeprefix("sqlite:///"))
        return db_url
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    try:
        stock(db_url, corpus, server)
    finally:
        server.stop()
    return db_url


@pytest.fixture
def content(server: FakeServer, corpus: Path) -> ContentServer:
    """The corpus blogs and press served with validators (conditional GET)."""
    return ContentServer(server, corpus)


@pytest.fixture
def with_feeds(settings: Settings) -> Callable[..., Settings]:
    """``settings`` with these feeds configured."""

    def make(*feeds: FeedSettings, **http: object) -> Settings:
        return dataclasses.replace(
            settings, feeds=tuple(feeds), http=dataclasses.replace(settings.http, **http) if http else settings.http
        )

    return make


@pytest.fixture
def crawl(with_feeds: Callable[..., Settings]) -> Iterator[Callable[..., object]]:
    """Crawl ``source`` with these feeds."""

    def run(source: str, *feeds: FeedSettings, **http: object) -> object:
        return run_crawl(with_feeds(*feeds, **http), source, trigger="test")

    yield run
