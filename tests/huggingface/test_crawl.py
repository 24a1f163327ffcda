"""Crawling the recorded Hub (served on loopback) through Scrapy's real download stack."""

from __future__ import annotations

import copy
import json
import math
from collections import Counter

from helpers.corpus import hub_detail
from helpers.db import data_counts
from sqlalchemy import select, text

from tracker.sources.runner import run_crawl
from tracker.store.events import list_events
from tracker.store.tables import Claim, Crosswalk, Document, Event, Model
from tracker.store.tables.huggingface import HfRepo


def model_of(sessions, repo_id):
    with sessions() as session:
        return session.scalars(
            select(Model).join(HfRepo, HfRepo.model_id == Model.id).where(HfRepo.id == repo_id)
        ).one()


def repo(sessions, repo_id):
    with sessions() as session:
        return session.get(HfRepo, repo_id)


def dump(engine, table):
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))]


def test_listings_are_built_from_the_details_and_paged_with_link_headers(crawl_hub, hub, sessions):
    summary = crawl_hub(page_size=2)
    assert summary.status == "success", summary.render()
    per_org = Counter(repo_id.split("/")[0] for repo_id in hub.details)
    pages = Counter(path.split("author=")[1].split("&")[0] for path in hub.listing_requests())
    assert pages == {org: max(1, math.ceil(n / 2)) for org, n in per_org.items()}
    assert any("cursor=" in path for path in hub.listing_requests())
    assert all("expand%5B%5D=sha" in path for path in hub.listing_requests())
    with sessions() as session:
        stored = set(session.scalars(select(HfRepo.id)))
    assert stored == set(hub.details)
    assert summary.seen == summary.new == len(hub.details)
    assert summary.extra["details_fetched"] == len(hub.details)


def test_acceptance_examples_are_shown_with_licence_status_and_parameters(hub_world, sessions):
    assert hub_world.summary.status == "success"
    expected = {
        "meta-llama/Llama-3.1-8B-Instruct": ("LicenseRef-llama3.1", "open-weights-restricted", "gated"),
        "google/gemma-3-1b-it": ("LicenseRef-gemma", "open-weights-restricted", "gated"),
        "openai/gpt-oss-120b": ("Apache-2.0", "permissive", "open"),
        "Qwen/Qwen2.5-3B-Instruct": ("LicenseRef-qwen-research", "non-commercial", "open"),
        "dbmdz/bert-large-cased-finetuned-conll03-english": (None, "unknown", "open"),
    }
    for repo_id, (key, license_class, status) in expected.items():
        model = model_of(sessions, repo_id)
        assert (model.license_key, model.license_class, model.open_weight_status) == (key, license_class, status)
        assert model.hf_repo_id == repo_id and model.key == repo_id.lower()
    gpt = model_of(sessions, "openai/gpt-oss-120b")
    assert 115e9 < gpt.params_total < 125e9 and gpt.params_source == "safetensors"
    assert gpt.open_weight_evidence["repo"] == "openai/gpt-oss-120b"
    assert gpt.open_weight_evidence["gated"] == "false" and gpt.open_weight_evidence["weight_files"] >= 14
    next80 = model_of(sessions, "Qwen/Qwen3-Next-80B-A3B-Instruct")
    assert next80.params_active == 3 * 10**9
    llama = model_of(sessions, "meta-llama/Llama-3.1-8B-Instruct")
    assert llama.open_weight_evidence["gated"] == "manual"


def test_lineage_links_derivatives_to_their_base(crawl_hub, hub, sessions):
    hub.add(
        hub_detail(
            "Qwen/Qwen3-32B-GGUF",
            tags=["gguf", "base_model:quantized:Qwen/Qwen3-32B"],
            siblings=[{"rfilename": "Qwen3-32B-Q4_K_M.gguf"}],
            safetensors=None,
        ),
        b"---\nlicense: apache-2.0\nbase_model: Qwen/Qwen3-32B\n---\n# GGUF",
    )
    assert crawl_hub().status == "success"
    gguf, base = model_of(sessions, "Qwen/Qwen3-32B-GGUF"), model_of(sessions, "Qwen/Qwen3-32B")
    assert (gguf.is_derivative, gguf.base_relation, gguf.base_model_id) == (True, "quantized", base.id)
    instruct = model_of(sessions, "Qwen/Qwen2.5-7B-Instruct")
    assert (instruct.is_derivative, instruct.base_relation) == (False, "finetune")
    zephyr = model_of(sessions, "HuggingFaceH4/zephyr-7b-beta")
    assert (
        zephyr.is_derivative
        and repo(sessions, "HuggingFaceH4/zephyr-7b-beta").base_model == "mistralai/Mistral-7B-v0.1"
    )


