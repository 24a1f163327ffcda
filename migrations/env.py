"""Alembic environment: the engine comes from the caller (``tracker.store.db``)
or from ``TRACKER_DATABASE_URL`` when run as ``alembic -c alembic.ini``."""

from __future__ import annotations

import os

from alembic import context

from tracker.store import tables  # noqa: F401  (registers every table)
from tracker.store.base import Base

config = context.config
target_metadata = Base.metadata


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from tracker.store.db import make_engine

    return make_engine(os.environ.get("TRACKER_DATABASE_URL", "sqlite:///tracker.db"))


def run_migrations_offline() -> None:
    url = os.environ.get("TRACKER_DATABASE_URL", "sqlite:///tracker.db")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
