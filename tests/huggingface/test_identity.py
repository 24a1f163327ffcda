"""One model across sources, whatever the order of the crawls."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers.corpus import hub_detail, serve_openrouter, snapshot
from helpers.db import data_counts
from helpers.server import Reply
from sqlalchemy import select

from tracker.normalize import identity
from tracker.normalize.hfcard import parse_card
from tracker.normalize.huggingface import (
    CardOutcome,
    build_facts,
    card_url,
    detail_url,
    listing_entry,
    normalize_detail,
)
from tracker.normalize.openrouter import snapshot_from_payload
from tracker.sources.pipelines.openrouter import store_listing
from tracker.sources.runner import run_crawl
from tracker.store.db import session_scope
from tracker.store.events import list_events
from tracker.store.ingest_huggingface import FetchInfo, HubBatch, RepoRecord
from tracker.store.tables import Claim, Crosswalk, Model, OpenRouterListing
from tracker.store.tables.huggingface import HfRepo
from tracker.update.huggingface import apply_hub

#: OpenRouter model ↔ Hub repo pairs in the 2026-08-22 snapshot and the recorded Hub
LINKED = {
    "openai/gpt-oss-120b": ("openai/gpt-oss-120b", "declared-hf-id"),
    "openai/gpt-oss-20b": ("openai/gpt-oss-20b", "declared-hf-id"),
    "qwen/qwen3-32b": ("Qwen/Qwen3-32B", "declared-hf-id"),
    "qwen/qwen3-next-80b-a3b-instruct": ("Qwen/Qwen3-Next-80B-A3B-Instruct", "declared-hf-id"),
    "qwen/qwen-2.5-7b-instruct": ("Qwen/Qwen2.5-7B-Instruct", "declared-hf-id"),
    "meta-llama/llama-3.2-1b-instruct": ("meta-llama/Llama-3.2-1B-Instruct", "declared-hf-id"),
    # OpenRouter declares the repo's old name (Meta-Llama-3.1-8B-Instruct); the exact id links it
    "meta-llama/llama-3.1-8b-instruct": ("meta-llama/Llama-3.1-8B-Instruct", "exact-id"),
}


def state(sessions):
    with sessions() as session:
        listings = {
            row.id: row.model_id for row in session.execute(select(OpenRouterListing.id, OpenRouterListing.model_id))
        }
        repos = {row.id: row.model_id for row in session.execute(select(HfRepo.id, HfRepo.model_id))}
        models = {m.id: m for m in session.scalars(select(Model))}
        crosswalk = session.scalars(select(Crosswalk)).all()
    return listings, repos, models, crosswalk


@pytest.mark.parametrize("order", ["openrouter-first", "hub-first"])
def test_one_model_per_thing_in_either_order(corpus, server, hf_settings, all_orgs, sessions, order):
    serve_openrouter(server, snapshot(corpus, "2026-08-22"))
    hf = hf_settings(all_orgs)
    sources = ["openrouter", "huggingface"] if order == "openrouter-first" else ["huggingface", "openrouter"]
    for source in sources:
        summary = run_crawl(hf, source, trigger="test")
        assert summary.status == "success", summary.render()
    listings, repos, models, crosswalk = state(sessions)

    gpt = models[listings["openai/gpt-oss-120b"]]
    assert repos["openai/gpt-oss-120b"] == gpt.id
    assert gpt.key == "openai/gpt-oss-120b"
    assert (gpt.open_weight_status, gpt.license_key, gpt.license_class) == ("open", "Apache-2.0", "permissive")
    assert (gpt.hf_repo_id, gpt.openrouter_id, gpt.context_length) == (
        "openai/gpt-oss-120b",
        "openai/gpt-oss-120b",
        131072,
    )
    assert 115e9 < gpt.params_total < 125e9
    links = {(c.namespace, c.external_id) for c in crosswalk if c.model_id == gpt.id}
    assert {("openrouter", "openai/gpt-oss-120b"), ("huggingface", "openai/gpt-oss-120b")} <= links

    qwen_max = models[listings["qwen/qwen3-max"]]
    assert qwen_max.open_weight_status == "api-only"
    assert qwen_max.open_weight_evidence == {
        "openrouter_id": "qwen/qwen3-max",
        "hugging_face_id": None,
        "hub_repo": None,
        # what was searched and found (issue 12): api-only rests on a search of the vendor's organisation
        "searched": ["qwen"],
        "found": None,
    }
    assert (qwen_max.hf_repo_id, qwen_max.license_key, qwen_max.license_class) == (None, None, "unknown")

    for or_id, (repo_id, method) in LINKED.items():
        assert listings[or_id] == repos[repo_id], (or_id, repo_id)
        model = models[listings[or_id]]
        assert model.key == or_id and model.hf_repo_id == repo_id
        [link] = [
            c
            for c in crosswalk
            if c.namespace == "huggingface" and c.external_id.lower() == repo_id.lower() and c.method == method
        ]
        assert link.model_id == model.id
    # nothing else was linked, and no model is duplicated
    both = {m for m in models if m in set(listings.values()) and m in set(repos.values())}
    assert both == {listings[or_id] for or_id in LINKED}
    base_ids = {i.split(":")[0] for i in listings if not i.startswith("~")}
    assert len(models) == len(base_ids) + len(repos) - len(LINKED)


def test_merging_moves_claims_events_and_keeps_the_old_key(corpus, server, hf_settings, hub, sessions):
    serve_openrouter(server, snapshot(corpus, "2026-08-22"))
    hf = hf_settings(("Qwen",))
    assert run_crawl(hf, "huggingface", trigger="test").status == "success"
    with sessions() as session:
        hub_model = session.scalars(select(Model).where(Model.key == "qwen/qwen2.5-7b-instruct")).one()
        claims = session.scalars(select(Claim.id).where(Claim.model_id == hub_model.id)).all()
    assert claims
    assert run_crawl(hf, "openrouter", trigger="test").status == "success"
    with sessions() as session:
        assert session.scalars(select(Model).where(Model.key == "qwen/qwen2.5-7b-instruct")).first() is None
        survivor = session.scalars(select(Model).where(Model.key == "qwen/qwen-2.5-7b-instruct")).one()
        assert set(session.scalars(select(Claim.id).where(Claim.model_id == survivor.id))) >= set(claims)
        old_key = session.scalars(
            select(Crosswalk).where(
                Crosswalk.namespace == "model-key", Crosswalk.external_id == "qwen/qwen2.5-7b-instruct"
            )
        ).one()
        assert old_key.model_id == survivor.id
        assert survivor.open_weight_status == "open" and survivor.license_key == "Apache-2.0"
        assert survivor.hf_repo_id == "Qwen/Qwen2.5-7B-Instruct"


def test_weights_published_after_an_api_only_launch(corpus, server, hf_settings, hub, sessions):
    serve_openrouter(server, snapshot(corpus, "2026-08-22"))
    hf = hf_settings(("Qwen",))
    assert run_crawl(hf, "openrouter", trigger="test").status == "success"
    assert run_crawl(hf, "huggingface", trigger="test").status == "success"
    with sessions() as session:
        assert (
            session.scalars(select(Model).where(Model.key == "qwen/qwen3-max")).one().open_weight_status == "api-only"
        )
    hub.add(
        hub_detail("Qwen/Qwen3-Max", gated="manual", createdAt="2026-11-20T00:00:00.000Z"),
        b"---\nlicense: other\nlicense_name: qwen\n---\n# Qwen3-Max",
    )
    summary = run_crawl(hf, "huggingface", trigger="test")
    assert summary.events.get("open_weight_status_changed") == 1
    with sessions() as session:
        model = session.scalars(select(Model).where(Model.key == "qwen/qwen3-max")).one()
        [event] = [e for e in list_events(session, kinds=["open_weight_status_changed"])]
        released = list_events(session, kinds=["model_released"])
    assert (model.open_weight_status, model.hf_repo_id, model.license_key) == (
        "gated",
        "Qwen/Qwen3-Max",
        "LicenseRef-qwen",
    )
    assert (event["old"], event["new"], event["model"]) == ("api-only", "gated", "Qwen/Qwen3-Max")
    assert event["evidence"]["repo"] == "Qwen/Qwen3-Max" and event["evidence"]["gated"] == "manual"
    assert released == []  # not a new model: the API model got weights


# ───────────── in-process: the rules one by one ─────────────

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def ingest_openrouter_entries(sessions, entries):
    payload = {"data": entries}
    store_listing(sessions, None, snapshot_from_payload(payload, observed_at=NOW, url="http://or.test/models"), [])


def ingest_hub(sessions, details, *, orgs):
    batch = HubBatch(observed_at=NOW, listed_orgs=set(orgs), complete_orgs={})
    for detail in details:
        entry = listing_entry(detail, watched=True)
        batch.listed[entry.id] = entry
        facts = build_facts(
            normalize_detail(detail),
            CardOutcome.from_card(parse_card(b"---\nlicense: apache-2.0\n---\n# card", max_bytes=10_000)),
        )
        batch.records[entry.id] = RepoRecord(
            facts, FetchInfo(detail_url("http://hub.test", entry.id), NOW, 200), card_url("http://hub.test", entry.id)
        )
    with session_scope(sessions) as session:
        return apply_hub(session, batch, run_id=None)


def or_entry(corpus, model_id, **fields):
    template = json.loads(snapshot(corpus, "2026-08-22").read_bytes())["data"][0]
    return {**template, "id": model_id, "canonical_slug": model_id, "hugging_face_id": "", **fields}


def owner(sessions, or_id=None, repo_id=None):
    with sessions() as session:
        if or_id:
            return session.scalars(select(OpenRouterListing.model_id).where(OpenRouterListing.id == or_id)).one()
        return session.scalars(select(HfRepo.model_id).where(HfRepo.id == repo_id)).one()


@pytest.mark.parametrize("hub_first", [False, True])
def test_normalized_name_links_but_never_a_substring(corpus, db_url, sessions, hub_first):
    entries = [or_entry(corpus, "qwen/qwen-2.5-1.5b-instruct"), or_entry(corpus, "qwen/qwen3-32b")]
    details = [hub_detail("Qwen/Qwen2.5-1.5B-Instruct"), hub_detail("Qwen/Qwen3-32B-AWQ", tags=["awq"])]
    steps = [lambda: ingest_hub(sessions, details, orgs={"Qwen"}), lambda: ingest_openrouter_entries(sessions, entries)]
    for step in steps if hub_first else reversed(steps):
        step()
    assert owner(sessions, or_id="qwen/qwen-2.5-1.5b-instruct") == owner(sessions, repo_id="Qwen/Qwen2.5-1.5B-Instruct")
    assert owner(sessions, or_id="qwen/qwen3-32b") != owner(sessions, repo_id="Qwen/Qwen3-32B-AWQ")
    with sessions() as session:
        link = session.scalars(
            select(Crosswalk).where(
                Crosswalk.namespace == "huggingface", Crosswalk.external_id == "Qwen/Qwen2.5-1.5B-Instruct"
            )
        ).one()
        qwen3 = session.scalars(select(Model).where(Model.key == "qwen/qwen3-32b")).one()
    assert (link.method, link.confidence) == ("normalized-name", 0.8)
    assert qwen3.open_weight_status == "api-only"


def test_a_manual_link_wins(corpus, db_url, sessions, monkeypatch):
    table = identity.IdentityTable(
        vendors=identity.identity_table().vendors,
        manual=(identity.ManualLink("acme/flagship", "acme-labs/Flagship-Weights-v1", "checked by hand"),),
    )
    monkeypatch.setattr(identity, "identity_table", lambda: table)
    monkeypatch.setattr("tracker.store.crosswalk.identity_table", lambda: table)
    ingest_openrouter_entries(sessions, [or_entry(corpus, "acme/flagship")])
    ingest_hub(sessions, [hub_detail("acme-labs/Flagship-Weights-v1")], orgs={"acme-labs"})
    assert owner(sessions, or_id="acme/flagship") == owner(sessions, repo_id="acme-labs/Flagship-Weights-v1")
    with sessions() as session:
        link = session.scalars(select(Crosswalk).where(Crosswalk.external_id == "acme-labs/Flagship-Weights-v1")).one()
    assert (link.method, link.confidence) == ("manual", 1.0)


def test_an_unchanged_openrouter_recrawl_after_linking_writes_nothing(corpus, server, hf_settings, hub, engine):
    serve_openrouter(server, snapshot(corpus, "2026-08-22"))
    hf = hf_settings(("openai", "Qwen"))
    run_crawl(hf, "huggingface", trigger="test")
    run_crawl(hf, "openrouter", trigger="test")
    before = data_counts(engine)
    again = run_crawl(hf, "openrouter", trigger="test")
    assert (again.writes, again.new, again.changed) == (0, 0, 0)
    assert data_counts(engine) == before
    server.route("/api/v1/models", Reply(503, b"down"))
    assert run_crawl(hf, "openrouter", trigger="test").status == "failed"
    assert data_counts(engine) == before
