"""Shared fixtures: the corpus, a fresh migrated database per test, the loopback server.

* The network is blocked by pytest-socket (only loopback is allowed, see
  ``pyproject.toml``); crawl child processes get ``allowed_hosts`` = loopback.
* ``TRACKER_TEST_DATABASE_URL`` (a Postgres URL) makes every database test run
  on Postgres instead of SQLite. The schema comes from Alembic, never from
  ``create_all``.
* ``TRACKER_REQUIRE_CORPUS=1`` (set by ``.ci/run``) turns a missing corpus into
  a failure instead of a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.server import FakeServer, Reply
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import HttpSettings, OpenRouterSettings, Settings, SourcesSettings
from tracker.store.db import make_engine, make_sessionmaker, upgrade

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = (REPO_ROOT / ".." / "shared" / "corpus").resolve()
PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared recorded corpus beside the repository root."""
    if not (CORPUS / "openrouter").is_dir():
        message = f"the shared corpus is missing: expected it at {CORPUS}"
        if os.environ.get("TRACKER_REQUIRE_CORPUS"):
            pytest.fail(message)
        pytest.skip(message)
    return CORPUS


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_schema() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    yield PG_URL


def _truncate_pg(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        names = [
            row[0]
            for row in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            if row[0] != "alembic_version"
        ]
        if names:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db_url(tmp_path: Path, _sqlite_template: Path, _pg_schema: str | None) -> str:
    """A URL to an empty database at the newest schema revision."""
    if _pg_schema:
        _truncate_pg(_pg_schema)
        return _pg_schema
    path = tmp_path / "tracker.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = FakeServer().start()
    srv.route("/robots.txt", Reply(404, b"", {}))
    yield srv
    srv.stop()


@pytest.fixture
def settings(db_url: str, server: FakeServer) -> Settings:
    """Settings pointing every source at the loopback server and the test database."""
    return Settings(
        database_url=db_url,
        http=HttpSettings(
            allowed_hosts=("127.0.0.1", "localhost"),
            retries=2,
            timeout_seconds=3.0,
            concurrency=4,
            autothrottle=False,
            max_retry_after_seconds=5.0,
        ),
        # per-provider offers are their own source ("offers"): tests that want it turn it on
        openrouter=OpenRouterSettings(url=f"{server.url}/api/v1", offers="off"),
        # the shipped default source list points at the internet: tests that want it set a mirror
        sources=SourcesSettings(defaults=False),
    )
