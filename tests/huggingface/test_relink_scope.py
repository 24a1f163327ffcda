"""A chunked Hub crawl re-links, after its first chunk, only the claims stored since and those whose mention has a
name the index gained: chunk by chunk, the claims end up linked exactly as when every stored claim is read."""

from __future__ import annotations

import json

from helpers import hub_chunks
from helpers.hub_chunks import chunk_state, vendor_post
from sqlalchemy import select

import tracker.update.ledger as ledger_step
import tracker.update.relink as relink_step
from tracker.sources.pipelines import huggingface as pipeline
from tracker.store.tables import Claim, Dispute, Model

#: Repos in crawl order; chunks of two. ``Zeta-9B`` comes twice (two organisations): linked, then ambiguous.
REPOS = [
    "scope-org/Alpha-3B",
    "scope-org/Beta-4B",
    "scope-org/Gamma-5B",
    "scope-org/Zeta-9B",
    "other-org/Delta-6B",
    "other-org/Zeta-9B",
    "scope-org/Epsilon-8B",
]
MENTIONS = ["Gamma 5B", "Zeta-9B", "Delta-6B", "Omega-1B", "epsilon_8b"]


def post(session) -> None:
    """A vendor post read before the crawl, naming models the crawl adds in later chunks (and one it never does)."""
    vendor_post(session, "https://scope.test/post", "scope-org", MENTIONS, [f"{i + 1}e9" for i in range(len(MENTIONS))])


def links(sessions) -> list[tuple]:
    """Every claim's link, by content (model keys, not ids), and the disputes."""
    with sessions() as session:
        keys = dict(session.execute(select(Model.id, Model.key)).all())
        rows = session.execute(
            select(
                Claim.url,
                Claim.mention,
                Claim.attribute,
                Claim.value,
                Claim.reporter,
                Claim.model_id,
                Claim.status,
                Claim.extra,
            )
        )
        out = [
            (url, mention, attribute, value, reporter, keys.get(model_id), status, json.dumps(extra, sort_keys=True))
            for url, mention, attribute, value, reporter, model_id, status, extra in rows
        ]
        disputes = [
            (keys.get(m), a, s)
            for m, a, s in session.execute(select(Dispute.model_id, Dispute.attribute, Dispute.status))
        ]
    return sorted(out, key=repr) + sorted(disputes, key=repr)


def crawl(sessions, reads: list[int]) -> list[list[tuple]]:
    """Store the repos two a chunk into a database holding the post; the links after each chunk."""
    with sessions.begin() as session:
        post(session)
    state = pipeline.HubCrawlState(first_fetch=hub_chunks.NOW)
    after = []
    for start in range(0, len(REPOS), 2):
        part = chunk_state(REPOS[start : start + 2])
        state.details.update(part.details)
        state.cards.update(part.cards)
        pipeline.store_chunk(sessions, None, state, base_url="http://hub.test")
        assert state.store_error is None
        after.append(links(sessions))
    return after


def wipe(engine) -> None:
    for table in reversed(Claim.metadata.sorted_tables):
        with engine.begin() as conn:
            conn.execute(table.delete())


def test_a_chunked_crawl_relinks_what_can_move_as_reading_every_claim_would(sessions, engine, monkeypatch):
    real = relink_step.relink_claims
    reads: list[int] = []

    def counted(session, index=None, scope=None):
        incremental = scope is not None and scope.through_claim is not None
        reads.append(1 if incremental else 0)
        return real(session, index, scope)

    monkeypatch.setattr(ledger_step, "relink_claims", counted)
    scoped = crawl(sessions, reads)
    if engine.dialect.name == "sqlite":
        # the first re-link reads every claim, the others their scope
        assert reads[0] == 0 and sum(reads) == len(reads) - 1
    else:  # several writers: a claim may be committed below the scope by another crawl, so every re-link reads all
        assert reads and sum(reads) == 0

    wipe(engine)
    monkeypatch.setattr(ledger_step, "relink_claims", lambda session, index=None, scope=None: real(session, index))
    every = crawl(sessions, [])
    assert scoped == every

    final = {row[1]: row for row in scoped[-1] if len(row) == 8 and row[0] == "https://scope.test/post"}
    assert final["Gamma 5B"][5] is not None and final["epsilon_8b"][5] is not None
    assert final["Zeta-9B"][5] is None and "ambiguous" in final["Zeta-9B"][7]  # linked after chunk 2, then two fit
    # the candidates by key: the crawl's index read the keys of the two models once they shared the name
    assert json.loads(final["Zeta-9B"][7])["candidates"] == ["scope-org/zeta-9b", "other-org/zeta-9b"]
    assert final["Omega-1B"][5] is None and final["Omega-1B"][6] == "unresolved"
    second = {row[1]: row for row in scoped[1] if len(row) == 8 and row[0] == "https://scope.test/post"}
    assert second["Zeta-9B"][5] is not None  # one Zeta-9B known after the second chunk


def test_a_scope_left_by_a_rolled_back_chunk_is_read_again_in_full(sessions):
    from tracker.update.documents import NameIndexCache

    with sessions.begin() as session:
        post(session)
    cache = NameIndexCache()
    with sessions.begin() as session:
        index = cache.current(session)
        relink_step.relink_claims(session, index, cache.scope)
    assert cache.scope.through_claim is not None and cache.scope.by_form
    cache.reset()
    assert cache.scope.through_claim is None and not cache.scope.by_form and not cache.scope.changed


def test_the_crawls_index_resolves_as_one_built_from_the_database(sessions):
    """The crawl's index holds only the keys linking reads (those of models sharing a name), extended chunk by
    chunk: every name resolves, candidates and keys included, as in an index built afresh with every key."""
    from tracker.claims.linking import build_index
    from tracker.update.documents import NameIndexCache

    with sessions.begin() as session:
        post(session)
    state = pipeline.HubCrawlState(first_fetch=hub_chunks.NOW)
    assert isinstance(state.names, NameIndexCache)  # built at the first chunk, then extended chunk by chunk
    for start in range(0, len(REPOS), 2):
        part = chunk_state(REPOS[start : start + 2])
        state.details.update(part.details)
        state.cards.update(part.cards)
        pipeline.store_chunk(sessions, None, state, base_url="http://hub.test")
    with sessions() as session:
        crawled = state.names.current(session)
        full = build_index(session)
    assert len(crawled.keys) < len(full.keys)  # not a key a repo
    for form in full.names:
        got, want = crawled.resolve(form), full.resolve(form)
        assert got == want
        assert [crawled.keys.get(c) for c in got.candidates] == [full.keys[c] for c in want.candidates]
    assert any(full.resolve(form).candidates for form in full.names)  # an ambiguous name among them
