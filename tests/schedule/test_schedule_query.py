"""`tracker query`: read-only SQL. Every kind of write is refused and changes nothing; output as table, CSV, JSON."""

import csv
import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from helpers.corpus import snapshot
from helpers.db import table_counts
from sched_helpers import write_config
from sqlalchemy import insert, text

from tracker.backfill import backfill_openrouter
from tracker.cli import main
from tracker.query import ensure_analyst_role
from tracker.store.tables import Model


@pytest.fixture
def loaded(corpus, sessions, db_url, engine):
    """The OpenRouter listings of 2026-03-16 and 2026-03-17 (Qwen3-Max's price cut between them)."""
    files = [snapshot(corpus, "2026-03-16"), snapshot(corpus, "2026-03-17")]
    assert all(s.status == "success" for s in backfill_openrouter(sessions, db_url, files, trigger="test"))
    if engine.dialect.name == "postgresql":
        ensure_analyst_role(db_url)  # what `tracker init` does: the role tracker query runs as
    return engine


@pytest.fixture
def config(sched_settings, tmp_path):
    return write_config(sched_settings, tmp_path / "tracker.toml")


def query(config, capsys, *args):
    code = main(["--config", str(config), "query", *args])
    out, err = capsys.readouterr()
    return code, out, err


def fingerprint(engine):
    """Row counts of every table, and on SQLite the bytes of the database and its write-ahead log."""
    prints = {"counts": table_counts(engine)}
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(engine.url.database)
        for name in (path, Path(f"{path}-wal")):
            prints[name.name] = hashlib.sha256(name.read_bytes()).hexdigest() if name.exists() else None
    with engine.connect() as conn:
        prints["keys"] = conn.execute(text("SELECT key, vendor, name FROM models ORDER BY key")).all()
    return prints


WRITES = [
    "DELETE FROM models",
    "delete from models where 1 = 1;",
    "UPDATE prices SET usd_per_mtok = '0'",
    "INSERT INTO runs (job, trigger, status, complete, started_at) VALUES ('x', 'x', 'x', false, '2026-01-01')",
    "WITH doomed AS (SELECT id FROM models) DELETE FROM models WHERE id IN (SELECT id FROM doomed)",
    "WITH gone AS (DELETE FROM models RETURNING id) SELECT count(*) FROM gone",
    "SELECT 1; DELETE FROM models",
    "SELECT 1; COMMIT; DELETE FROM models",
    "DROP TABLE models",
    "DROP VIEW current_models",
    "CREATE TABLE notes (x integer)",
    "ALTER TABLE models ADD COLUMN extra text",
    "CREATE INDEX ix_extra ON models (name)",
    "CREATE TEMP TABLE scratch (x integer)",
]
SQLITE_WRITES = [
    "ATTACH DATABASE 'other.db' AS other",
    "PRAGMA query_only = OFF",
    "PRAGMA journal_mode = DELETE",
    "VACUUM",
    "VACUUM INTO 'copy.db'",
    "REINDEX",
    "BEGIN",
    "SAVEPOINT before_delete",
]
POSTGRES_WRITES = [
    "TRUNCATE models CASCADE",
    "SELECT nextval('models_id_seq')",
    "DO $$ BEGIN DELETE FROM models; END $$",
    "SELECT * FROM models FOR UPDATE",
]


#: The suite runs on Postgres when TRACKER_TEST_DATABASE_URL is set (see tests/conftest.py).
ON_POSTGRES = bool(os.environ.get("TRACKER_TEST_DATABASE_URL"))


@pytest.mark.parametrize("sql", WRITES + (POSTGRES_WRITES if ON_POSTGRES else SQLITE_WRITES))
def test_writes_are_refused_and_nothing_changes(sql, loaded, config, capsys, tmp_path, monkeypatch):
    dialect = loaded.dialect.name
    monkeypatch.chdir(tmp_path)
    before = fingerprint(loaded)
    code, out, err = query(config, capsys, sql)
    assert code == 2 and out == ""
    message = err.strip()
    assert message.startswith("tracker: error: ")
    if dialect == "sqlite" and "RETURNING id) SELECT" in sql:
        assert "syntax error" in message  # SQLite has no data-modifying WITH: never a write there
    elif "; " in sql.rstrip(";") and "$$" not in sql:  # a DO block's inner ';' is not a second statement
        assert "one statement at a time" in message and "nothing was run" in message
    else:
        assert "refused: tracker query is read-only" in message and "nothing was changed" in message
    assert fingerprint(loaded) == before
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "other.db").exists()