def test_hub_facts_are_claims_with_provenance(hub_world, sessions):
    assert hub_world.summary.status == "success"
    origin = hub_world.server_url  # the loopback server the shared crawl fetched from
    with sessions() as session:
        claims = session.scalars(select(Claim).where(Claim.mention == "Qwen/Qwen2.5-3B-Instruct")).all()
        by_attribute = {c.attribute: c for c in claims}
        assert {"license", "openness", "params_total"} <= set(by_attribute)
        lic = by_attribute["license"]
        assert (lic.value, lic.reporter, lic.source) == ("LicenseRef-qwen-research", "primary", "huggingface")
        assert lic.url == f"{origin}/Qwen/Qwen2.5-3B-Instruct/raw/main/README.md"
        assert "license_name: qwen-research" in lic.quote and lic.fetched_at is not None
        assert lic.model_id == model_of(sessions, "Qwen/Qwen2.5-3B-Instruct").id
        assert by_attribute["openness"].url == f"{origin}/api/models/Qwen/Qwen2.5-3B-Instruct"
        bench = session.scalars(
            select(Claim).where(Claim.mention == "bigscience/bloomz-560m", Claim.attribute == "benchmark")
        ).all()
        assert len(bench) > 40
        xnli = next(c for c in bench if c.qualifier == "XNLI [subset=en]")
        assert (xnli.value, xnli.unit, xnli.reporter) == ("46.43", "%", "vendor")
        assert xnli.extra["self_reported"] is True and xnli.document_id is not None
        doc = session.get(Document, xnli.document_id)
        assert doc.kind == "card" and "BLOOMZ" in doc.text and not doc.text.startswith("---")
        assert len({c.claim_hash for c in session.scalars(select(Claim))}) == session.query(Claim).count()


def test_an_unchanged_recrawl_makes_only_listing_requests_and_writes_nothing(crawl_hub, hub, engine, server):
    first = crawl_hub(page_size=3)
    assert first.status == "success"
    before = {table: dump(engine, table) for table in ("models", "hf_repos", "claims", "crosswalk", "hf_orgs")}
    counts = data_counts(engine)
    listing_pages = sorted(hub.listing_requests())
    server.clear_log()
    second = crawl_hub(page_size=3)
    assert second.status == "success", second.render()
    assert hub.detail_requests() == [] and hub.card_requests() == []
    paths = [r.path for r in server.requests if r.path != "/robots.txt"]
    assert sorted(paths) == listing_pages
    assert (second.new, second.changed, second.writes) == (0, 0, 0)
    assert second.unchanged == len(hub.details)
    assert data_counts(engine) == counts
    assert {table: dump(engine, table) for table in before} == before


def test_a_changed_sha_refetches_only_that_repo(crawl_hub, hub, server, sessions):
    assert crawl_hub().status == "success"
    server.clear_log()
    detail = copy.deepcopy(hub.details["openai/gpt-oss-20b"])
    detail["sha"] = "9" * 40
    detail["downloads"] += 1000
    hub.details["openai/gpt-oss-20b"] = detail
    summary = crawl_hub()
    assert hub.detail_requests() == ["/api/models/openai/gpt-oss-20b"]
    assert hub.card_requests() == ["/openai/gpt-oss-20b/raw/main/README.md"]
    assert (summary.new, summary.changed, summary.extra.get("refreshed")) == (0, 0, 1)
    assert repo(sessions, "openai/gpt-oss-20b").sha == "9" * 40
    with sessions() as session:
        assert session.scalars(select(Event).where(Event.run_id == summary.run_id)).all() == []


