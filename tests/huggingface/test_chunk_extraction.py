"""A Hub chunk's card claims are extracted before its transaction; what it stores is the same as reading
the stored card inside it, even when the text extracted beforehand is not the text stored."""

from __future__ import annotations

import datetime as dt

from helpers.corpus import hub_detail
from sqlalchemy import select

import tracker.update.huggingface as hub_update
from tracker.normalize.hfcard import parse_card
from tracker.normalize.huggingface import CardOutcome, normalize_detail
from tracker.sources.items import Provenance
from tracker.sources.pipelines import huggingface as pipeline
from tracker.store.tables import Claim

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
CARD = (
    "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# {name}\n\n"
    "{name} is a language model with {size}B parameters and a context window of {context}K tokens.\n"
)


def chunk_state(count: int) -> pipeline.HubCrawlState:
    state = pipeline.HubCrawlState(first_fetch=NOW)
    for i in range(count):
        repo = f"chunk-org/Chunk-{i}-{i + 3}B"
        detail = normalize_detail(hub_detail(repo, sha=f"{i:040x}", cardData={"license": "apache-2.0"}))
        card = CARD.format(name=repo.split("/")[1], size=i + 3, context=8 * (i + 1)).encode()
        provenance = Provenance("huggingface", f"http://hub.test/api/models/{repo}", NOW, 200, "sha256:x")
        state.details[repo.lower()] = (detail, provenance, True)
        state.cards[repo.lower()] = (
            CardOutcome.from_card(parse_card(card, max_bytes=1 << 20)),
            f"http://hub.test/{repo}/raw/main/README.md",
        )
    return state


def stored_claims(sessions) -> list[tuple]:
    with sessions() as session:
        rows = session.execute(
            select(Claim.mention, Claim.attribute, Claim.qualifier, Claim.value, Claim.reporter, Claim.quote)
        )
        return sorted(tuple(row) for row in rows)


def test_claims_extracted_before_the_transaction_are_those_read_inside_it(sessions, engine, monkeypatch):
    state = chunk_state(4)
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
    state = chunk_state(4)
    pipeline.store_chunk(make_sessionmaker(engine), None, state, base_url="http://hub.test")
    assert state.store_error is None
    assert stored_claims(sessions) == before
