"""The database's stamp: a few aggregates per table that change whenever a row the site reads changes.

A rebuild compares the stamp with the one recorded by the last build (:mod:`tracker.site.inputs`);
equal stamps mean that no page's inputs changed, so nothing is read, rendered or written. One
query per table computes, per column and in the database (no row comes to Python): how many values
are set, the sum of their text lengths (weighted by the row's integer key, so that a value moving
between rows shows), the codes of their first and last characters, the largest value, and for
integer columns the sum of the values modulo a prime. Any insert or delete changes a count; an
update in place changes at least one aggregate unless it swaps a value for another of the same
length with the same first and last characters in the same row — which the write paths never do
alone (a changed price is a new row, a changed listing bumps ``last_changed_at``, a model's shown
values bump ``updated_at``, a claim's status changes its length or its first letter).

Tables the site never reads and that change for unrelated reasons (locks, scheduler jobs,
subscribers, deliveries, the HTTP cache, the crawl frontier, crawl errors) are left out.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import Integer, String, Table, TypeDecorator, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tracker.store.base import Base

#: Tables whose changes cannot change a page (nor the database copy, which holds only public tables).
IGNORED = frozenset(
    {
        "apscheduler_jobs",
        "job_locks",
        "subscribers",
        "deliveries",
        "newsletter_issues",
        "http_cache",
        "frontier",
        "source_listings",
        "crawl_errors",
    }
)
_PRIME = 1_000_003
_WEIGHT = 1_009


def database_stamp(session: Session) -> str:
    """A short digest of every watched table's aggregates (see the module docstring)."""
    figures: dict[str, list[str]] = {}
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        if table.name in IGNORED:
            continue
        row = session.execute(select(*_aggregates(table, session.get_bind().dialect.name))).one()
        figures[str(table.name)] = [str(v) for v in row]
    return stamp_of(figures)


def stamp_of(figures: dict[str, Any]) -> str:
    """PURE: the digest of the aggregates (table name → values)."""
    return hashlib.blake2b(orjson.dumps(figures, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


def _aggregates(table: Table, dialect: str) -> list[ColumnElement[Any]]:
    code = func.ascii if dialect == "postgresql" else func.unicode
    keys = list(table.primary_key.columns)
    weight: ColumnElement[Any] = literal(1)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        weight = keys[0] % _WEIGHT + 1
    out: list[ColumnElement[Any]] = [func.count()]
    for column in table.columns:
        if isinstance(_base(column), Integer):
            out += [func.count(column), func.sum(column % _PRIME), func.max(column)]
            continue
        text = cast(column, String)
        out += [
            func.count(column),
            func.sum(func.length(text) * weight),
            func.sum(code(func.substr(text, 1, 1)) * weight),
            func.sum(code(func.substr(text, func.length(text), 1))),
            func.max(func.length(text)),
        ]
        if _small(column):
            out.append(func.max(text))
    return out


def _base(column: Any) -> Any:
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def _small(column: Any) -> bool:
    """Short columns (times, statuses, keys) also give their largest value; long texts do not."""
    kind = _base(column)
    return isinstance(kind, String) and kind.length is not None and kind.length <= 64