def test_the_delete_is_named_in_the_refusal(loaded, config, capsys):
    code, _, err = query(config, capsys, "DELETE FROM models")
    assert code == 2
    if loaded.dialect.name == "sqlite":
        assert "(DELETE on models is not allowed)" in err
    else:
        assert "cannot execute DELETE in a read-only transaction" in err


def test_analyst_views_in_table_csv_and_json(loaded, config, capsys):
    sql = (
        "SELECT model_key, component, usd_per_mtok, is_current FROM price_history "
        "WHERE offer = 'qwen/qwen3-max' AND component = 'prompt' AND tier = '' ORDER BY first_seen_at"
    )
    code, out, _ = query(config, capsys, sql, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["usd_per_mtok"] for r in rows] == ["1.2", "0.78"]  # exact decimals, as strings, never floats
    assert [bool(r["is_current"]) for r in rows] == [False, True]

    code, out, _ = query(config, capsys, sql, "--format", "csv")
    assert code == 0
    parsed = list(csv.reader(io.StringIO(out)))
    assert parsed[0] == ["model_key", "component", "usd_per_mtok", "is_current"]
    assert [row[2] for row in parsed[1:]] == ["1.2", "0.78"]

    code, out, _ = query(config, capsys, sql)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["model_key", "component", "usd_per_mtok", "is_current"]
    assert set(lines[1]) <= {"-", " "}
    assert "qwen/qwen3-max" in lines[2] and lines[-1] == "(2 rows)"

    code, out, _ = query(
        config,
        capsys,
        "SELECT model_key, open_weight_status, context_length, prompt_usd_per_mtok, listed_on_openrouter "
        "FROM current_models WHERE model_key = 'qwen/qwen3-max'",
        "--json",
    )
    assert code == 0
    [row] = json.loads(out)
    assert row["context_length"] == 262144 and row["prompt_usd_per_mtok"] == "0.78"
    # no Hub organisation was searched: "API only" is a finding, not a default (issue 12)
    assert row["open_weight_status"] == "unknown" and bool(row["listed_on_openrouter"])

    code, out, _ = query(config, capsys, "SELECT kind, count(*) AS n FROM model_events GROUP BY kind", "--json")
    assert code == 0
    kinds = {r["kind"]: r["n"] for r in json.loads(out)}
    # the first snapshot is a baseline: recorded, not announced (issue 12); the second brings the cut
    assert "model_added" not in kinds and kinds["price_changed"] > 0
    code, out, _ = query(config, capsys, "SELECT count(*) AS n FROM model_claims", "--json")
    assert code == 0 and json.loads(out)[0]["n"] >= 0


def test_text_from_sources_cannot_drive_the_terminal(loaded, sessions, config, capsys):
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        session.execute(
            insert(Model).values(
                key="evil/model",
                vendor="evil",
                name="\x1b]0;pwned\x07\x1b[31mred\nsecond line",
                first_seen_at=now,
                updated_at=now,
                is_derivative=False,
                open_weight_status="unknown",
            )
        )
    code, out, _ = query(config, capsys, "SELECT name FROM models WHERE key = 'evil/model'")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[31mred\\nsecond line" in out
    code, out, _ = query(config, capsys, "SELECT name FROM models WHERE key = 'evil/model'", "--json")
    assert json.loads(out)[0]["name"].startswith("\x1b]0;pwned")  # JSON keeps the exact text


def test_long_cells_are_cut_in_the_table_and_rows_can_be_limited(loaded, config, capsys):
    code, out, _ = query(config, capsys, "SELECT description FROM openrouter_listings", "--max-rows", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "(3 rows, more left out)"
    assert all(len(line) <= 60 for line in lines[2:-1]) and any(line.endswith("…") for line in lines[2:-1])
    listed = "SELECT description FROM openrouter_listings WHERE status = 'listed'"
    code, out, _ = query(config, capsys, listed, "--width", "0", "--json")
    assert code == 0 and len(json.loads(out)) == 345


def test_a_query_error_is_one_clear_line(loaded, config, capsys):
    code, _, err = query(config, capsys, "SELECT * FROM no_such_table")
    assert code == 2 and "the query cannot run" in err and "no_such_table" in err
    code, _, err = query(config, capsys, "   ")
    assert code == 2 and "no SQL given" in err


def test_query_never_creates_a_database(sched_settings, tmp_path, capsys):
    import dataclasses

    missing = tmp_path / "nowhere" / "tracker.db"
    config = write_config(
        dataclasses.replace(sched_settings, database_url=f"sqlite:///{missing}"), tmp_path / "missing.toml"
    )
    code, _, err = query(config, capsys, "SELECT 1")
    assert code == 2 and "no database at" in err
    assert not missing.exists()
