"""Downloads: current models and price history as JSON and CSV, and a SQLite copy of the public tables.

JSON and CSV carry money as exact decimal strings (never floats) and times as
ISO 8601 UTC. The database copy holds only :data:`PUBLIC_TABLES` (never
subscribers, deliveries or run bookkeeping): from SQLite it is taken with
``VACUUM INTO`` (a consistent snapshot, even while a crawl writes), from
Postgres the same Alembic schema is created in a new SQLite file and the
public rows are copied into it. The private tables are then dropped with
``secure_delete`` on, so their pages are zeroed (not compacted away: a second
``VACUUM`` cost more than the copy itself). An unchanged database gives a
byte-identical file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from tracker.normalize.numbers import format_decimal
from tracker.site.contexts import ModelSummary
from tracker.site.format import iso
from tracker.site.queries import ModelRow, PriceRow, SiteData
from tracker.site.summaries import main_listing
from tracker.store.base import Base
from tracker.store.db import make_engine, upgrade

#: Tables offered in the downloadable database; everything else (subscribers,
#: deliveries, runs, crawl errors, HTTP caches, locks) stays private.
PUBLIC_TABLES: tuple[str, ...] = (
    "alembic_version",
    "models",
    "crosswalk",
    "observations",
    "events",
    "openrouter_listings",
    "openrouter_aliases",
    "prices",
    "claims",
    "disputes",
    "documents",
    "hf_repos",
    "hf_orgs",
)

MODEL_COLUMNS = (
    "key",
    "name",
    "vendor",
    "open_weight_status",
    "license_key",
    "license_class",
    "params_total",
    "params_active",
    "params_source",
    "context_length",
    "input_status",
    "input_usd_per_mtok",
    "output_status",
    "output_usd_per_mtok",
    "openrouter_id",
    "openrouter_status",
    "hf_repo_id",
    "is_derivative",
    "base_model",
    "base_relation",
    "disputed",
    "released_at",
    "first_seen_at",
    "page",
)
PRICE_COLUMNS = (
    "model",
    "offer",
    "source",
    "provider",
    "component",
    "tier",
    "min_prompt_tokens",
    "status",
    "usd_per_mtok",
    "usd_per_unit",
    "unit",
    "raw",
    "first_seen_at",
    "last_seen_at",
    "url",
)


def _money(value: Any) -> str | None:
    return None if value is None else format_decimal(value)


def model_records(
    data: SiteData,
    summaries: Mapping[int, ModelSummary],
    *,
    models: Sequence[ModelRow] | None = None,
    keys: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """One record per model of ``models`` (default: all of ``data``); ``keys`` names every model (for bases)."""
    keys = keys if keys is not None else {m.id: m.key for m in data.models}
    out = []
    for m in models if models is not None else data.models:
        s = summaries[m.id]
        listing = main_listing(m, data.listings.get(m.id, ()))
        out.append(
            {
                "key": m.key,
                "name": m.name,
                "vendor": m.vendor,
                "open_weight_status": m.open_weight_status,
                "license_key": m.license_key,
                "license_class": m.license_class,
                "params_total": m.params_total,
                "params_active": m.params_active,
                "params_source": m.params_source,
                "context_length": m.context_length,
                "input_status": s.input_price.status,
                "input_usd_per_mtok": _money(s.input_price.amount),
                "output_status": s.output_price.status,
                "output_usd_per_mtok": _money(s.output_price.amount),
                "openrouter_id": listing.id if listing else m.openrouter_id,
                "openrouter_status": listing.status if listing else None,
                "hf_repo_id": m.hf_repo_id,
                "is_derivative": m.is_derivative,
                "base_model": keys.get(m.base_model_id) if m.base_model_id is not None else None,
                "base_relation": m.base_relation,
                "disputed": s.disputed,
                "released_at": iso(m.released_at) or None,
                "first_seen_at": iso(m.first_seen_at),
                "page": s.path,
            }
        )
    return out


def price_records(models: Sequence[ModelRow], prices: Mapping[int, Sequence[PriceRow]]) -> Iterable[dict[str, Any]]:
    for m in models:
        for p in prices.get(m.id, ()):
            yield {
                "model": m.key,
                "offer": p.subject,
                "source": p.source,
                "provider": p.provider,
                "component": p.component,
                "tier": p.tier,
                "min_prompt_tokens": p.min_prompt_tokens,
                "status": p.status,
                "usd_per_mtok": _money(p.usd_per_mtok),
                "usd_per_unit": _money(p.usd_per_unit),
                "unit": p.unit,
                "raw": p.raw,
                "first_seen_at": iso(p.first_seen_at),
                "last_seen_at": iso(p.last_seen_at) or None,
                "url": p.url,
            }


def to_json(records: Iterable[dict[str, Any]]) -> str:
    """A JSON array with one record per line (diff-friendly, and fast: the C encoder does each line)."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def to_csv(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """A header line and one line per record, its values in ``columns`` order (what ``csv.DictWriter``
    writes: a missing value or None is empty, booleans are ``true``/``false``; a key that is not a
    column is an error)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = list(columns)
    known = set(names)
    writer.writerow(names)
    for record in records:
        if len(record) > len(known) or not known.issuperset(record):
            raise ValueError(f"record fields not in the columns: {sorted(set(record) - known)}")
        writer.writerow([_cell(record.get(k)) for k in names])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return value


def export_database(engine: Engine, dest: Path) -> None:
    """Write a compact SQLite file with the public tables of the database behind ``engine``."""
    dest.unlink(missing_ok=True)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM INTO ?", (str(dest),))  # type: ignore[union-attr]
        finally:
            raw.close()
    else:
        copy_rows(engine, dest)
    _keep_public(dest)


def copy_rows(engine: Engine, dest: Path) -> None:
    """Create the schema in a new SQLite file with Alembic and copy the public tables' rows into it."""
    target = make_engine(f"sqlite:///{dest}")
    try:
        upgrade(target)
        with engine.connect() as src, target.connect() as dst:
            dst.exec_driver_sql("PRAGMA foreign_keys=OFF")  # rows arrive in key order, not parent-first
            for table in Base.metadata.sorted_tables:
                if table.name not in PUBLIC_TABLES:
                    continue
                query = select(table).order_by(*table.primary_key.columns)
                batch: list[dict[str, Any]] = []
                for row in src.execution_options(yield_per=2000).execute(query).mappings():
                    batch.append(dict(row))
                    if len(batch) >= 2000:
                        dst.execute(table.insert(), batch)
                        batch = []
                if batch:
                    dst.execute(table.insert(), batch)
            dst.commit()
    finally:
        target.dispose()


def _keep_public(path: Path) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("PRAGMA secure_delete=ON")  # what is dropped or overwritten is zeroed in the file
        names = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        dropped = [n for n in names if n not in PUBLIC_TABLES]
        for name in dropped:
            con.execute(f'DROP TABLE "{name}"')
        for table in (n for n in names if n in PUBLIC_TABLES):
            for fk in con.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
                if fk[2] in dropped:
                    con.execute(f'UPDATE "{table}" SET "{fk[3]}" = NULL')
        for (view,) in con.execute("SELECT name FROM sqlite_master WHERE type='view'").fetchall():
            try:
                con.execute(f'SELECT * FROM "{view}" LIMIT 0')
            except sqlite3.Error:
                con.execute(f'DROP VIEW "{view}"')
        with contextlib.suppress(sqlite3.Error):
            con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()
