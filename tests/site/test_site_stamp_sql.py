"""The stamp's aggregates, written as SQL text, give what the same aggregates built with SQLAlchemy give
(the reference below: how the stamp's queries were written before they became text)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from site_fixtures import fill_small_database
from sqlalchemy import Integer, String, Table, cast, func, literal, select, text
from sqlalchemy.sql.elements import ColumnElement

from tracker.site.stamp import _PRIME, _WEIGHT, IGNORED, _base, _small, aggregates_sql
from tracker.store.base import Base, UTCDateTime
from tracker.store.db import session_scope


def _reference(table: Table, dialect: str) -> list[ColumnElement[Any]]:
    """The aggregates of ``table`` as SQLAlchemy expressions (CAST to text, first and last character by substr)."""
    code = func.ascii if dialect == "postgresql" else func.unicode
    keys = list(table.primary_key.columns)
    weight: ColumnElement[Any] = literal(1)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        weight = keys[0] % _WEIGHT + 1
    out: list[ColumnElement[Any]] = [func.count()]
    for column in table.columns:
        if isinstance(_base(column), Integer):
            out += [func.count(column), func.sum(column % _PRIME)]
        elif isinstance(column.type, UTCDateTime):
            out += [func.count(column), func.max(column)]
        elif not _small(column):
            out.append(func.count(column))
        else:
            as_text = cast(column, String)
            out += [
                func.count(column),
                func.sum(func.length(as_text) * weight),
                func.sum(code(func.substr(as_text, 1, 1)) * weight),
                func.sum(code(func.substr(as_text, func.length(as_text), 1)) * weight),
            ]
    return out


def _same(core: object, raw: object) -> bool:
    if isinstance(core, dt.datetime) and isinstance(raw, str):  # SQLite: the stored text, not converted
        return core.replace(tzinfo=None) == dt.datetime.fromisoformat(raw).replace(tzinfo=None)
    return str(core) == str(raw)


def test_the_stamp_queries_as_text_give_the_aggregates_sqlalchemy_computes(sessions):
    with session_scope(sessions) as session:
        fill_small_database(session)
    with sessions() as session:
        dialect = session.get_bind().dialect
        compared = 0
        for table in Base.metadata.tables.values():
            if table.name in IGNORED:
                continue
            core = session.execute(select(*_reference(table, dialect.name))).one()
            raw = session.execute(text(aggregates_sql(table, dialect))).one()
            assert len(core) == len(raw), table.name
            assert all(_same(c, r) for c, r in zip(core, raw, strict=True)), (table.name, core, raw)
            compared += core[0] > 0
    assert compared >= 8  # the tables the small site fills
