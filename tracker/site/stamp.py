"""The database's stamp: a few aggregates per table that change whenever a row the site reads changes.

A rebuild compares the stamp with the one recorded by the last build (:mod:`tracker.site.inputs`);
equal stamps mean that no page's inputs changed, so nothing is read, rendered or written. One
query per table computes, per column and in the database (no row comes to Python): how many values
are set; for short columns (statuses, keys, hashes, amounts) the sums of their text lengths and of
the codes of their first and last characters, weighted by the row's integer key (so that a value
moving between rows shows); for times the largest (times are only ever set to "now"); for integer
columns the sum of the values modulo a prime. Long texts and JSON are not read.

Any insert or delete changes a count; an update in place changes at least one aggregate unless it
swaps a value for another of the same length with the same first and last characters in the same
row, or changes only a long text or JSON value — which the write paths never do alone (a changed
price is a new row, a changed listing also changes its content hash and ``last_changed_at``, a
model's shown values bump ``updated_at``, a claim's status changes its length or its first letter,
a document is a new row).

Tables the site never reads and that change for unrelated reasons (locks, scheduler jobs,
subscribers, deliveries, the HTTP cache) are left out; the crawl frontier, the listings' health and
crawl errors are watched, as the status page shows them.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import Integer, String, Table, TypeDecorator, func, select, text, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tracker.store import tables as _tables  # also registers every table on Base.metadata
from tracker.store.base import Base, UTCDateTime

#: Tables whose changes cannot change a page (nor the database copy, which holds only public tables).
IGNORED = frozenset(
    {
        "apscheduler_jobs",
        "job_locks",
        "subscribers",
        "deliveries",
        "newsletter_issues",
        "http_cache",
    }
)
_PRIME = 1_000_003
_WEIGHT = 1_009


def database_stamp(session: Session) -> str:
    """A short digest of every watched table's aggregates (see the module docstring)."""
    return stamp_of(table_figures(session))


def table_figures(session: Session) -> dict[str, list[str]]:
    """Every watched table's aggregates (table name → values): what the stamp is made of, and what
    tells which tables changed (:mod:`tracker.site.page_keys`)."""
    dialect = session.get_bind().dialect
    figures: dict[str, list[str]] = {}
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        if table.name in IGNORED:
            continue
        row = session.execute(text(aggregates_sql(table, dialect))).one()
        figures[str(table.name)] = [str(v) for v in row]
    return figures


def aggregates_sql(table: Table, dialect: Dialect) -> str:
    """PURE: the aggregates query of ``table`` as SQL text, written here rather than built with SQLAlchemy
    and compiled: compiling the ~30 queries cost a fresh process more than running them.

    Per column: integers give their count and their sum modulo a prime; times (only ever set to "now": a
    changed one is the largest) their count and largest value; long texts and JSON only their count
    (reading them would cost more than the build saves; the write paths that change one also change a
    short column of its row); short texts their count and the sums of their length and of their first
    and last characters' codes, each weighted by the row's integer key."""
    quote = dialect.identifier_preparer.quote
    code = "ascii" if dialect.name == "postgresql" else "unicode"
    keys = list(table.primary_key.columns)
    weight = "1"
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        weight = f"({quote(keys[0].name)} % {_WEIGHT} + 1)"
    out = ["count(*)"]
    for column in table.columns:
        name, kind = quote(column.name), _base(column)
        if isinstance(kind, Integer):
            out += [f"count({name})", f"sum({name} % {_PRIME})"]
        elif isinstance(column.type, UTCDateTime):
            out += [f"count({name})", f"max({name})"]
        elif not _small(column):
            out.append(f"count({name})")
        elif dialect.name == "sqlite":
            # The same values with fewer calls a row: SQLite's text functions read any value as its
            # text, unicode() gives the first character's code and substr(x, -1) the last character.
            out += [
                f"count({name})",
                f"sum(length({name}) * {weight})",
                f"sum(unicode({name}) * {weight})",
                f"sum(unicode(substr({name}, -1)) * {weight})",
            ]
        else:
            cast_ = f"CAST({name} AS VARCHAR)"
            out += [
                f"count({name})",
                f"sum(length({cast_}) * {weight})",
                f"sum({code}(substr({cast_}, 1, 1)) * {weight})",
                f"sum({code}(substr({cast_}, length({cast_}), 1)) * {weight})",
            ]
    return f"SELECT {', '.join(out)} FROM {dialect.identifier_preparer.format_table(table)}"


def stamp_of(figures: dict[str, Any]) -> str:
    """PURE: the digest of the aggregates (table name → values)."""
    return hashlib.blake2b(orjson.dumps(figures, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


def _base(column: Any) -> Any:
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def _small(column: Any) -> bool:
    """Short columns (times, statuses, keys) also give their largest value; long texts do not."""
    kind = _base(column)
    return isinstance(kind, String) and kind.length is not None and kind.length <= 64


def rows_by_model(session: Session) -> dict[int, str]:
    """Model id → a digest of a few aggregates of its listings and prices, which change whenever one
    of its rows does the way the write paths change them (a changed price is a new row and closes the
    old one; a changed listing gets a new observation and ``last_changed_at``): what tells a rebuild
    whose rows changed without reading them. The database stamp decides whether anything changed."""
    listing, price = _tables.OpenRouterListing, _tables.Price

    def stored(time: Any) -> ColumnElement[Any]:
        # The largest time as the database gives it: only compared, so not converted to a datetime
        # (~40,000 conversions at 10,000 models).
        return type_coerce(func.max(time), String)

    queries = (
        select(
            listing.model_id,
            func.count(),
            stored(listing.last_changed_at),
            stored(listing.delisted_at),
            func.sum(listing.last_observation_id),
            func.sum(func.length(listing.status)),
            func.sum(func.length(listing.id)),
        ).group_by(listing.model_id),
        select(
            price.model_id,
            func.count(),
            func.sum(price.id),
            stored(price.first_seen_at),
            stored(price.last_seen_at),
            func.count(price.last_seen_at),
        ).group_by(price.model_id),
    )
    parts: dict[int, list[str]] = {}
    for query in queries:
        for row in session.execute(query):
            if row[0] is not None:
                parts.setdefault(row[0], []).append(repr(tuple(row[1:])))
    return {key: "\x00".join(values) for key, values in parts.items()}
