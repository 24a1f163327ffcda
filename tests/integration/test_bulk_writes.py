"""The bulk writers (raw ``executemany`` on SQLite, tuple rows) store exactly what the ORM would, and keyed
reads read what an ORM query reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from tracker.store.bulk import TupleRows, insert_returning, insert_rows, select_in, update_rows
from tracker.store.tables import Crosswalk, Model, Price

SEEN = dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 3, 18, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def _row(subject: str, price: Decimal | None, seen: dt.datetime, extra: dict | None) -> dict:
    return {
        "source": "openrouter",
        "subject": subject,
        "model_id": None,
        "provider": None,
        "component": "prompt",
        "tier": "",
        "min_prompt_tokens": None,
        "status": "priced" if price is not None else "unknown",
        "usd_per_mtok": price,
        "usd_per_unit": None,
        "unit": "mtok",
        "raw": None,
        "first_seen_at": seen,
        "last_seen_at": None,
        "url": None,
        "observation_id": None,
        "extra": extra,
    }


def test_shared_and_alternating_values_are_stored_exactly(sessions):
    shared_price = Decimal("1.20")
    shared_extra = {"note": "same object"}
    rows = [
        # the same objects row after row (a crawl's time, a cached price), then different ones
        _row("a/one", shared_price, SEEN, shared_extra),
        _row("a/two", shared_price, SEEN, shared_extra),
        _row("a/three", Decimal("0.78"), LATER, None),
        _row("a/four", None, SEEN, {"note": "other"}),
        _row("a/five", shared_price, LATER, shared_extra),
    ]
    with sessions() as session:
        insert_rows(session, Price.__table__, rows)
        session.commit()
        stored = {p.subject: p for p in session.scalars(select(Price))}
        prices = [stored[s].usd_per_mtok for s in ("a/one", "a/two", "a/three", "a/five")]
        assert prices == [Decimal("1.2"), Decimal("1.2"), Decimal("0.78"), Decimal("1.2")]
        assert all(isinstance(p, Decimal) for p in prices)
        assert stored["a/four"].usd_per_mtok is None and stored["a/four"].status == "unknown"
        assert stored["a/three"].first_seen_at == LATER.astimezone(dt.UTC)
        assert stored["a/five"].first_seen_at == dt.datetime(2026, 3, 18, 7, 30, tzinfo=dt.UTC)
        assert stored["a/one"].first_seen_at == SEEN
        assert stored["a/two"].extra == {"note": "same object"} and stored["a/four"].extra == {"note": "other"}
        assert stored["a/three"].extra is None

        ids = [stored["a/one"].id, stored["a/three"].id, stored["a/four"].id]
        update_rows(session, Price.__table__, [{"id": i, "last_seen_at": LATER} for i in ids])
        session.commit()
        session.expire_all()
        closed = {p.subject: p.last_seen_at for p in session.scalars(select(Price))}
        assert closed == {
            "a/one": LATER.astimezone(dt.UTC),
            "a/two": None,
            "a/three": LATER.astimezone(dt.UTC),
            "a/four": LATER.astimezone(dt.UTC),
            "a/five": None,
        }


def test_tuple_rows_store_what_insert_rows_stores(sessions):
    rows = [
        _row("a", Decimal("1.20"), SEEN, None),
        _row("b", Decimal("1.2"), LATER, {"k": [1]}),
        _row("c", None, SEEN, {"k": [1]}),
        _row("d", Decimal("0.000001"), LATER, None),
    ]
    names = list(rows[0])
    with sessions.begin() as session:
        insert_rows(session, Price.__table__, rows)
        out = TupleRows(session, Price.__table__, names)
        converters = [out.converter(n, memo=n != "extra") for n in names]
        out.insert([tuple(c(row[n]) for c, n in zip(converters, names, strict=True)) for row in rows])
    with sessions() as session:
        stored = session.execute(select(Price).order_by(Price.id)).scalars().all()
        columns = [n for n in names if n != "id"]
        first, second = stored[: len(rows)], stored[len(rows) :]
        assert [[getattr(p, n) for n in columns] for p in first] == [[getattr(p, n) for n in columns] for p in second]


def test_select_in_reads_what_an_orm_query_reads(sessions):
    with sessions.begin() as session:
        keys = [f"acme/m{i}" for i in range(1200)]
        insert_rows(session, Model.__table__, [_model(k) for k in keys])
        session.add(Model(key="acme/pending", vendor="acme", first_seen_at=SEEN, updated_at=SEEN))  # flushed first
        wanted = [*keys[::3], "acme/pending", "acme/missing"]
        got = {row.key: row.id for row in select_in(session, Model.__table__, ["id", "key"], "key", wanted)}
        orm = dict(session.execute(select(Model.key, Model.id).where(Model.key.in_(wanted))).all())
        assert got == orm and len(got) == len(wanted) - 1
        model_id = orm["acme/m0"]
        session.add(
            Crosswalk(
                model_id=model_id, namespace="openrouter", external_id="acme/m0", method="exact-id", created_at=SEEN
            )
        )
        session.flush()
        found = select_in(
            session,
            Crosswalk.__table__,
            ["namespace", "external_id"],
            "external_id",
            ["acme/m0", "acme/m1"],
            where={"namespace": "openrouter"},
        )
        assert [tuple(row) for row in found] == [("openrouter", "acme/m0")]
        assert (
            select_in(session, Crosswalk.__table__, ["id"], "external_id", ["acme/m0"], where={"namespace": "x"}) == []
        )


def _model(key: str, **extra: object) -> dict:
    return {
        "key": key,
        "vendor": "acme",
        "name": None,
        "first_seen_at": SEEN,
        "updated_at": SEEN,
        "is_derivative": False,
        "open_weight_status": "unknown",
        **extra,
    }


def test_insert_returning_gives_each_row_its_stored_id(sessions):
    with sessions.begin() as session:
        first = insert_returning(session, Model.__table__, [_model(f"acme/a{i}") for i in range(5)], "key")
        session.execute(Model.__table__.delete().where(Model.__table__.c.key.in_(["acme/a4", "acme/a1"])))
        # the largest id is gone: the next rows start from the largest left, as the database numbers them
        second = insert_returning(session, Model.__table__, [_model(f"acme/b{i}") for i in range(3)], "key")
        # ids given by the rows, out of order: read back, not assumed
        given = insert_returning(
            session, Model.__table__, [_model("acme/c0", id=101), _model("acme/c1", id=100)], "key"
        )
        out = TupleRows(
            session,
            Model.__table__,
            ["key", "vendor", "first_seen_at", "updated_at", "is_derivative", "open_weight_status"],
        )
        seen = out.convert("first_seen_at", SEEN)
        tuples = out.insert_returning([(f"acme/d{i}", "acme", seen, seen, False, "unknown") for i in range(4)], "key")
    with sessions() as session:
        stored = {key: model_id for key, model_id in session.execute(select(Model.key, Model.id))}
    returned = {**first, **second, **given, **tuples}
    assert {k: v for k, v in returned.items() if k in stored} == stored
    assert given == {"acme/c0": 101, "acme/c1": 100}
    assert len(set(second.values()) | set(tuples.values())) == 7
