"""Read-only SQL for analysts (``tracker query``): run one statement, print a table, CSV or JSON.

The database itself refuses writes, so that nothing can slip through a clever
statement (a write inside a CTE, several statements, ``PRAGMA``, ``ATTACH``):

* **SQLite**: the file is opened read-only (``mode=ro``), with ``PRAGMA
  query_only`` and an authorizer that allows reading only (SELECT, reading
  tables and views, functions and informational pragmas) — anything else is
  refused before it runs. Python's driver runs one statement per call.
* **Postgres**: a ``READ ONLY`` transaction that is always rolled back, and the
  statement is sent as a prepared statement, which Postgres allows to hold one
  command only (so ``SELECT 1; COMMIT; DELETE …`` cannot leave the read-only
  transaction). For a hard guarantee give analysts a role that may only read.

Before anything runs, the statement passes the parsed allow-list of
:mod:`tracker.query_check` (one SELECT / WITH … SELECT / VALUES / EXPLAIN; no
function that acts or reads server files; ``subscribers``, ``deliveries`` and
``apscheduler_jobs`` only with ``admin=True``). Then:

* **SQLite** also refuses the acting functions in the authorizer, bounds
  ``randomblob`` / ``zeroblob`` to :data:`MAX_BLOB_BYTES`, refuses reading the
  admin tables, and stops a statement after ``timeout_seconds``.
* **Postgres** runs the statement as the role :data:`ANALYST_ROLE` (``SET LOCAL
  ROLE``; created by ``tracker init`` with :func:`ensure_analyst_role`, which
  grants SELECT on the documented tables and views but the admin ones) with a
  ``statement_timeout``. With ``admin=True`` it runs as the configured user,
  still read-only.

A refused statement raises :class:`~tracker.errors.ReadOnlyQueryError`; nothing changes.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import ArgumentError

from tracker.errors import DatabaseError, ReadOnlyQueryError, TrackerError
from tracker.query_check import (
    ADMIN_TABLES,
    NOTHING_CHANGED,
    READ_ONLY,
    REFUSED_FUNCTIONS,
    REFUSED_PREFIXES,
    ParseError,
    check_statement,
)

FORMATS = ("table", "csv", "json")
#: The Postgres role analysts' statements run as (SELECT on the documented tables and views only).
ANALYST_ROLE = "tracker_analyst"
#: The largest blob ``randomblob(N)`` / ``zeroblob(N)`` may make on SQLite.
MAX_BLOB_BYTES = 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 30.0

#: Pragmas that only report (``PRAGMA table_info(models)``, ``PRAGMA page_count``).
_REPORTING_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "database_list",
        "collation_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
        "integrity_check",
        "quick_check",
    }
)
#: Pragmas that report a value when asked without an argument (and change it with one).
_VALUE_PRAGMAS = frozenset(
    {
        "user_version",
        "schema_version",
        "application_id",
        "page_count",
        "page_size",
        "freelist_count",
        "encoding",
        "journal_mode",
        "data_version",
        "query_only",
        "foreign_keys",
    }
)
_SQLITE_ACTIONS = {
    value: name.removeprefix("SQLITE_").replace("_", " ")
    for name in (
        "SQLITE_CREATE_INDEX",
        "SQLITE_CREATE_TABLE",
        "SQLITE_CREATE_TEMP_INDEX",
        "SQLITE_CREATE_TEMP_TABLE",
        "SQLITE_CREATE_TEMP_TRIGGER",
        "SQLITE_CREATE_TEMP_VIEW",
        "SQLITE_CREATE_TRIGGER",
        "SQLITE_CREATE_VIEW",
        "SQLITE_DELETE",
        "SQLITE_DROP_INDEX",
        "SQLITE_DROP_TABLE",
        "SQLITE_DROP_TEMP_INDEX",
        "SQLITE_DROP_TEMP_TABLE",
        "SQLITE_DROP_TEMP_TRIGGER",
        "SQLITE_DROP_TEMP_VIEW",
        "SQLITE_DROP_TRIGGER",
        "SQLITE_DROP_VIEW",
        "SQLITE_INSERT",
        "SQLITE_PRAGMA",
        "SQLITE_READ",
        "SQLITE_SELECT",
        "SQLITE_TRANSACTION",
        "SQLITE_UPDATE",
        "SQLITE_ATTACH",
        "SQLITE_DETACH",
        "SQLITE_ALTER_TABLE",
        "SQLITE_REINDEX",
        "SQLITE_ANALYZE",
        "SQLITE_CREATE_VTABLE",
        "SQLITE_DROP_VTABLE",
        "SQLITE_FUNCTION",
        "SQLITE_SAVEPOINT",
        "SQLITE_RECURSIVE",
    )
    if isinstance((value := getattr(sqlite3, name, None)), int)
}
_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}


class QueryError(TrackerError):
    """The statement could not run (a syntax error, an unknown table...)."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    #: Rows left out because of ``max_rows``.
    truncated: bool = False


