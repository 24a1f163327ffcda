"""Downloads: JSON/CSV of current models and price history, and the public SQLite copy of the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3

from tracker.site.exports import PUBLIC_TABLES, copy_rows, export_database
from tracker.store.db import make_engine, session_scope
from tracker.store.tables.newsletter import Subscriber


def test_models_and_prices_exports_keep_exact_money_and_utc_times(small_site):
    models = {m["key"]: m for m in json.loads(small_site.page("data/models.json"))}
    qwen = models["qwen/qwen3-max"]
    assert qwen["input_usd_per_mtok"] == "0.78" and qwen["output_usd_per_mtok"] == "3.9"
    assert qwen["open_weight_status"] == "api-only" and qwen["disputed"] is True
    assert qwen["page"] == "models/qwen/qwen3-max/" and qwen["released_at"] == "2025-09-23T21:26:48Z"
    assert models["unsloth/gpt-oss-120b-GGUF"]["base_model"] == "openai/gpt-oss-120b"
    rows = list(csv.DictReader(io.StringIO(small_site.page("data/models.csv"))))
    assert {r["key"] for r in rows} == set(models)
    assert next(r for r in rows if r["key"] == "qwen/qwen3-max")["input_usd_per_mtok"] == "0.78"
    prices = json.loads(small_site.page("data/prices.json"))
    cut = [p for p in prices if p["offer"] == "qwen/qwen3-max" and p["component"] == "prompt" and p["tier"] == ""]
    assert [(p["usd_per_mtok"], p["first_seen_at"], p["last_seen_at"]) for p in cut] == [
        ("1.2", "2025-12-02T00:00:00Z", "2026-03-16T00:00:00Z"),
        ("0.78", "2026-03-17T00:00:00Z", None),
    ]
    tiers = {p["min_prompt_tokens"] for p in prices if p["offer"] == "qwen/qwen3-max"}
    assert tiers == {None, 32000, 128000}
    price_rows = list(csv.DictReader(io.StringIO(small_site.page("data/prices.csv"))))
    assert len(price_rows) == len(prices)


def test_the_database_download_holds_only_the_public_tables(small_site):
    con = sqlite3.connect(small_site.out / "data" / "tracker.db")
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables <= set(PUBLIC_TABLES)
        assert {"models", "prices", "events", "claims", "disputes", "openrouter_listings", "alembic_version"} <= tables
        assert not tables & {"subscribers", "deliveries", "runs", "crawl_errors", "http_cache", "job_locks"}
        views = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='view'")}
        for view in views:  # every view that stays works
            con.execute(f'SELECT * FROM "{view}" LIMIT 1').fetchall()
        assert con.execute("SELECT COUNT(*) FROM models").fetchone() == (6,)
        assert con.execute(
            "SELECT usd_per_mtok FROM prices WHERE subject='qwen/qwen3-max' AND tier='' "
            "AND component='prompt' AND last_seen_at IS NULL"
        ).fetchone() == ("0.78",)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


def test_the_copy_through_alembic_and_rows_matches(small_site, engine, tmp_path):
    """The Postgres path (schema by Alembic in a new SQLite file, rows copied) gives the same data."""
    copied = tmp_path / "copied.db"
    copy_rows(engine, copied)
    export_database(engine, tmp_path / "vacuumed.db")
    a, b = sqlite3.connect(copied), sqlite3.connect(tmp_path / "vacuumed.db")
    try:
        for table in ("models", "prices", "events", "claims", "disputes", "openrouter_listings", "documents"):
            query = f'SELECT * FROM "{table}" ORDER BY 1'
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table
    finally:
        a.close()
        b.close()


def test_an_unchanged_database_exports_the_same_bytes(small_site, db_url, tmp_path):
    engine = make_engine(db_url)
    try:
        export_database(engine, tmp_path / "one.db")
        export_database(engine, tmp_path / "two.db")
    finally:
        engine.dispose()
    assert (tmp_path / "one.db").read_bytes() == (tmp_path / "two.db").read_bytes()


def test_the_database_download_holds_no_byte_of_the_private_tables(small_site, db_url, sessions, tmp_path):
    """The private tables are dropped with secure_delete on: their pages are zeroed, not left behind."""
    email = "private-subscriber-7f3a@example.org"
    now = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    with session_scope(sessions) as session:
        session.add(Subscriber(email=email, status="confirmed", origin="cli", created_at=now, updated_at=now))
    engine = make_engine(db_url)
    try:
        export_database(engine, tmp_path / "copy.db")
    finally:
        engine.dispose()
    data = (tmp_path / "copy.db").read_bytes()
    assert email.encode() not in data and b"private-subscriber" not in data
    con = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert con.execute("SELECT COUNT(*) FROM models").fetchone() == (6,)
    finally:
        con.close()
