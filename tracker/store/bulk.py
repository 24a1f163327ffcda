"""Fast bulk inserts and updates for big crawls.

On SQLite, rows are turned into tuples with each column type's own bind
processor and handed to the driver's ``executemany`` in one go, skipping the
per-row bookkeeping of a Core ``insert()``; values are converted exactly as
SQLAlchemy would (UTC text for times, exact text for money, JSON text). Other
dialects use Core ``insert()`` (which batches with multi-row VALUES).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

#: Ids per ``IN (…)`` list, well below SQLite's bound-parameter limit (the size every query used before).
IN_CHUNK = 500


def in_chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``, for ``IN (…)`` queries and batched updates."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    processed = [(index, proc) for index, proc in enumerate(processors) if proc is not None]
    getter = operator.itemgetter(*names)
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    placeholders = ", ".join("?" * len(names))
    sql = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) VALUES ({placeholders})"
    single = len(names) == 1
    convert = _Converters(processed)
    for start in range(0, len(rows), chunk):
        batch = [convert([getter(row)] if single else list(getter(row))) for row in rows[start : start + chunk]]
        conn.exec_driver_sql(sql, batch)
    return len(rows)


def insert_returning(session: Session, table: Table, rows: Sequence[dict[str, Any]], key: str) -> dict[Any, int]:
    """Insert ``rows`` and return ``{row[key]: new id}`` (``key``: a column unique among ``rows``).

    On SQLite the rows go through :func:`insert_rows` (one ``executemany``, no per-row ``RETURNING``
    bookkeeping) and the new ids are read back in one query: every id above the table's largest before
    the insert (the transaction holds SQLite's only write lock, so no other writer's rows are among them).
    Other dialects use Core ``insert().returning``.
    """
    if not rows:
        return {}
    id_column, key_column = table.c.id, table.c[key]
    if session.connection().dialect.name != "sqlite":
        out: dict[Any, int] = {}
        for part in in_chunks(rows, 1000):
            for new_id, value in session.execute(
                table.insert().returning(id_column, key_column, sort_by_parameter_order=True), list(part)
            ):
                out[value] = new_id
        return out
    before = session.execute(select(func.max(id_column))).scalar() or 0
    insert_rows(session, table, rows)
    return {value: new_id for new_id, value in session.execute(select(id_column, key_column).where(id_column > before))}


class _Converters:
    """Applies the bind processors to a row's values, reusing the last result for the very same object.

    A crawl's rows share objects (the run's ``fetched_at`` and ``observed_at``, None), so many
    conversions repeat; the processors are pure, so the same object converts to the same value.
    Only the previous object of each column is remembered: memory stays flat.
    """

    _UNSET = object()

    def __init__(self, processed: list[tuple[int, Any]]) -> None:
        self.processed = processed
        self.last_in: list[Any] = [self._UNSET] * len(processed)
        self.last_out: list[Any] = [None] * len(processed)

    def __call__(self, values: list[Any]) -> tuple[Any, ...]:
        last_in, last_out = self.last_in, self.last_out
        for slot, (index, proc) in enumerate(self.processed):
            value = values[index]
            if value is last_in[slot]:
                values[index] = last_out[slot]
            else:
                out = proc(value)
                last_in[slot], last_out[slot] = value, out
                values[index] = out
        return tuple(values)


def update_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, key: str = "id") -> int:
    """``UPDATE table SET … WHERE key = …`` for each row (rows may differ in which columns they set)."""
    if not rows:
        return 0
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    conn = session.connection()
    dialect = conn.dialect
    for names, group in groups.items():
        columns = [n for n in names if n != key]
        if dialect.name != "sqlite":
            stmt = (
                table.update()
                .where(table.c[key] == bindparam(f"b_{key}"))
                .values({n: bindparam(f"b_{n}") for n in columns})
            )
            session.execute(stmt, [{f"b_{n}": row[n] for n in names} for row in group])
            continue
        order = [*columns, key]
        processors = [(i, table.c[n].type._cached_bind_processor(dialect)) for i, n in enumerate(order)]
        processed = [(i, p) for i, p in processors if p is not None]
        assignments = ", ".join(f"{dialect.identifier_preparer.quote(n)} = ?" for n in columns)
        sql = (
            f"UPDATE {dialect.identifier_preparer.format_table(table)} SET {assignments} "
            f"WHERE {dialect.identifier_preparer.quote(key)} = ?"
        )
        convert = _Converters(processed)
        conn.exec_driver_sql(sql, [convert([row[n] for n in order]) for row in group])
    return len(rows)
