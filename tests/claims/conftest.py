"""Fixtures for the claims tests: the corpus blogs and press on loopback, and a database that
already holds what OpenRouter and the Hub say (the primary sources the claims are weighed against).

``stocked`` gives a database where three OpenRouter snapshots were backfilled
(2025-12-02: Qwen3-Max at $1.20; 2026-03-17: the price cut; 2026-08-22: the
prompt-length tiers) and the recorded Hub was crawled for a few organisations.
It is built once per session and copied per test (SQLite: a file; Postgres: a
schema of the test database, see ``helpers.worlds``).

``story_db`` is the stocked database after the corpus blogs and press were
crawled and the seed articles checked (the Qwen3-Max story): built once per
session (two real crawls and a ``tracker check``) and copied per test.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from content_server import SEEDS, ContentServer
from helpers.corpus import FakeHub, hub_cards, hub_details, snapshot
from helpers.server import FakeServer
from helpers.settings import loopback_settings
from helpers.worlds import build_pg_world, build_sqlite_world, copy_pg_world, copy_world, drop_pg_world, once_per_run

from tracker.backfill import backfill_openrouter
from tracker.cli import main
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
    return once_per_run(
        tmp_path_factory,
        "stocked",
        lambda folder: build_sqlite_world(
            _sqlite_template, folder / "stocked.db", lambda url, server: stock(url, corpus, server)
        )[0],
    )


@pytest.fixture(scope="session")
def _stocked_pg(tmp_path_factory: pytest.TempPathFactory, _pg_schema: str | None, corpus: Path) -> Iterator[str]:
    assert _pg_schema
    schema, _ = once_per_run(
        tmp_path_factory,
        "stocked-pg",
        lambda _folder: build_pg_world(_pg_schema, "world_stocked", lambda url, server: stock(url, corpus, server)),
    )
    yield schema
    drop_pg_world(_pg_schema, schema)


@pytest.fixture
def stocked(db_url: str, request: pytest.FixtureRequest, corpus: Path) -> str:
    """``db_url``, holding OpenRouter's and the Hub's data (see the module docstring)."""
    if db_url.startswith("sqlite:///"):
        copy_world(request.getfixturevalue("_stocked_template"), db_url)
    else:
        copy_pg_world(request.getfixturevalue("_stocked_pg"), db_url)
    return db_url


def tell_story(settings: Settings, content: ContentServer, corpus: Path) -> Settings:
    """Crawl the corpus blogs and press into ``settings.database_url`` (stocked), then check the seeds."""
    feeds = [FeedSettings(url=content.serve_real_qwen_feed(), vendor="qwen")]
    feeds += [FeedSettings(url=content.serve_blog(v), vendor=v) for v in ("deepseek", "openai", "moonshot", "meta")]
    feeds.append(FeedSettings(url=content.serve_press(), vendor="news", kind="press"))
    settings = dataclasses.replace(settings, feeds=tuple(feeds))
    for source in ("blogs", "press"):
        summary = run_crawl(settings, source, trigger="test")
        assert summary.status == "success", summary.render()
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(io.StringIO()):
        env.setenv("TRACKER_DATABASE_URL", settings.database_url)
        env.delenv("TRACKER_CONFIG", raising=False)
        assert main(["check", *(str(corpus / "press" / "seeds" / name) for name in SEEDS)]) == 0
    return settings


@pytest.fixture(scope="session")
def _story_template(
    tmp_path_factory: pytest.TempPathFactory, _stocked_template: Path, corpus: Path
) -> tuple[Path, Settings]:
    return once_per_run(
        tmp_path_factory,
        "story",
        lambda folder: build_sqlite_world(
            _stocked_template,
            folder / "story.db",
            lambda url, server: tell_story(loopback_settings(url, server), ContentServer(server, corpus), corpus),
        ),
    )


@pytest.fixture(scope="session")
def _story_pg(
    tmp_path_factory: pytest.TempPathFactory, _pg_schema: str | None, _stocked_pg: str, corpus: Path
) -> Iterator[tuple[str, Settings]]:
    assert _pg_schema
    schema, told = once_per_run(
        tmp_path_factory,
        "story-pg",
        lambda _folder: build_pg_world(
            _pg_schema,
            "world_story",
            lambda url, server: tell_story(loopback_settings(url, server), ContentServer(server, corpus), corpus),
            base=_stocked_pg,
        ),
    )
    yield schema, told
    drop_pg_world(_pg_schema, schema)


@pytest.fixture
def story_db(db_url: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose database (``db_url``) holds the Qwen3-Max story: ``stocked``, the corpus blogs and press
    crawled, the seed articles checked. ``TRACKER_DATABASE_URL`` names it for the CLI."""
    if db_url.startswith("sqlite:///"):
        template, told = request.getfixturevalue("_story_template")
        copy_world(template, db_url)
    else:
        schema, told = request.getfixturevalue("_story_pg")
        copy_pg_world(schema, db_url)
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return dataclasses.replace(told, database_url=db_url)


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
