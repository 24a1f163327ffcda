"""Fixtures of the worker tests: the task queue's schema on the Postgres test database, emptied per test.

``tests/conftest.py`` truncates the tables of the schema ``public`` before each
test; Procrastinate's tables live in the schema ``procrastinate`` (as ``tracker
init`` puts them), which that leaves alone: :func:`queue_db` applies it once and
empties its tables before each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tracker.store.db import make_engine

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL") or None
#: Procrastinate's tables, emptied between tests.
QUEUE_TABLES = ("procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers", "procrastinate_workers")

needs_pg = pytest.mark.skipif(not PG_URL, reason="crawl workers need Postgres: set TRACKER_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _queue_schema(_pg_schema: str | None) -> str | None:
    if not _pg_schema:
        return None
    from tracker.workers.queue import ensure_queue_schema

    ensure_queue_schema(_pg_schema)
    return _pg_schema


@pytest.fixture
def queue_db(db_url: str, _queue_schema: str | None) -> Iterator[str]:
    """The Postgres test database, tracker's tables and the queue's both empty (skips on SQLite)."""
    if not _queue_schema:
        pytest.skip("crawl workers need Postgres: set TRACKER_TEST_DATABASE_URL")
    from tracker.workers.queue import QUEUE_SCHEMA

    engine = make_engine(db_url)
    with engine.begin() as conn:
        names = ", ".join(f'"{QUEUE_SCHEMA}"."{name}"' for name in QUEUE_TABLES)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield db_url
