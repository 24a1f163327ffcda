"""Corpus worlds built once per test run and copied into each test's database.

A world is a database a test only reads after one or more real crawls (the
crawled Hub corpus, the stocked claims database, the Qwen3-Max story). It is
built once per test run — under pytest-xdist by the first worker that asks for it, while the others
wait for it (:func:`once_per_run`), so that a world's tests may run on any worker — and copied into each
test's database:

* SQLite: built in its own file, copied over the test's database file (after a
  WAL checkpoint);
* Postgres: built in a schema of its own in the test database (the same Alembic
  migrations, the crawls pointed at it through ``search_path``), copied into the
  test's schema (``public``, or ``test_gw0`` … under pytest-xdist) table by table (``INSERT … SELECT``, foreign-key
  triggers off while copying, sequences moved past the copied ids). A schema
  rather than a template database: the tests may use only their one database.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from helpers.server import FakeServer, Reply
from tracker.store.base import Base
from tracker.store.db import make_engine, upgrade

T = TypeVar("T")

#: Set by the controlling pytest process: names this run's shared Postgres worlds (``world_hub_r1a2b3c4d``).
RUN_ENV = "PYTEST_TRACKER_RUN"


def under_xdist() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


def once_per_run(tmp_path_factory: pytest.TempPathFactory, key: str, build: Callable[[Path], T]) -> T:
    """``build(folder)`` once per test run, its result shared by every pytest-xdist worker.

    The first worker to ask builds it under a file lock in the run's common temporary folder and pickles
    the result; the others wait on the lock and read it. Without xdist it is simply built."""
    if not under_xdist():
        return build(tmp_path_factory.mktemp(key))
    root = tmp_path_factory.getbasetemp().parent / "worlds"
    root.mkdir(exist_ok=True)
    result = root / f"{key}.pickle"
    with (root / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if result.exists():
                return pickle.loads(result.read_bytes())
            folder = root / key
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            made = build(folder)
            result.write_bytes(pickle.dumps(made))
            return made
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def checkpoint(path: Path) -> None:
    """Fold the WAL into the database file so that copying the file copies everything."""
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def _with_server(url: str, build: Callable[[str, FakeServer], T]) -> T:
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    try:
        return build(url, server)
    finally:
        server.stop()


def build_sqlite_world(base: Path, target: Path, build: Callable[[str, FakeServer], T]) -> tuple[Path, T]:
    """Copy ``base`` to ``target`` and run ``build(url, server)`` on it with a loopback server of its own."""
    shutil.copyfile(base, target)
    made = _with_server(f"sqlite:///{target}", build)
    checkpoint(target)
    return target, made


def worker_schema(name: str) -> str:
    """``name`` for this test process: under pytest-xdist every worker builds its worlds in schemas of its own
    (``world_hub_gw1``), so that two workers sharing the one Postgres database never drop each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}_{worker}" if worker else name


def in_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on the search path of every connection (the crawl children's too).

    One option only: the URL is also handed to libpq as a URI, which does not read ``+`` as a space."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def shared_schema(name: str) -> str:
    """The schema of world ``name`` for this run: one for every worker (built through :func:`once_per_run`),
    named after the run so that the controller drops exactly this run's worlds at the end."""
    run = os.environ.get(RUN_ENV)
    return f"{name}_r{run}" if under_xdist() and run else name


def drop_run_schemas(url: str, run: str) -> None:
    """Drop the shared world schemas of run ``run`` (the controller, when every worker is done)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            names = conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"), {"pattern": f"%\\_r{run}"}
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


def build_pg_world(
    url: str, schema: str, build: Callable[[str, FakeServer], T], *, base: str | None = None
) -> tuple[str, T]:
    """Create ``schema`` afresh in the Postgres database ``url``, migrate it, copy the world ``base`` into it
    (a schema built before) and run ``build(schema_url, server)`` on it. Under pytest-xdist call it through
    :func:`once_per_run`: the schema is the run's, shared by the workers."""
    schema = shared_schema(schema)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        schema_url = in_schema(url, schema)
        migrated = make_engine(schema_url)
        upgrade(migrated)
        migrated.dispose()
        if base is not None:
            copy_schema(engine, base, schema)
        made = _with_server(schema_url, build)
    finally:
        engine.dispose()
    return schema, made


def drop_pg_world(url: str, schema: str) -> None:
    """Drop a world's schema at the end of its fixture; a shared one (xdist) is dropped by the controller."""
    if under_xdist():
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def copy_schema(engine: Engine, source: str, target: str) -> None:
    """Copy every table's rows from schema ``source`` into the empty tables of schema ``target``."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # no FK triggers while copying
        for table in Base.metadata.sorted_tables:
            conn.execute(text(f'INSERT INTO "{target}"."{table.name}" SELECT * FROM "{source}"."{table.name}"'))
        serial = conn.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = :schema"
                " AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
            ),
            {"schema": target},
        ).all()
        for table_name, column in serial:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence(:qualified, :column),"
                    f' COALESCE((SELECT MAX("{column}") FROM "{target}"."{table_name}"), 0) + 1, false)'
                ),
                {"qualified": f'"{target}"."{table_name}"', "column": column},
            )


def copy_pg_world(schema: str, db_url: str) -> None:
    """Copy the world in ``schema`` into the (truncated) test schema of ``db_url`` (its ``search_path``)."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            target = conn.execute(text("SELECT current_schema()")).scalar_one()
        copy_schema(engine, schema, target)
    finally:
        engine.dispose()


def copy_world(template: Path, db_url: str) -> None:
    """Overwrite the (unopened) SQLite test database of ``db_url`` with the world ``template``."""
    path = Path(db_url.removeprefix("sqlite:///"))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, path)
