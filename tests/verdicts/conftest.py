"""The corpus world (``world.py``), built once per test session on SQLite and copied per test module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.worlds import once_per_run
from world import build_world

from tracker.store.db import make_engine


@pytest.fixture(scope="session")
def _world_template(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path, corpus: Path) -> Path:
    def build(folder: Path) -> Path:
        path = folder / "world.db"
        shutil.copyfile(_sqlite_template, path)
        build_world(f"sqlite:///{path}", corpus)
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        return path

    return once_per_run(tmp_path_factory, "verdicts-world", build)


@pytest.fixture
def world(_world_template: Path, tmp_path: Path) -> str:
    """A database URL holding the corpus world (a private copy)."""
    path = tmp_path / "world.db"
    shutil.copyfile(_world_template, path)
    return f"sqlite:///{path}"
