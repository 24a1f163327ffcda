"""``tracker init``: create or upgrade the database schema."""

from __future__ import annotations

import argparse
from typing import Any

from tracker.cli.app import App
from tracker.store.db import current_revision, make_engine, upgrade


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="create or upgrade the database (alembic upgrade head)",
        description="Create the database schema, or upgrade it to the newest revision, with Alembic.",
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
    return 0
