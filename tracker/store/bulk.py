"""Fast bulk inserts, updates and keyed reads for big crawls.

On SQLite, rows are turned into tuples with each column type's own bind
processor and handed to the driver's ``executemany`` in one go, skipping the
per-row bookkeeping of a Core ``insert()``; values are converted exactly as
SQLAlchemy would (UTC text for times, exact text for money, JSON text). Other
dialects use Core ``insert()`` (which batches with multi-row VALUES).

:class:`TupleRows` goes one step further for a writer that builds its rows itself: the rows are tuples
in one column order, each value already converted (once per distinct value) when the row is built, and
go to the driver as they are. :func:`select_in` reads rows by a key list with plain SQL on SQLite.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    sql = _insert_sql(dialect, table, names)
    single = len(names) == 1
    convert = _Converters(processed)
    for start in range(0, len(rows), chunk):
        batch = [convert([getter(row)] if single else list(getter(row))) for row in rows[start : start + chunk]]
        conn.exec_driver_sql(sql, batch)
    return len(rows)


def _insert_sql(dialect: Any, table: Table, names: Sequence[str]) -> str:
    """``INSERT INTO table (names…) VALUES (?, …)`` for the SQLite driver's ``executemany``."""
    quote = dialect.identifier_preparer.quote
    columns, marks = ", ".join(quote(n) for n in names), ", ".join("?" * len(names))
    return f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({columns}) VALUES ({marks})"