def run_query(
    database_url: str,
    sql: str,
    *,
    max_rows: int | None = None,
    admin: bool = False,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> QueryResult:
    """Run one read-only statement against ``database_url``."""
    if not sql.strip().rstrip(";").strip():
        raise QueryError("no SQL given")
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise DatabaseError(f"invalid database URL {database_url!r}: {exc}") from exc
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(f"tracker query supports SQLite and Postgres, not {backend}")
    try:
        check_statement(sql, backend, admin=admin)
    except ParseError as exc:
        raise QueryError(str(exc)) from exc
    if backend == "sqlite":
        return _sqlite(url.database or "", sql, max_rows, admin=admin, timeout_seconds=timeout_seconds)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return _postgres(conninfo, sql, max_rows, admin=admin, timeout_seconds=timeout_seconds)


# --------------------------------------------------------------------------- SQLite


class _Authorizer:
    """Allows reading only; remembers what it refused, for the message."""

    def __init__(self, *, admin: bool = False) -> None:
        self.refused: str | None = None
        self.admin = admin

    def __call__(self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
        if action == sqlite3.SQLITE_FUNCTION and arg2 is not None:
            name = arg2.lower()
            if name in REFUSED_FUNCTIONS or name.startswith(REFUSED_PREFIXES):
                self.refused = f"the function {name}()"
                return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_READ and not self.admin and (arg1 or "").lower() in ADMIN_TABLES:
            self.refused = f"reading {arg1} without --admin"
            return sqlite3.SQLITE_DENY
        if action in _ALLOWED:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and arg1 is not None:
            name = arg1.lower()
            if name in _REPORTING_PRAGMAS or (name in _VALUE_PRAGMAS and arg2 is None):
                return sqlite3.SQLITE_OK
            self.refused = f"PRAGMA {arg1}" + (f" = {arg2}" if arg2 is not None else "")
            return sqlite3.SQLITE_DENY
        what = _SQLITE_ACTIONS.get(action, f"operation {action}")
        named = arg1 and action not in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT)
        self.refused = what + (f" on {arg1}" if named else "")
        return sqlite3.SQLITE_DENY


def _bounded_blob(kind: str) -> Any:
    def make(size: Any) -> bytes:
        n = int(size) if isinstance(size, int | float) else 0
        if n > MAX_BLOB_BYTES:
            raise ValueError(f"{kind}({n}) is larger than {MAX_BLOB_BYTES} bytes")
        return os.urandom(max(n, 1)) if kind == "randomblob" else bytes(max(n, 0))

    return make


def _sqlite(
    database: str, sql: str, max_rows: int | None, *, admin: bool = False, timeout_seconds: float
) -> QueryResult:
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise DatabaseError("tracker query needs a database file, not an in-memory database")
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        raise DatabaseError(f"no database at {path}: run `tracker init` or `tracker run` first")
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=60, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {path} read-only: {exc}") from exc
    authorizer = _Authorizer(admin=admin)
    deadline = time.monotonic() + timeout_seconds
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.create_function("randomblob", 1, _bounded_blob("randomblob"))
        conn.create_function("zeroblob", 1, _bounded_blob("zeroblob"))
        conn.set_authorizer(authorizer)
        if timeout_seconds > 0:
            conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            cursor = conn.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchmany(max_rows + 1) if max_rows is not None else cursor.fetchall()
        except sqlite3.ProgrammingError as exc:
            if "one statement" in str(exc):
                raise ReadOnlyQueryError(
                    "tracker query runs one statement at a time (several were given); nothing was run"
                ) from exc
            raise QueryError(f"the query cannot run: {exc}") from exc
        except sqlite3.OperationalError as exc:
            if str(exc) == "interrupted" and timeout_seconds > 0 and time.monotonic() > deadline:
                raise QueryError(f"the query ran longer than {timeout_seconds:g} s and was stopped") from exc
            raise _sqlite_error(exc, authorizer) from exc
        except sqlite3.DatabaseError as exc:
            raise _sqlite_error(exc, authorizer) from exc
    finally:
        conn.close()
    return _result(columns, [tuple(r) for r in rows], max_rows)


def _sqlite_error(exc: sqlite3.DatabaseError, authorizer: _Authorizer) -> TrackerError:
    text = str(exc)
    if authorizer.refused is not None or "not authorized" in text:
        return ReadOnlyQueryError(
            f"refused: {READ_ONLY} ({authorizer.refused or text} is not allowed); {NOTHING_CHANGED}"
        )
    if "readonly" in text or "read-only" in text:
        return ReadOnlyQueryError(f"refused: {READ_ONLY} ({text}); {NOTHING_CHANGED}")
    if "user-defined function raised exception" in text:
        return QueryError(f"the query cannot run: {text} (randomblob and zeroblob make at most {MAX_BLOB_BYTES} bytes)")
    return QueryError(_explain(text))


# --------------------------------------------------------------------------- Postgres


def _postgres(
    conninfo: str, sql: str, max_rows: int | None, *, admin: bool = False, timeout_seconds: float
) -> QueryResult:
    import psycopg
    from psycopg import errors

    try:
        conn = psycopg.connect(conninfo, autocommit=False, connect_timeout=10)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to the database: {_first_line(exc)}") from exc
    try:
        conn.read_only = True  # every transaction of this connection: BEGIN READ ONLY
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", (f"{int(max(timeout_seconds, 0) * 1000)}",)
                )
                if not admin:
                    try:
                        cursor.execute(f"SET LOCAL ROLE {ANALYST_ROLE}")
                    except (errors.InvalidParameterValue, errors.InsufficientPrivilege) as exc:
                        raise DatabaseError(
                            f"cannot run as the read-only role {ANALYST_ROLE} ({_first_line(exc)}): run "
                            "`tracker init` as a user that may create roles, or see docs/query.md"
                        ) from exc
                # prepare=True: the extended protocol, one command per statement
                cursor.execute(sql.strip().rstrip(";"), prepare=True)  # type: ignore[arg-type]
                columns = [d.name for d in cursor.description or ()]
                rows = (
                    (cursor.fetchmany(max_rows + 1) if max_rows is not None else cursor.fetchall())
                    if cursor.description
                    else []
                )
        except errors.ReadOnlySqlTransaction as exc:
            raise ReadOnlyQueryError(f"refused: {READ_ONLY} ({_first_line(exc)}); {NOTHING_CHANGED}") from exc
        except errors.QueryCanceled as exc:
            raise QueryError(f"the query ran longer than {timeout_seconds:g} s and was stopped") from exc
        except errors.InsufficientPrivilege as exc:
            raise ReadOnlyQueryError(f"refused: {_first_line(exc)}; {NOTHING_CHANGED}") from exc
        except psycopg.Error as exc:
            text = _first_line(exc)
            if "multiple commands" in text:
                raise ReadOnlyQueryError(
                    "tracker query runs one statement at a time (several were given); nothing was run"
                ) from exc
            raise QueryError(_explain(text)) from exc
        finally:
            conn.rollback()
    finally:
        conn.close()
    return _result(columns, [tuple(r) for r in rows], max_rows)


