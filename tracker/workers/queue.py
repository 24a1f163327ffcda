"""The Procrastinate app of the crawl workers, and its schema beside tracker's.

Procrastinate keeps its queue in its own tables, functions and triggers. They
live in the Postgres schema ``procrastinate`` of the tracker database, so that
Alembic's schema (``public``: tracker's tables, the analyst views) never sees
them and they never see it: every connection of the app has
``search_path=procrastinate``. ``tracker init`` applies the schema once
(:func:`ensure_queue_schema`); ``tracker worker`` and ``tracker schedule --workers``
refuse to start without it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

from tracker.errors import ConfigError, DatabaseError

#: The Postgres schema holding Procrastinate's tables.
QUEUE_SCHEMA = "procrastinate"
#: The task that crawls one unit for one tick (its name is stored in every job row).
CRAWL_TASK = "tracker.crawl_unit"
#: The queue crawl tasks go to.
CRAWL_QUEUE = "crawls"


def needs_postgres(database_url: str, command: str) -> None:
    """ConfigError (one line, exit 2) unless ``database_url`` is Postgres: the workers share a Postgres queue."""
    try:
        backend = make_url(database_url).get_backend_name()
    except Exception as exc:  # an unparsable URL is the configuration's problem
        raise ConfigError(f"{command}: the database URL cannot be read: {exc}") from exc
    if backend != "postgresql":
        raise ConfigError(
            f"{command} needs Postgres (database_url is {backend}): crawl workers share a task queue in the "
            "database; on one machine use `tracker schedule`"
        )


def libpq_url(database_url: str) -> str:
    """``postgresql+psycopg://…`` (SQLAlchemy) as the plain URL psycopg takes."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _connect(database_url: str, *, search_path: str | None = None) -> Any:
    import psycopg

    options = {"options": f"-c search_path={search_path}"} if search_path else {}
    try:
        return psycopg.connect(libpq_url(database_url), autocommit=True, **options)
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to the database: {' '.join(str(exc).split())[:200]}") from exc


def queue_schema_present(database_url: str) -> bool:
    with _connect(database_url) as conn:
        row = conn.execute("SELECT to_regclass(%s)", (f"{QUEUE_SCHEMA}.procrastinate_jobs",)).fetchone()
    return bool(row and row[0])


def ensure_queue_schema(database_url: str) -> bool:
    """Apply Procrastinate's schema in ``procrastinate`` unless it is there; True when it was applied now."""
    from procrastinate.schema import SchemaManager

    if queue_schema_present(database_url):
        return False
    with _connect(database_url) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('tracker:procrastinate-schema'))")
        if conn.execute("SELECT to_regclass(%s)", (f"{QUEUE_SCHEMA}.procrastinate_jobs",)).fetchone()[0]:
            return False
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{QUEUE_SCHEMA}"')
        conn.execute(f'SET LOCAL search_path TO "{QUEUE_SCHEMA}"')
        conn.execute(SchemaManager.get_schema())
    return True


def require_queue_schema(database_url: str, command: str) -> None:
    if not queue_schema_present(database_url):
        raise ConfigError(f"{command}: the task queue's tables are missing; run `tracker init` first")


def make_app(database_url: str) -> Any:
    """A Procrastinate app on ``database_url`` (not opened), its connections in the queue's schema."""
    import procrastinate

    connector = procrastinate.PsycopgConnector(
        conninfo=libpq_url(database_url), kwargs={"options": f"-c search_path={QUEUE_SCHEMA}"}
    )
    return procrastinate.App(connector=connector)
