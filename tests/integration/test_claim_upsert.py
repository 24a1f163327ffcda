"""One typed claim, one hash recipe, one upsert: what a re-crawl does to stored claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.store.claims import ClaimRecord, api_identity, claim_hash, document_identity, repo_identity, upsert
from tracker.store.db import session_scope
from tracker.store.tables import Claim, Document, Model

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("identity", "stored_hash"),
    [
        (
            document_identity("https://acme.example/post", "rocket7b", "context_length", "", "131072"),
            "v1:cf27f1501750b32a2554d1fac7ff2470193c0a37a64a2c71d7b26fbb9fe67483",
        ),
        (
            repo_identity("huggingface", "acme/Rocket-7B", "context_length", "", "131072", "primary"),
            "v1:112061e82fc80a0ab3c171c3b3d87f58edbae1864e0d7b18cb51ae42a0e61aee",
        ),
        (
            api_identity("openrouter", "acme/rocket-7b", "context_length", ""),
            "v1:97afefd8845bf43ed865c14640fbc3673e2f98c2d3e5d4c4ea5426e192f7a07f",
        ),
    ],
)
def test_the_hash_of_each_identity_is_the_one_already_stored(identity, stored_hash):
    """Stored claims are found again by these hashes (the three recipes before there was one):
    changing them would duplicate every stored claim on the next crawl."""
    assert claim_hash(identity) == stored_hash
    assert record(identity, "131072").claim_hash == stored_hash


def record(identity, value: str, **fields) -> ClaimRecord:
    values = {
        "model_id": None,
        "mention": "Rocket 7B",
        "attribute": "context_length",
        "qualifier": "",
        "value": value,
        "value_num": Decimal(value),
        "unit": "tokens",
        "reporter": "vendor",
        "source": "acme",
        "url": "https://acme.example/post",
        "fetched_at": T0,
        "created_at": T0,
    }
    return ClaimRecord(identity=identity, **(values | fields))


@pytest.fixture
def ids(sessions):
    with session_scope(sessions) as session:
        model = Model(
            key="acme/rocket-7b", vendor="acme", first_seen_at=T0, open_weight_status="unknown", updated_at=T0
        )
        doc = Document(url="https://acme.example/post", kind="vendor", fetched_at=LATER, content_hash="v1:x", text="t")
        session.add_all([model, doc])
        session.flush()
        return {"model": model.id, "document": doc.id}


def stored(sessions):
    with sessions() as session:
        return [
            (c.value, c.model_id, c.document_id, c.fetched_at, (c.extra or {}).get("superseded_at"))
            for c in session.scalars(select(Claim).order_by(Claim.id))
        ]


def test_a_claim_said_again_is_confirmed_and_takes_the_new_document_and_model(sessions, ids):
    identity = document_identity("https://acme.example/post", "rocket7b", "context_length", "", "131072")
    with session_scope(sessions) as session:
        first = upsert(session, [record(identity, "131072")])
    with session_scope(sessions) as session:
        again = upsert(
            session, [record(identity, "131072", fetched_at=LATER, model_id=ids["model"], document_id=ids["document"])]
        )
    assert (len(first.inserted), first.confirmed, len(again.inserted), again.confirmed) == (1, 0, 0, 1)
    assert stored(sessions) == [("131072", ids["model"], ids["document"], LATER, None)]
    with session_scope(sessions) as session:  # a confirmation without a model keeps the stored one
        upsert(session, [record(identity, "131072", fetched_at=LATER + dt.timedelta(days=1))])
    assert stored(sessions)[0][1] == ids["model"]


def test_a_different_statement_is_a_new_claim(sessions, ids):
    with session_scope(sessions) as session:
        for value in ("131072", "32000"):
            upsert(
                session,
                [
                    record(
                        document_identity("https://acme.example/post", "rocket7b", "context_length", "", value), value
                    )
                ],
            )
    assert [row[0] for row in stored(sessions)] == ["131072", "32000"]


def test_a_claim_that_follows_the_api_takes_the_new_value_and_writes_nothing_when_unchanged(sessions, ids):
    identity = api_identity("openrouter", "acme/rocket-7b", "context_length", "")
    follows = {"reporter": "primary", "source": "openrouter", "model_id": ids["model"], "extra": {"follows": "api"}}
    with session_scope(sessions) as session:
        upsert(session, [record(identity, "32768", **follows)])
    with session_scope(sessions) as session:
        same = upsert(session, [record(identity, "32768", **follows, fetched_at=LATER)])
        moved = upsert(session, [record(identity, "131072", **follows, fetched_at=LATER)])
    assert (same.writes, moved.updated, moved.confirmed) == (0, 1, 0)
    assert stored(sessions) == [("131072", ids["model"], None, LATER, None)]


def test_the_same_fact_from_two_sources_is_two_claims(sessions, ids):
    with session_scope(sessions) as session:
        written = upsert(
            session,
            [
                record(
                    repo_identity("huggingface", "acme/Rocket-7B", "context_length", "", "131072", "primary"), "131072"
                ),
                record(
                    document_identity("https://acme.example/post", "rocket7b", "context_length", "", "131072"), "131072"
                ),
            ],
        )
    assert len(written.inserted) == 2 and len(stored(sessions)) == 2
