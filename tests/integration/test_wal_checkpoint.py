"""The chunks of a stored listing are checkpointed on a thread of their own: when the store ends they are in
the database file itself, and the storing connection checkpoints automatically again."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tracker.normalize.openrouter import snapshot_from_payload
from tracker.sources.pipelines.openrouter import store_listing
from tracker.store.checkpoint import DEFAULT_AUTOCHECKPOINT, Checkpointer

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def entry(model_id: str) -> dict:
    return {"id": model_id, "name": model_id, "context_length": 8192, "pricing": {"prompt": "0.000001"}}


def sqlite_path(engine) -> Path:
    if engine.dialect.name != "sqlite":
        pytest.skip("WAL checkpoints are SQLite's")
    return Path(engine.url.database)


def listings_in_the_file_alone(path: Path, tmp_path: Path) -> int:
    """Listings in the database file without its WAL (what checkpoints have copied there)."""
    alone = tmp_path / "alone.db"
    shutil.copyfile(path, alone)
    conn = sqlite3.connect(alone)
    try:
        return conn.execute("SELECT count(*) FROM openrouter_listings").fetchone()[0]
    finally:
        conn.close()


def test_the_stored_chunks_are_in_the_database_file_when_the_store_ends(engine, sessions, tmp_path):
    path = sqlite_path(engine)
    ids = [f"vendor/model-{i:02d}" for i in range(9)]
    summary = store_listing(
        sessions, None, snapshot_from_payload({"data": [entry(i) for i in ids]}, observed_at=NOW), [], chunk=4
    )
    assert summary.status == "success" and summary.extra["stored_chunks"] == 4
    # a few pages: without the checkpointer no automatic checkpoint (1,000 pages) would have copied them
    assert listings_in_the_file_alone(path, tmp_path) == 9


def test_a_held_connection_gets_its_automatic_checkpoints_back(engine, sessions):
    path = sqlite_path(engine)
    checkpointer = Checkpointer(str(path))
    with sessions() as session:
        checkpointer.hold(session)
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        checkpointer.request()
        checkpointer.finish()
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == DEFAULT_AUTOCHECKPOINT
    assert checkpointer.error is None and checkpointer.runs >= 1


def test_no_checkpointer_for_other_databases(engine):
    from tracker.store.db import make_engine

    memory = make_engine("sqlite://")
    assert Checkpointer.for_engine(memory) is None
    memory.dispose()
    if engine.dialect.name != "sqlite":
        assert Checkpointer.for_engine(engine) is None
