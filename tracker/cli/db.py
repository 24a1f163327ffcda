"""``tracker init``: create or upgrade the database schema."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tracker.cli.app import App
from tracker.errors import DatabaseError
from tracker.query import ensure_analyst_role
from tracker.store.db import current_revision, make_engine, upgrade


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="create or upgrade the database (alembic upgrade head)",
        description="Create the database schema, or upgrade it to the newest revision, with Alembic. On Postgres, "
        "also create the read-only role tracker_analyst that `tracker query` runs as (when the configured user "
        "may create roles; docs/query.md says what to run otherwise).",
    )
    parser.set_defaults(func=cmd_init)


def cmd_init(app: App, args: argparse.Namespace) -> int:
    engine = make_engine(app.settings.database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        app.print(f"{url}: schema is current (revision {after})")
    else:
        app.print(f"{url}: schema upgraded {before or 'empty'} → {after}")
    if engine.dialect.name == "postgresql":
        try:
            app.print(f"{url}: {ensure_analyst_role(app.settings.database_url)}")
        except DatabaseError as exc:
            print(f"tracker: warning: {exc}; `tracker query` will refuse to run until it exists", file=sys.stderr)
        app.print(f"{url}: {init_queue(app.settings.database_url)}")
    return 0


def init_queue(database_url: str) -> str:
    """Apply the crawl workers' task queue (Procrastinate, schema ``procrastinate``) when it is installed."""
    try:
        import procrastinate  # noqa: F401
    except ImportError:
        return "task queue for `tracker worker` not set up (pip install 'tracker[workers]', then tracker init again)"
    from tracker.workers.queue import QUEUE_SCHEMA, ensure_queue_schema

    if ensure_queue_schema(database_url):
        return f"task queue for `tracker worker` created (schema {QUEUE_SCHEMA})"
    return f"task queue for `tracker worker` is there (schema {QUEUE_SCHEMA})"
