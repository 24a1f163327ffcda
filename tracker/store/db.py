"""Engine and session factories, and the schema upgrade (Alembic only).

Nothing connects at import time: callers build an engine from a URL, own
their sessions and decide when to commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import DatabaseError
from tracker.paths import migrations_dir

if TYPE_CHECKING:  # Alembic is imported when a migration runs, not by every command
    from alembic.config import Config


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the project's per-connection settings.

    SQLite gets ``foreign_keys=ON``, WAL journaling and a busy timeout so that
    a crawl child process and the scheduler can share one file.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    options: dict[str, Any] = {"future": True, "json_serializer": json_text, "json_deserializer": orjson.loads}
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": 60}
    options.update(kwargs)
    engine = create_engine(parsed, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    return engine


def json_text(value: Any) -> str:
    """JSON columns are written with orjson (several times faster than ``json``; same output types)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    with contextlib.suppress(Exception):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def widen_page_cache(session: Session, mib: int) -> None:
    """Give the SQLite connection of ``session`` a page cache of ``mib`` MiB (no-op on other databases).

    SQLite's default cache is 2 MiB: a transaction that inserts thousands of rows into indexes spread over a
    large file evicts and re-reads pages from the WAL and the database many times (system time: one ``pread``
    per page). The setting lives with the connection; the cache grows only as pages are touched.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA cache_size=-{int(mib) * 1024}"))


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextlib.contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (the only way a schema exists)."""
    from alembic import command

    cfg = alembic_config(engine)
    try:
        command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise DatabaseError(f"cannot migrate {engine.url.render_as_string()}: {exc.orig}") from exc


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


#: The newest migration's revision, so that a current database is recognised without reading the migration
#: scripts (Alembic's import and its script scan were a third of a command's start-up). A test holds it
#: equal to Alembic's head.
HEAD_REVISION = "0019"


def _stamped_revision(engine: Engine) -> str | None:
    """The revision the database is stamped with (None: not stamped, or no ``alembic_version`` table)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except ProgrammingError:  # Postgres: no such table
            return None
        except OperationalError as exc:  # SQLite: no such table; anything else is a real problem
            if "no such table" in str(exc.orig):
                return None
            raise


def ensure_schema(engine: Engine) -> None:
    """Upgrade to head when the database is behind (one query when it is current)."""
    try:
        current = _stamped_revision(engine)
    except OperationalError as exc:
        raise DatabaseError(f"cannot open database {engine.url.render_as_string()}: {exc.orig}") from exc
    if current != HEAD_REVISION:
        upgrade(engine)
