"""A record the database refuses is set aside alone: the rest of the batch is stored, nothing is delisted."""

import dataclasses
import datetime as dt

from sqlalchemy import select

from tracker.normalize.openrouter import snapshot_from_payload
from tracker.sources.pipelines.openrouter import store_listing
from tracker.store.runs import start_run
from tracker.store.tables import CrawlError, OpenRouterListing, Run

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def entry(model_id: str) -> dict:
    return {
        "id": model_id,
        "name": model_id,
        "context_length": 8192,
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
    }


def test_a_record_the_database_refuses_is_a_rejection_and_the_batch_survives(db_url, sessions):
    ids = [f"vendor/model-{i}" for i in range(12)]
    assert store_listing(sessions, None, snapshot_from_payload({"data": [entry(i) for i in ids]}, observed_at=NOW), [])
    later = NOW + dt.timedelta(hours=1)
    snapshot = snapshot_from_payload({"data": [entry(i) for i in ids[:-1]]}, observed_at=later)  # one absent
    # past normalization by construction: beyond every integer column type of both databases
    snapshot.models[3] = dataclasses.replace(snapshot.models[3], context_length=2**64, name="changed")
    snapshot.models[7] = dataclasses.replace(snapshot.models[7], context_length=2**65, name="changed")
    with sessions.begin() as session:
        run_id = start_run(session, job="crawl", source="openrouter", trigger="test").id
    summary = store_listing(sessions, run_id, snapshot, [])
    assert summary.status == "partial" and not summary.complete
    assert summary.delisted == 0
    with sessions() as session:
        errors = session.execute(select(CrawlError.subject, CrawlError.reason).where(CrawlError.run_id == run_id))
        assert sorted(errors) == [("vendor/model-3", "storage-error"), ("vendor/model-7", "storage-error")]
        listings = {row.id: row for row in session.scalars(select(OpenRouterListing))}
        assert all(listing.status == "listed" for listing in listings.values())  # model-11 not delisted
        assert listings["vendor/model-3"].context_length == 8192  # the refused record kept its stored state
        assert session.get(Run, run_id).status == "partial"


def test_a_hub_repo_the_database_refuses_is_set_aside_and_its_organisation_removes_nothing(
    db_url, sessions, monkeypatch
):
    from helpers.corpus import hub_detail

    import tracker.sources.pipelines.huggingface as hub_pipeline
    from tracker.normalize.hfcard import parse_card
    from tracker.normalize.huggingface import CardOutcome, listing_entry, normalize_detail
    from tracker.normalize.params import ParamCount
    from tracker.sources.items import Provenance
    from tracker.store.tables.huggingface import HfRepo

    ids = [f"org/repo-{i}" for i in range(6)]
    real_build_facts = hub_pipeline.build_facts

    def state_for(repo_ids):
        state = hub_pipeline.HubCrawlState(first_fetch=NOW)
        for repo_id in repo_ids:
            raw = hub_detail(repo_id)
            url = f"http://hub.test/api/models/{repo_id}"
            state.listed[repo_id] = listing_entry(raw, watched=True)
            state.details[repo_id] = (normalize_detail(raw), Provenance("huggingface", url, NOW, 200, "x"), True)
            card = parse_card(b"---\nlicense: apache-2.0\n---\n# card", max_bytes=10_000)
            state.cards[repo_id.lower()] = (CardOutcome.from_card(card), url)
        state.ends["org"] = (True, len(repo_ids), None)
        return state

    first = hub_pipeline.store_hub_crawl(
        sessions, None, state_for(ids), base_url="http://hub.test", watched_orgs=("org",)
    )
    assert first.status == "success"

    def build_facts(detail, outcome):
        facts = real_build_facts(detail, outcome)
        if detail.id == "org/repo-2":  # past normalization by construction: beyond 64 bits
            return dataclasses.replace(facts, params=ParamCount(2**64, "safetensors", None, None), sha="5" * 40)
        return facts

    monkeypatch.setattr(hub_pipeline, "build_facts", build_facts)
    with sessions.begin() as session:
        run_id = start_run(session, job="crawl", source="huggingface", trigger="test").id
    summary = hub_pipeline.store_hub_crawl(
        sessions, run_id, state_for(ids[:-1]), base_url="http://hub.test", watched_orgs=("org",)
    )  # repo-5 absent from the listing
    assert summary.status == "partial" and not summary.complete
    assert summary.delisted == 0
    with sessions() as session:
        errors = session.execute(select(CrawlError.subject, CrawlError.reason).where(CrawlError.run_id == run_id))
        assert sorted(errors) == [("org/repo-2", "storage-error")]
        assert {r.id: r.status for r in session.scalars(select(HfRepo))} == {i: "listed" for i in ids}