def test_gating_and_licence_changes_are_events(crawl_hub, hub, sessions):
    assert crawl_hub().status == "success"
    detail = copy.deepcopy(hub.details["openai/gpt-oss-20b"])
    detail["gated"] = "auto"
    hub.details["openai/gpt-oss-20b"] = detail
    card = hub.cards["Qwen/Qwen3-32B"].replace(b"license: apache-2.0", b"license: other\nlicense_name: qwen-research")
    hub.cards["Qwen/Qwen3-32B"] = card
    hub.details["Qwen/Qwen3-32B"] = {**hub.details["Qwen/Qwen3-32B"], "sha": "8" * 40}
    summary = crawl_hub()
    assert summary.changed == 2
    with sessions() as session:
        events = {(e["kind"], e["model"]): e for e in list_events(session) if e["kind"] != "model_released"}
    gating = events[("gating_changed", "openai/gpt-oss-20b")]
    assert (gating["old"], gating["new"]) == ("false", "auto")
    status = events[("open_weight_status_changed", "openai/gpt-oss-20b")]
    assert (status["old"], status["new"], status["evidence"]["gated"]) == ("open", "gated", "auto")
    lic = events[("license_changed", "Qwen/Qwen3-32B")]
    assert (lic["old"], lic["new"], lic["new_class"]) == ("Apache-2.0", "LicenseRef-qwen-research", "non-commercial")
    assert model_of(sessions, "Qwen/Qwen3-32B").license_class == "non-commercial"


def test_releases_are_originals_of_watched_orgs_after_the_baseline(crawl_hub, hub, sessions):
    orgs = ("Qwen", "openai")
    first = crawl_hub(orgs)
    assert first.status == "success" and "model_released" not in first.events  # baseline
    hub.add(
        hub_detail("Qwen/Qwen4-9B", createdAt="2026-11-24T00:00:00.000Z"), b"---\nlicense: apache-2.0\n---\n# Qwen4"
    )
    hub.add(
        hub_detail("Qwen/Qwen4-9B-AWQ", tags=["awq", "base_model:quantized:Qwen/Qwen4-9B"]),
        b"---\nlicense: apache-2.0\nbase_model: Qwen/Qwen4-9B\nbase_model_relation: quantized\n---\n# AWQ",
    )
    hub.add(hub_detail("someone/not-watched-9B"), b"---\nlicense: mit\n---\n")
    second = crawl_hub(orgs)
    assert second.new == 2
    with sessions() as session:
        released = [e for e in list_events(session) if e["kind"] == "model_released"]
    assert [(e["model"], e["vendor"], e["license_key"], e["open_weight_status"]) for e in released] == [
        ("Qwen/Qwen4-9B", "Qwen", "Apache-2.0", "open")
    ]
    awq = model_of(sessions, "Qwen/Qwen4-9B-AWQ")
    assert awq.is_derivative and awq.base_model_id == model_of(sessions, "Qwen/Qwen4-9B").id


def test_new_benchmark_claims_are_events_outside_the_baseline(crawl_hub, hub, sessions):
    assert crawl_hub(("ibm-granite", "Qwen")).status == "success"
    card = hub.cards["Qwen/Qwen3-0.6B"].replace(
        b"---\n",
        b"---\nmodel-index:\n- name: Qwen3-0.6B\n  results:\n  - task: {type: text-generation}\n"
        b"    dataset: {name: GPQA Diamond, type: Idavidrein/gpqa}\n"
        b"    metrics:\n    - {type: accuracy, value: 22.9}\n",
        1,
    )
    hub.cards["Qwen/Qwen3-0.6B"] = card
    hub.details["Qwen/Qwen3-0.6B"] = {**hub.details["Qwen/Qwen3-0.6B"], "sha": "7" * 40}
    crawl_hub(("ibm-granite", "Qwen"))
    with sessions() as session:
        added = [e for e in list_events(session) if e["kind"] == "benchmark_claim_added"]
    assert [(e["model"], e["benchmark"], e["value"], e["unit"], e["self_reported"]) for e in added] == [
        ("Qwen/Qwen3-0.6B", "GPQA Diamond", "22.9", "%", True)
    ]


