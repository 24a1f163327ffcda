"""A Hub chunk's card claims are extracted before its transaction; what it stores is the same as reading
the stored card inside it, even when the text extracted beforehand is not the text stored."""

from __future__ import annotations

from helpers.hub_chunks import chunk_state
from sqlalchemy import select

import tracker.update.huggingface as hub_update
from tracker.sources.pipelines import huggingface as pipeline
from tracker.store.tables import Claim


def stored_claims(sessions) -> list[tuple]:
    with sessions() as session:
        rows = session.execute(
            select(Claim.mention, Claim.attribute, Claim.qualifier, Claim.value, Claim.reporter, Claim.quote)
        )
        return sorted(tuple(row) for row in rows)


def test_claims_extracted_before_the_transaction_are_those_read_inside_it(sessions, engine, monkeypatch):
    state = chunk_state([f"chunk-org/Chunk-{i}-{i + 3}B" for i in range(4)])
    pipeline.store_chunk(sessions, None, state, base_url="http://hub.test")
    assert state.store_error is None and state.chunks == 1
    before = stored_claims(sessions)
    assert any(attribute == "params_total" and reporter != "primary" for _m, attribute, _q, _v, reporter, _t in before)
    assert any(attribute == "context_length" for _m, attribute, *_rest in before)

    # the same chunk again into an empty database, every extraction made beforehand stale: read inside instead
    from tracker.store.db import make_sessionmaker

    for table in reversed(Claim.metadata.sorted_tables):
        with engine.begin() as conn:
            conn.execute(table.delete())
    real = hub_update.extract_cards

    def stale(records, *, skip=()):
        return {key: hub_update.CardExtraction(text="an older text", claims=()) for key in real(records, skip=skip)}

    monkeypatch.setattr(hub_update, "extract_cards", stale)
    state = chunk_state([f"chunk-org/Chunk-{i}-{i + 3}B" for i in range(4)])
    pipeline.store_chunk(make_sessionmaker(engine), None, state, base_url="http://hub.test")
    assert state.store_error is None
    assert stored_claims(sessions) == before
