"""`tracker query` cannot act: the allow-list, acting functions, server files, admin tables, timeouts.

On Postgres (TRACKER_TEST_DATABASE_URL set) every statement of issue 14 item 5 is refused and changes
nothing, and the role the analyst runs as cannot read subscribers even when asked directly.
"""

import datetime as dt
import os

import psycopg
import pytest
from helpers.db import table_counts
from sched_helpers import write_config
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from tracker.cli import main
from tracker.errors import ReadOnlyQueryError
from tracker.query import ANALYST_ROLE, ensure_analyst_role, run_query
from tracker.query_check import check_statement
from tracker.store.tables import Model
from tracker.store.tables.newsletter import Subscriber

ON_POSTGRES = bool(os.environ.get("TRACKER_TEST_DATABASE_URL"))
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


@pytest.fixture
def db(db_url, engine, sessions):
    with sessions.begin() as session:
        session.execute(
            insert(Model).values(
                key="qwen/qwen3-max", vendor="qwen", name="Qwen3 Max", first_seen_at=NOW, updated_at=NOW
            )
        )
        session.execute(
            insert(Subscriber).values(email="reader@example.org", status="confirmed", created_at=NOW, updated_at=NOW)
        )
    if ON_POSTGRES:
        ensure_analyst_role(db_url)
    return engine


@pytest.fixture
def config(sched_settings, tmp_path):
    return write_config(sched_settings, tmp_path / "tracker.toml")


def query(config, capsys, *args):
    code = main(["--config", str(config), "query", *args])
    out, err = capsys.readouterr()
    return code, out, err


POSTGRES_ACTIONS = [
    "COPY models TO PROGRAM 'touch {marker}'",
    "COPY (SELECT key FROM models) TO PROGRAM 'touch {marker}'",
    "COPY models TO '/dev/null'",
    "SELECT lo_import('/etc/hostname')",
    "SELECT pg_read_file('/etc/hostname')",
    "SELECT pg_read_binary_file('/etc/hostname')",
    "SELECT * FROM pg_ls_dir('.')",
    "LOCK TABLE models IN ACCESS EXCLUSIVE MODE",
    "CHECKPOINT",
    "REINDEX TABLE models",
    "NOTIFY tracker_channel",
    "SELECT pg_notify('tracker_channel', 'x')",
    "SELECT set_config('role', 'postgres', false)",
    "SELECT query_to_xml('SELECT 1', true, true, '')",
    "EXPLAIN ANALYZE SELECT * FROM models",
    "EXPLAIN (ANALYZE) SELECT * FROM models",
    "SELECT * INTO TEMP stolen FROM models",
    "SELECT pg_advisory_lock(1)",
    "SET ROLE postgres",
    "RESET ROLE",
]
SQLITE_ACTIONS = [
    "SELECT load_extension('/tmp/evil.so')",
    "SELECT fts3_tokenizer('simple')",
    "SELECT readfile('/etc/hostname')",
    "SELECT writefile('{marker}', 'x')",
    "SELECT length(randomblob(1000000000))",
    "SELECT length(zeroblob(1000000000))",
    "PRAGMA writable_schema = ON",
    "EXPLAIN ANALYZE SELECT 1",
]


@pytest.mark.parametrize("sql", POSTGRES_ACTIONS if ON_POSTGRES else SQLITE_ACTIONS)
def test_statements_that_act_or_leak_are_refused_and_change_nothing(sql, db, config, capsys, tmp_path):
    marker = tmp_path / "ran"
    before = table_counts(db)
    code, out, err = query(config, capsys, sql.format(marker=marker))
    assert code == 2 and out == "", (sql, out)
    assert err.startswith("tracker: error: ") and len(err.strip().splitlines()) == 1
    assert "refused" in err or "cannot run" in err, err
    assert not marker.exists()
    assert table_counts(db) == before


def test_subscribers_and_deliveries_need_admin(db, config, capsys):
    for sql in (
        "SELECT email FROM subscribers",
        "SELECT count(*) FROM deliveries",
        "WITH s AS (SELECT * FROM subscribers) SELECT email FROM s",
        "SELECT key FROM models UNION SELECT email FROM subscribers",
    ):
        code, out, err = query(config, capsys, sql)
        assert code == 2 and "reader@example.org" not in out, sql
        assert "--admin" in err, (sql, err)
    code, out, _ = query(config, capsys, "SELECT email FROM subscribers", "--admin", "--json")
    assert code == 0 and "reader@example.org" in out


def test_the_reading_identity_cannot_read_subscribers_even_by_a_way_the_parser_cannot_see(db, db_url):
    """Postgres: the analyst role itself has no SELECT on subscribers; SQLite: the authorizer refuses the read."""
    if not ON_POSTGRES:
        with db.begin() as conn:
            conn.exec_driver_sql("CREATE VIEW innocent AS SELECT email FROM subscribers")
        with pytest.raises(ReadOnlyQueryError, match="reading subscribers without --admin"):
            run_query(db_url, "SELECT * FROM innocent")
        assert run_query(db_url, "SELECT * FROM innocent", admin=True).rows == [("reader@example.org",)]
        return

    conninfo = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"SET ROLE {ANALYST_ROLE}")
        assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM current_models").fetchone() is not None
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT email FROM subscribers")
        conn.rollback()
        conn.execute(f"SET ROLE {ANALYST_ROLE}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM models")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT key FROM models",
        "WITH m AS (SELECT key FROM models) SELECT key FROM m",
        "VALUES (1, 'a')",
        "EXPLAIN SELECT key FROM models",
        "SELECT key FROM models UNION SELECT vendor FROM models",
    ],
)
def test_reads_are_allowed(sql, db, config, capsys):
    code, out, err = query(config, capsys, sql)
    assert code == 0, err
    assert out


def test_a_runaway_statement_is_stopped(db, config, capsys):
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    code, _, err = query(config, capsys, endless, "--timeout", "1")
    assert code == 2 and "longer than 1 s" in err


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        ("SELECT 1", False),
        ("select * from models where name like '%;%'", False),
        ("SELECT 1; SELECT 2", True),
        ("CHECKPOINT", True),
        ("NOTIFY x", True),
        ("TABLE models", False),
        ("SELECT * FROM models FOR SHARE", True),
        ("WITH x AS (UPDATE models SET name = 'a' RETURNING id) SELECT * FROM x", True),
        ("SELECT (SELECT lo_export(1, '/tmp/x'))", True),
        ("EXPLAIN QUERY PLAN SELECT 1", False),
        ("EXPLAIN VERBOSE SELECT 1", False),
        ("EXPLAIN DELETE FROM models", True),
    ],
)
def test_the_allow_list_reads_the_statement(sql, refused):
    try:
        check_statement(sql, "postgresql")
    except Exception:
        assert refused, sql
    else:
        assert not refused, sql