def test_a_repo_missing_from_a_complete_listing_is_removed(crawl_hub, hub, sessions):
    assert crawl_hub(("openai",)).status == "success"
    hub.remove("openai/gpt-oss-20b")
    summary = crawl_hub(("openai",))
    assert summary.delisted == 1
    gone = repo(sessions, "openai/gpt-oss-20b")
    assert gone.status == "removed" and gone.removed_at is not None
    model = model_of(sessions, "openai/gpt-oss-20b")
    assert model.open_weight_status == "no-weights" and model.open_weight_evidence["removed"] is True
    with sessions() as session:
        kinds = {e["kind"] for e in list_events(session) if e["model"] == "openai/gpt-oss-20b"}
    assert {"model_delisted", "open_weight_status_changed"} <= kinds


def test_the_token_is_sent_and_discovery_finds_repos_beyond_the_watched_orgs(crawl_hub, hub, server, sessions):
    summary = crawl_hub(("openai",), token="hf_secret", discovery=True, discovery_limit=5)
    assert summary.status == "success"
    api = [r for r in server.requests if r.path.startswith("/api/")]
    assert api and all(r.headers.get("authorization") == "Bearer hf_secret" for r in api)
    discovery = [p for p in hub.listing_requests() if "pipeline_tag=text-generation" in p]
    assert len(discovery) == 1 and "limit=5" in discovery[0]
    with sessions() as session:
        found = {r.id: r.watched for r in session.scalars(select(HfRepo))}
    beyond = {repo_id for repo_id, watched in found.items() if not watched}
    assert beyond and all(not r.startswith("openai/") for r in beyond) and len(beyond) <= 5
    with sessions() as session:
        links = session.scalars(select(Crosswalk).where(Crosswalk.namespace == "huggingface")).all()
    assert {c.external_id for c in links} == set(found)


def test_the_discovery_unit_lists_no_organisation_and_leaves_the_watched_ones_alone(
    crawl_hub, hf_settings, hub, sessions
):
    """A crawl worker's ``huggingface:discovery`` unit: the discovery listing only; watched repos stay watched."""
    from tracker.workers.units import HUB_DISCOVERY, parse_unit, unit_settings

    assert crawl_hub(("openai", "Qwen")).status == "success"
    with sessions() as session:
        before = {r.id: (r.watched, r.status) for r in session.scalars(select(HfRepo))}
    listed = len(hub.listing_requests())
    configured = hf_settings(("openai", "Qwen"), discovery=True, discovery_limit=50)
    settings = unit_settings(configured, parse_unit(HUB_DISCOVERY, ("huggingface",)))
    summary = run_crawl(settings, "huggingface", trigger="test")
    assert summary.status == "success" and summary.complete, summary.render()
    requests = hub.listing_requests()[listed:]
    assert len(requests) == 1 and "pipeline_tag=text-generation" in requests[0]  # no organisation's listing
    with sessions() as session:
        after = {r.id: (r.watched, r.status) for r in session.scalars(select(HfRepo))}
    assert {k: v for k, v in after.items() if k in before} == before  # the watched repos: untouched, none removed
    beyond = set(after) - set(before)
    assert beyond and not any(r.split("/")[0] in ("openai", "Qwen") for r in beyond)
    assert all(after[r] == (False, "listed") for r in beyond)


def test_tracker_crawl_huggingface_from_the_command_line(hub, db_url, server, monkeypatch, capsys):
    from tracker.cli import main

    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    for name, value in {
        "TRACKER_DATABASE_URL": db_url,
        "TRACKER_HF_URL": server.url,
        "TRACKER_HF_ORGS": "openai, Qwen",
        "TRACKER_ALLOWED_HOSTS": "127.0.0.1",
        "HF_TOKEN": "hf_from_env",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["crawl", "huggingface"]) == 0
    out = capsys.readouterr().out
    assert "huggingface: success" in out and "organisations complete: 2/2" in out
    assert all(r.headers.get("authorization") == "Bearer hf_from_env" for r in server.requests if "/api/" in r.path)
    assert main(["crawl", "huggingface", "--json"]) == 0
    [summary] = json.loads(capsys.readouterr().out)
    assert (summary["status"], summary["new"], summary["writes"]) == ("success", 0, 0)
