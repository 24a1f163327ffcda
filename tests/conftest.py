"""Shared fixtures: the corpus, a fresh migrated database per test, the loopback server.

* The network is blocked by pytest-socket (only loopback is allowed, see
  ``pyproject.toml``); crawl child processes get ``allowed_hosts`` = loopback.
* ``TRACKER_TEST_DATABASE_URL`` (a Postgres URL) makes every database test run
  on Postgres instead of SQLite. The schema comes from Alembic, never from
  ``create_all``.
* ``TRACKER_REQUIRE_CORPUS=1`` (set by ``.ci/run``) turns a missing corpus into
  a failure instead of a skip.
* Tests that crawl through real crawl processes are marked ``e2e`` here (their
  module calls ``run_crawl`` or starts the CLI as a process, or they use a
  crawling fixture); ``pytest -m "not e2e"`` runs the rest. Tests that only read
  a crawl's result use a shared world instead (``helpers.worlds``).
* Tests that reach the test database (their fixtures lead to ``_pg_schema``) are
  marked ``db``: ``.ci/run`` runs the whole suite on SQLite, then ``-m db`` on
  Postgres; a test without the mark never opens that database, so on Postgres it
  would only repeat its SQLite run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.server import FakeServer, Reply
from helpers.settings import loopback_settings
from helpers.worlds import RUN_ENV, drop_run_schemas, in_schema, worker_schema
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings
from tracker.sources.runner import prepare_crawl_processes
from tracker.store.db import make_engine, make_sessionmaker, upgrade

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = (REPO_ROOT / ".." / "shared" / "corpus").resolve()
PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL") or None


#: Fixtures that run a crawl in a child process when the test calls them.
CRAWLING_FIXTURES = frozenset({"crawl_hub", "crawl"})


#: The pytest-xdist groups (a group runs on one worker) of tests that share something one worker must own,
#: by the fixtures that reach it: the corpus site (built once into one folder) and the task queue's schema
#: (``procrastinate``, one per database, not per worker). The corpus worlds need no group: each is built
#: once per run for every worker (``helpers.worlds.once_per_run``), so a world's tests spread over workers.
WORLD_GROUPS = {
    # a world's tests run on any worker: the world is built once per run for all of them
    # (helpers.worlds.once_per_run); these few share one built site or the task queue's schema
    "corpus_site": "world-corpus-site",
    "queue_db": "task-queue",
    "_queue_schema": "task-queue",
}


def world_group(fixturenames: set[str]) -> str | None:
    """The xdist group of a test that uses these fixtures (None: it may run on any worker)."""
    return "+".join(sorted({WORLD_GROUPS[name] for name in fixturenames & WORLD_GROUPS.keys()})) or None


def pytest_configure(config: pytest.Config) -> None:
    """The controlling process names the run (its workers inherit the name): shared worlds carry it."""
    if not hasattr(config, "workerinput"):
        os.environ.setdefault(RUN_ENV, uuid.uuid4().hex[:8])


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller drops this run's shared Postgres worlds once every worker is done."""
    if PG_URL and not hasattr(session.config, "workerinput") and os.environ.get(RUN_ENV):
        drop_run_schemas(PG_URL, os.environ[RUN_ENV])


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per core. Most of a test's time is spent waiting for a crawl process, a
    server or a subprocess (the suite keeps about a third of the cores busy with one worker per core)."""
    return 2 * (os.cpu_count() or 1)


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark each test as it is collected (before pytest-xdist's worker reads the groups, at the end of
    collection): ``e2e`` when it crawls through real crawl processes, its world's xdist group."""
    module = getattr(item, "module", None)
    fixturenames = set(getattr(item, "fixturenames", ()))
    crawls = module is not None and any(hasattr(module, name) for name in ("run_crawl", "TrackerProcess"))
    if crawls or CRAWLING_FIXTURES & fixturenames:
        item.add_marker(pytest.mark.e2e)
    if "_pg_schema" in fixturenames:
        item.add_marker(pytest.mark.db)
    group = world_group(fixturenames)
    if group:
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
def _crawl_fork_server() -> None:
    """Start the crawl fork server at once: it imports Scrapy while the first tests run."""
    prepare_crawl_processes()


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
    """The Postgres URL the tests use: schema ``public`` of the given database, or under pytest-xdist a schema
    per worker (``test_gw0`` …, first on every connection's search path, crawl children's too)."""
    if not PG_URL:
        yield None
        return
    schema = worker_schema("test") if os.environ.get("PYTEST_XDIST_WORKER") else "public"
    url = in_schema(PG_URL, schema) if schema != "public" else PG_URL
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        # the test database commits without waiting for the WAL flush (a server crash could lose the last
        # commits, which a test database can afford; every commit of every test was a disk wait)
        # (one worker at a time: two concurrent ALTER DATABASE fail with "tuple concurrently updated")
        conn.execute(text("SELECT pg_advisory_xact_lock(7411)"))
        if conn.execute(text("SELECT current_setting('synchronous_commit')")).scalar_one() != "off":
            name = conn.execute(text("SELECT current_database()")).scalar_one()
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url


def _truncate_pg(url: str) -> None:
    """Empty the test schema: truncate the tables that hold rows, restart the sequences that were used.

    (Truncating all ~30 tables for every test cost 0.3–0.9 s a test; most tests leave most tables empty.)"""
    engine = make_engine(url)
    with engine.begin() as conn:
        names = [
            row[0]
            for row in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
            if row[0] != "alembic_version"
        ]
        probe = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
        filled = [row[0] for row in conn.execute(text(probe))] if names else []
        if filled:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in filled) + " RESTART IDENTITY CASCADE"))
        used = conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL")
        ).scalars()
        for name in used:
            conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))
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
    return loopback_settings(db_url, server)
