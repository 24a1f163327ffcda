"""Database helpers for assertions."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tracker.store.base import Base

#: Tables that hold data (not run bookkeeping): an unchanged re-crawl must not grow them.
DATA_TABLES = (
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


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in Base.metadata.tables
        }


def data_counts(engine: Engine) -> dict[str, int]:
    counts = table_counts(engine)
    return {name: counts[name] for name in DATA_TABLES if name in counts}