def ensure_analyst_role(conninfo_or_url: str) -> str:
    """Create :data:`ANALYST_ROLE` (if missing) and grant it SELECT on every table and view but the admin ones.

    Run by ``tracker init`` on Postgres. Returns what happened, one line; raises
    :class:`DatabaseError` when the configured user may not create or grant (docs/query.md says
    what a database owner runs instead).
    """
    import psycopg
    from psycopg import errors, sql

    url = make_url(conninfo_or_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    role = sql.Identifier(ANALYST_ROLE)
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ANALYST_ROLE,)).fetchone()
            if not exists:
                # DuplicateObject: created meanwhile by another database of the same server
                with contextlib.suppress(errors.DuplicateObject):
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(role))
            with conn.transaction():
                conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(role))
                schema = conn.execute("SELECT current_schema()").fetchone()
                name = sql.Identifier(schema[0] if schema and schema[0] else "public")
                conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(name, role))
                conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(name, role))
                conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(name, role))
                present = {
                    r[0]
                    for r in conn.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    ).fetchall()
                }
                for table in sorted(ADMIN_TABLES & present):
                    conn.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(table), role))
    except psycopg.Error as exc:
        raise DatabaseError(
            f"cannot set up the read-only role {ANALYST_ROLE}: {_first_line(exc)} (see docs/query.md)"
        ) from exc
    return f"read-only role {ANALYST_ROLE}: SELECT on the documented tables and views"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _explain(text: str) -> str:
    hint = ""
    if re.search(r"no such table|does not exist", text):
        hint = " (tables and views are listed in docs/schema.md; `tracker init` brings an old database up to date)"
    return f"the query cannot run: {text}{hint}"


