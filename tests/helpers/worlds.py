"""Corpus worlds built once per test run and copied into each test's database.

A world is a database a test only reads after one or more real crawls (the
crawled Hub corpus, the stocked claims database, the Qwen3-Max story). On
SQLite it is built once per session in its own file and copied over the test's
database file (a file copy after a WAL checkpoint); on Postgres each test builds
it in the test database, as before.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from helpers.server import FakeServer, Reply
from tracker.store.db import make_engine

T = TypeVar("T")


def checkpoint(path: Path) -> None:
    """Fold the WAL into the database file so that copying the file copies everything."""
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def build_sqlite_world(base: Path, target: Path, build: Callable[[str, FakeServer], T]) -> tuple[Path, T]:
    """Copy ``base`` to ``target`` and run ``build(url, server)`` on it with a loopback server of its own."""
    shutil.copyfile(base, target)
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    try:
        made = build(f"sqlite:///{target}", server)
    finally:
        server.stop()
    checkpoint(target)
    return target, made


def copy_world(template: Path, db_url: str) -> None:
    """Overwrite the (unopened) SQLite test database of ``db_url`` with the world ``template``."""
    path = Path(db_url.removeprefix("sqlite:///"))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, path)
