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

A refused statement raises :class:`~tracker.errors.ReadOnlyQueryError`; nothing changes.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
import sqlite3
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

FORMATS = ("table", "csv", "json")
READ_ONLY = "tracker query is read-only"
NOTHING_CHANGED = "nothing was changed"

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


def run_query(database_url: str, sql: str, *, max_rows: int | None = None) -> QueryResult:
    """Run one read-only statement against ``database_url``."""
    if not sql.strip().rstrip(";").strip():
        raise QueryError("no SQL given")
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise DatabaseError(f"invalid database URL {database_url!r}: {exc}") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite(url.database or "", sql, max_rows)
    if backend == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return _postgres(conninfo, sql, max_rows)
    raise DatabaseError(f"tracker query supports SQLite and Postgres, not {backend}")


# --------------------------------------------------------------------------- SQLite


class _Authorizer:
    """Allows reading only; remembers what it refused, for the message."""

    def __init__(self) -> None:
        self.refused: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
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


def _sqlite(database: str, sql: str, max_rows: int | None) -> QueryResult:
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise DatabaseError("tracker query needs a database file, not an in-memory database")
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        raise DatabaseError(f"no database at {path}: run `tracker init` or `tracker run` first")
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=60, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {path} read-only: {exc}") from exc
    authorizer = _Authorizer()
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(authorizer)
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
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if authorizer.refused is not None or "not authorized" in text:
                raise ReadOnlyQueryError(
                    f"refused: {READ_ONLY} ({authorizer.refused or text} is not allowed); {NOTHING_CHANGED}"
                ) from exc
            if "readonly" in text or "read-only" in text:
                raise ReadOnlyQueryError(f"refused: {READ_ONLY} ({text}); {NOTHING_CHANGED}") from exc
            raise QueryError(_explain(text)) from exc
    finally:
        conn.close()
    return _result(columns, [tuple(r) for r in rows], max_rows)


# --------------------------------------------------------------------------- Postgres


def _postgres(conninfo: str, sql: str, max_rows: int | None) -> QueryResult:
    import psycopg
    from psycopg import errors

    try:
        conn = psycopg.connect(conninfo, autocommit=False)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to the database: {exc}") from exc
    try:
        conn.read_only = True  # every transaction of this connection: BEGIN READ ONLY
        try:
            with conn.cursor() as cursor:
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