def insert_returning(session: Session, table: Table, rows: Sequence[dict[str, Any]], key: str) -> dict[Any, int]:
    """Insert ``rows`` and return ``{row[key]: new id}`` (``key``: a column unique among ``rows``).

    On SQLite the rows go through :func:`insert_rows` (one ``executemany``, no per-row ``RETURNING``
    bookkeeping) and the new ids are every id above the table's largest before the insert (the transaction
    holds SQLite's only write lock, so no other writer's rows are among them), known from the largest id
    after it or read back in one query (:func:`_ids_of_insert`).
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
    keys = None if "id" in rows[0] else [row[key] for row in rows]
    return _ids_of_insert(session, table, key, keys, lambda: insert_rows(session, table, rows))


def _ids_of_insert(
    session: Session, table: Table, key: str, keys: Sequence[Any] | None, insert: Callable[[], Any]
) -> dict[Any, int]:
    """SQLite: run ``insert`` (of rows whose ``key`` values are ``keys``, in order) and return ``{key value:
    new id}`` of the rows it added — every id above the table's largest before it (the transaction holds
    SQLite's only write lock: no other writer's rows).

    SQLite gives a row without an id the table's largest id plus one, so when the rows give no id
    (``keys`` is not None) and the largest id grew by exactly their number, the new ids are the next
    ones in the rows' order and need no reading back; otherwise they are read back.
    """
    id_column, key_column = table.c.id, table.c[key]
    largest = select(func.max(id_column))
    before = session.execute(largest).scalar() or 0
    insert()
    after = session.execute(largest).scalar() or 0
    if keys is not None and after - before == len(keys):
        return dict(zip(keys, range(before + 1, after + 1), strict=True))
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


class TupleRows:
    """Rows of ``table`` given as tuples of the ``names`` columns, in that order, for one bulk insert.

    A writer builds each row as a tuple and converts the values of the columns that need it with
    :meth:`converter` (or :meth:`convert` for one value shared by every row). On SQLite that is the
    column type's own bind processor (the very conversion :func:`insert_rows` makes), applied once per
    distinct value, and :meth:`insert` hands the tuples to the driver's ``executemany`` as they are: no
    dict, no per-value processing at insert time. On other dialects a converter gives the value unchanged
    and :meth:`insert` makes dicts for Core ``insert()``, which converts them.
    """

    def __init__(self, session: Session, table: Table, names: Sequence[str]) -> None:
        self.session = session
        self.table = table
        self.names = tuple(names)
        conn = session.connection()
        self.dialect = conn.dialect
        self.sqlite = self.dialect.name == "sqlite"

    def converter(
        self, name: str, prepare: Callable[[Any], Any] | None = None, *, memo: bool = True
    ) -> Callable[[Any], Any]:
        """The value a row holds for column ``name``, from the Python value (after ``prepare``, if given).

        On SQLite the column's bind processor is memoised per distinct value (by type and equality: the
        project's processors depend on nothing else) unless ``memo`` is false (values that rarely repeat);
        unhashable values are converted every time.
        """
        proc = self.table.c[name].type._cached_bind_processor(self.dialect) if self.sqlite else None
        if proc is None:
            return prepare if prepare is not None else _identity
        if not memo:
            return proc if prepare is None else lambda value: proc(prepare(value))
        cache: dict[tuple[type, Any], Any] = {}

        def convert(value: Any) -> Any:
            try:
                key = (value.__class__, value)
                return cache[key]
            except KeyError:
                out = cache[key] = proc(prepare(value) if prepare is not None else value)
                return out
            except TypeError:  # unhashable
                return proc(prepare(value) if prepare is not None else value)

        return convert

    def convert(self, name: str, value: Any) -> Any:
        """``value`` as a row holds it in column ``name`` (for a value shared by many rows)."""
        return self.converter(name)(value)

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert the (converted) rows; returns the count."""
        if not rows:
            return 0
        if not self.sqlite:
            return insert_rows(self.session, self.table, self._dicts(rows))
        self.session.connection().exec_driver_sql(_insert_sql(self.dialect, self.table, self.names), rows)
        return len(rows)

    def insert_returning(self, rows: Sequence[tuple[Any, ...]], key: str) -> dict[Any, int]:
        """Insert the rows and return ``{row's key value: new id}`` (as :func:`insert_returning`; ``key`` is a
        column without a bind processor, unique among ``rows``)."""
        if not rows:
            return {}
        if not self.sqlite:
            return insert_returning(self.session, self.table, self._dicts(rows), key)
        index = self.names.index(key)
        keys = None if "id" in self.names else [row[index] for row in rows]
        return _ids_of_insert(self.session, self.table, key, keys, lambda: self.insert(rows))

    def _dicts(self, rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
        """The rows as dicts, for Core on dialects other than SQLite (whose converters leave values as they are)."""
        return [dict(zip(self.names, row, strict=True)) for row in rows]


def _identity(value: Any) -> Any:
    return value


#: Keys per ``IN (…)`` list of :func:`select_in`'s plain SQL on SQLite (its limit is 32,766 parameters).
SQLITE_IN_CHUNK = 5000


def select_in(
    session: Session,
    table: Table,
    names: Sequence[str],
    key: str,
    values: Sequence[Any],
    *,
    where: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Rows (the ``names`` columns, read by attribute or position) of ``table`` whose ``key`` is one of
    ``values`` and whose ``where`` columns equal the values given.

    On SQLite, when none of these columns converts its values (text and integer columns), this is plain
    SQL with ``?`` lists of up to :data:`SQLITE_IN_CHUNK` keys, skipping the compilation of an expanding
    ``IN`` per query; otherwise Core ``select`` in :data:`IN_CHUNK` slices. The session is flushed first
    (unless autoflush is off), as an ORM query of the same rows would be.
    """
    if not values:
        return []
    if session.autoflush:  # as an ORM query would: pending objects are seen
        session.flush()
    where = dict(where or {})
    conn = session.connection()
    dialect = conn.dialect
    columns = [table.c[n] for n in names]
    plain = (
        dialect.name == "sqlite"
        and all(c.type._cached_result_processor(dialect, None) is None for c in columns)
        and all(table.c[n].type._cached_bind_processor(dialect) is None for n in (key, *where))
    )
    out: list[Any] = []
    if not plain:
        for part in in_chunks(values):
            query = select(*columns).where(table.c[key].in_(list(part)))
            for name, value in where.items():
                query = query.where(table.c[name] == value)
            out.extend(session.execute(query))
        return out
    quote = dialect.identifier_preparer.quote
    head = f"SELECT {', '.join(quote(n) for n in names)} FROM {dialect.identifier_preparer.format_table(table)} WHERE "
    conditions = [f"{quote(n)} = ?" for n in where]
    fixed = tuple(where.values())
    for part in in_chunks(values, SQLITE_IN_CHUNK):
        clause = " AND ".join([*conditions, f"{quote(key)} IN ({', '.join('?' * len(part))})"])
        out.extend(conn.exec_driver_sql(head + clause, (*fixed, *part)))
    return out
