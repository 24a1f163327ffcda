"""The fast paths of the OpenRouter crawl give what the plain ones gave.

* the spider's one-pass split of the body (msgspec) hands on the very entries and top-level fields that
  decoding the whole body with :func:`json.loads` gives, and leaves any other body to the earlier readers;
* the normalizer's shared price objects are told apart by the raw value's type;
* rows written as converted tuples (:class:`tracker.store.bulk.TupleRows`) and read by key lists
  (:func:`tracker.store.bulk.select_in`) are the rows :func:`insert_rows` and an ORM query give.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.normalize.pricing import price_value
from tracker.sources.spiders.openrouter import split_listing
from tracker.store.bulk import TupleRows, insert_rows, select_in
from tracker.store.tables import Crosswalk, Model, Price

ENTRY = {"id": "acme/model-1", "pricing": {"prompt": "0.000001", "completion": "0.000002"}, "name": "Model 1"}

BODIES = [
    {"data": [ENTRY]},
    {"data": [ENTRY, {**ENTRY, "id": "acme/model-2"}], "total_count": 2, "links": {"next": "/models?page=2"}},
    {"data": [ENTRY], "total_count": None, "links": {}},
    {"data": [ENTRY], "total_count": "1", "links": []},
    {"data": [ENTRY], "total_count": 2**64, "links": {"next": None}},
    {"data": [{**ENTRY, "context_length": 2**64}, {**ENTRY, "context_length": 10**19}, {**ENTRY, "created": 1.5}]},
    {"data": [{**ENTRY, "name": "é \u202e \x00 \U0001f600"}, 7, "text", None, [1, 2]]},
]


def _pages(listing) -> list:
    return [entry for page in listing.pages(2) for entry in page]


@pytest.mark.parametrize("payload", BODIES)
def test_the_split_gives_what_decoding_the_whole_body_gives(payload):
    body = json.dumps(payload).encode()
    listing = split_listing(body)
    assert listing is not None
    expected = json.loads(body)
    assert _pages(listing) == expected["data"]
    assert [type(v) for e in _pages(listing) if isinstance(e, dict) for v in e.values()] == [
        type(v) for e in expected["data"] if isinstance(e, dict) for v in e.values()
    ]
    if "total_count" in expected:
        assert listing.meta["total_count"] == expected["total_count"]
        assert type(listing.meta["total_count"]) is type(expected["total_count"])
    else:
        assert "total_count" not in listing.meta
    links = expected.get("links")
    assert listing.meta.get("links") == (links if isinstance(links, dict) and links else None)


def test_entries_beyond_strict_json_values_are_decoded_as_before():
    out_of_range = b'{"data": [{"id": "acme/a", "context_length": 1e400}]}'  # split, then decoded by json
    listing = split_listing(out_of_range)
    assert listing is not None
    assert _pages(listing) == json.loads(out_of_range)["data"]
    assert split_listing(b'{"data": [{"id": "acme/a", "name": "\\ud800"}]}') is None  # a lone surrogate: as before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'{"data": []}',
        b'{"data": {}}',
        b'{"error": {"message": "no"}}',
        b'{"data": [1,',
        b'{"data": [1]} x',
    ],
)
def test_other_bodies_are_left_to_the_earlier_readers(body):
    assert split_listing(body) is None


def test_equal_prices_are_one_object_unless_their_raw_values_differ_in_type():
    assert price_value("prompt", "0.000001") is price_value("prompt", "0.000001")
    assert price_value("prompt", "0.000001", tier="prompt>=1", min_prompt_tokens=1) is not price_value(
        "prompt", "0.000001"
    )
    one, one_float = price_value("request", 1), price_value("request", 1.0)
    assert (one.raw, one_float.raw) == ("1", "1.0")
    with pytest.raises(Exception, match="unparsable"):
        price_value("request", True)


SEEN = dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)
OTHER_ZONE = dt.datetime(2026, 3, 17, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def _price(subject: str, amount: Decimal | None, seen: dt.datetime, extra: dict | None) -> dict:
    return {
        "source": "openrouter",
        "subject": subject,
        "model_id": None,
        "provider": None,
        "component": "prompt",
        "tier": "",
        "min_prompt_tokens": None,
        "status": "priced" if amount is not None else "unknown",
        "usd_per_mtok": amount,
        "usd_per_unit": None,
        "unit": "mtok",
        "raw": None,
        "first_seen_at": seen,
        "last_seen_at": None,
        "url": None,
        "observation_id": None,
        "extra": extra,
    }


def test_tuple_rows_store_what_insert_rows_stores(sessions):
    rows = [
        _price("a", Decimal("1.20"), SEEN, None),
        _price("b", Decimal("1.2"), OTHER_ZONE, {"k": [1]}),
        _price("c", None, SEEN, {"k": [1]}),
        _price("d", Decimal("0.000001"), OTHER_ZONE, None),
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
        insert_rows(
            session,
            Model.__table__,
            [
                {
                    "key": k,
                    "vendor": "acme",
                    "name": None,
                    "first_seen_at": SEEN,
                    "updated_at": SEEN,
                    "is_derivative": False,
                    "open_weight_status": "unknown",
                }
                for k in keys
            ],
        )
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
