"""The schema documentation and the Datasette metadata match the database that Alembic builds."""

import json
import re

from sched_helpers import REPO
from sqlalchemy import inspect, text

from tracker.store.base import Base

VIEWS = ("current_models", "price_history", "model_claims", "model_events")


def columns(engine, name):
    with engine.connect() as conn:
        return list(conn.execute(text(f"SELECT * FROM {name} WHERE 1 = 0")).keys())


def test_the_analyst_views_exist_on_a_migrated_database(engine):
    views = set(inspect(engine).get_view_names())
    assert set(VIEWS) <= views
    for view in VIEWS:
        assert columns(engine, view)


def test_schema_doc_describes_every_table_and_every_view_column(engine):
    doc = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#{3,4} `(\w+)`", doc, re.M))
    assert set(Base.metadata.tables) | set(VIEWS) <= headings
    for view in VIEWS:
        section = doc.split(f"### `{view}`")[1].split("\n### ")[0]
        cells = re.findall(r"^\| ([^|]+) \|", section, re.M)
        documented = {name for cell in cells for name in re.findall(r"`(\w+)`", cell)}
        assert set(columns(engine, view)) <= documented, view


def test_datasette_metadata_labels_every_table_and_view_with_real_columns(engine):
    metadata = json.loads((REPO / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["tracker"]["tables"]
    assert set(Base.metadata.tables) | set(VIEWS) <= set(tables)
    for name, entry in tables.items():
        real = set(columns(engine, name))
        assert entry["description"], name
        assert set(entry.get("columns", {})) <= real, name
        for key in ("label_column", "sort", "sort_desc"):
            assert entry.get(key) is None or entry[key] in real, (name, key)
        assert set(entry.get("facets", [])) <= real, name
    for view in VIEWS:
        assert set(tables[view]["columns"]) == set(columns(engine, view)), view
