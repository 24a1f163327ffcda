"""Fast bulk inserts for big crawls.

On SQLite, rows are turned into tuples with each column type's own bind
processor and handed to the driver's ``executemany`` in one go, skipping the
per-row bookkeeping of a Core ``insert()``; values are converted exactly as
SQLAlchemy would (UTC text for times, exact text for money, JSON text). Other
dialects use Core ``insert()`` (which batches with multi-row VALUES).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, chunk: int = 5000) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``table``; returns the count."""
    if not rows:
        return 0
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        for start in range(0, len(rows), chunk):
            session.execute(table.insert(), rows[start : start + chunk])
        return len(rows)
    names = list(rows[0].keys())
    processors: list[Callable[[Any], Any] | None] = [
        table.c[name].type._cached_bind_processor(dialect) for name in names
    ]
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    placeholders = ", ".join("?" * len(names))
    sql = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) VALUES ({placeholders})"
    pairs = list(zip(names, processors, strict=True))
    for start in range(0, len(rows), chunk):
        batch = [
            tuple(proc(row[name]) if proc is not None else row[name] for name, proc in pairs)
            for row in rows[start : start + chunk]
        ]
        conn.exec_driver_sql(sql, batch)
    return len(rows)
