import datetime as dt
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text

from tracker.cli import main
from tracker.store import db as store_db
from tracker.store.base import Base
from tracker.store.db import HEAD_REVISION, current_revision, ensure_schema, head_revision, make_engine
from tracker.store.tables import Model, Price


# SQLite cannot reflect the expression indexes (``lower(...)``, migration 0019): Alembic skips them there and
# compares them on Postgres
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_a_current_database_is_recognised_without_alembic_and_an_empty_one_is_migrated(
    engine, db_url, tmp_path, monkeypatch
):
    """Commands check the schema on start-up by one query against the newest revision they know."""
    assert head_revision() == HEAD_REVISION  # a new migration must move HEAD_REVISION too
    ran: list[str] = []
    real = store_db.upgrade
    monkeypatch.setattr(store_db, "upgrade", lambda eng, revision="head": ran.append(revision) or real(eng, revision))
    ensure_schema(engine)  # the test database is current
    assert ran == []
    fresh = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    ensure_schema(fresh)
    assert ran == ["head"] and current_revision(fresh) == HEAD_REVISION
    fresh.dispose()


def test_tracker_init_creates_the_schema_with_alembic(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    assert main(["init"]) == 0
    assert "upgraded" in capsys.readouterr().out
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    engine.dispose()
    assert {"models", "prices", "events", "observations", "alembic_version"} <= tables
    assert main(["init"]) == 0
    assert "current" in capsys.readouterr().out


def test_money_is_exact_and_times_are_utc(sessions):
    now = dt.datetime(2026, 3, 17, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with sessions.begin() as session:
        model_id = session.execute(
            insert(Model).returning(Model.id),
            [
                {
                    "key": "x/y",
                    "vendor": "x",
                    "first_seen_at": now,
                    "updated_at": now,
                    "is_derivative": False,
                    "open_weight_status": "unknown",
                }
            ],
        ).scalar_one()
        session.add(
            Price(
                source="t",
                subject="x/y",
                model_id=model_id,
                component="prompt",
                tier="",
                status="priced",
                usd_per_mtok=Decimal("0.0000000123456789"),
                unit="mtok",
                first_seen_at=now,
            )
        )
    with sessions() as session:
        price = session.scalars(select(Price)).one()
        assert price.usd_per_mtok == Decimal("0.0000000123456789")
        assert price.first_seen_at == dt.datetime(2026, 3, 17, 4, tzinfo=dt.UTC)
        assert price.first_seen_at.tzinfo is not None


def test_naive_datetimes_and_floats_are_refused(sessions):
    with pytest.raises(Exception, match="naive datetime"), sessions.begin() as session:
        session.add(
            Model(
                key="a/b",
                vendor="a",
                first_seen_at=dt.datetime(2026, 1, 1),
                updated_at=dt.datetime(2026, 1, 1),
                open_weight_status="unknown",
            )
        )
    with pytest.raises(Exception, match="never float"), sessions.begin() as session:
        session.add(
            Price(
                source="t",
                subject="a",
                component="prompt",
                tier="",
                status="priced",
                usd_per_mtok=0.1,
                unit="mtok",
                first_seen_at=dt.datetime.now(dt.UTC),
            )
        )


HUB_CHUNK_INDEXES = {
    "ix_hf_repos_card_document_id",
    "ix_hf_repos_base_model_lower",
    "ix_crosswalk_namespace_external_id_lower",
    "ix_models_awaiting_weights",
}


def _index_names(engine) -> set[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text(query))}


def test_the_hub_chunk_indexes_migrate_down_and_up_again(engine):
    from alembic import command

    assert _index_names(engine) >= HUB_CHUNK_INDEXES
    command.downgrade(store_db.alembic_config(engine), "0018")
    assert current_revision(engine) == "0018" and not HUB_CHUNK_INDEXES & _index_names(engine)
    store_db.upgrade(engine)
    assert current_revision(engine) == HEAD_REVISION and _index_names(engine) >= HUB_CHUNK_INDEXES