def _result(columns: list[str], rows: list[tuple[Any, ...]], max_rows: int | None) -> QueryResult:
    truncated = max_rows is not None and len(rows) > max_rows
    return QueryResult(columns, rows[:max_rows] if truncated else rows, truncated)


# --------------------------------------------------------------------------- output


def json_value(value: Any) -> Any:
    """A JSON-safe value: exact decimals as strings (never floats), times in ISO 8601, bytes in base64."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return str(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    value = json_value(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _cell(value: Any, width: int) -> str:
    """Terminal-safe: control characters (escape sequences from model cards, newlines) shown, not obeyed."""
    text = _CONTROL.sub(lambda m: "\\n" if m.group() == "\n" else f"\\x{ord(m.group()):02x}", _text(value))
    return text if width <= 0 or len(text) <= width else text[: max(width - 1, 1)] + "…"


def render(result: QueryResult, fmt: str = "table", *, max_width: int = 60) -> str:
    """The result as an aligned table, CSV (with a header row) or a JSON array of objects."""
    if fmt == "json":
        records = [
            {name: json_value(value) for name, value in zip(result.columns, row, strict=True)} for row in result.rows
        ]
        return json.dumps(records, indent=2, ensure_ascii=False)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_text(v) for v in row] for row in result.rows)
        return buffer.getvalue().rstrip("\n")
    if fmt != "table":
        raise QueryError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    return _table(result, max_width)


def _table(result: QueryResult, max_width: int) -> str:
    if not result.columns:
        return "(the statement returned no columns)"
    lines: list[Sequence[str]] = [[_cell(c, max_width) for c in result.columns]]
    lines += [[_cell(v, max_width) for v in row] for row in result.rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(result.columns))]
    numeric = [
        bool(result.rows) and all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in result.rows)
        for i in range(len(result.columns))
    ]

    def fmt_line(cells: Sequence[str]) -> str:
        out = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(out).rstrip()

    text = [fmt_line(lines[0]), "  ".join("-" * w for w in widths)]
    text += [fmt_line(line) for line in lines[1:]]
    count = len(result.rows)
    text.append(f"({count} row{'' if count == 1 else 's'}{', more left out' if result.truncated else ''})")
    return "\n".join(text)
