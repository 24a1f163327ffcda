"""The stamp's aggregates written as SQL text give what the same aggregates built with SQLAlchemy give."""

from __future__ import annotations

import datetime as dt

from site_fixtures import fill_small_database
from sqlalchemy import select, text

from tracker.site.stamp import IGNORED, _aggregates, aggregates_sql
from tracker.store.base import Base
from tracker.store.db import session_scope


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
            core = session.execute(select(*_aggregates(table, dialect.name))).one()
            raw = session.execute(text(aggregates_sql(table, dialect))).one()
            assert len(core) == len(raw), table.name
            assert all(_same(c, r) for c, r in zip(core, raw, strict=True)), (table.name, core, raw)
            compared += core[0] > 0
    assert compared >= 8  # the tables the small site fills
