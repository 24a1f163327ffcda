"""The Hub decider on hand-made repos, without a database: new / changed / refreshed / deferred, removals, events."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from tracker.events.hashing import content_hash
from tracker.normalize.hfcard import parse_card
from tracker.normalize.huggingface import CardOutcome, build_facts, listing_entry, normalize_detail
from tracker.store.ingest_huggingface import FetchInfo, HubBatch, RepoRecord, StoredRepo
from tracker.update.hub import decide_removed, decide_repos, repo_events

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
CARD = b"---\nlicense: apache-2.0\n---\n# card"


def detail(repo_id: str, **fields):
    return {
        "id": repo_id,
        "sha": fields.pop("sha", "a" * 40),
        "lastModified": "2026-11-01T00:00:00Z",
        "createdAt": "2026-10-01T00:00:00Z",
        "gated": fields.pop("gated", False),
        "siblings": [{"rfilename": "model.safetensors"}],
        **fields,
    }


def record(repo_id: str, *, card: bytes | None = CARD, watched: bool = True, **fields) -> RepoRecord:
    outcome = (
        CardOutcome.from_card(parse_card(card, max_bytes=10_000))
        if card is not None
        else CardOutcome("unavailable", reason="rate-limited", detail="429")
    )
    facts = build_facts(normalize_detail(detail(repo_id, **fields)), outcome)
    return RepoRecord(facts, FetchInfo(f"http://hub.test/api/models/{repo_id}", NOW, 200), "card-url", watched=watched)


def batch(*records: RepoRecord, complete: dict[str, int] | None = None) -> HubBatch:
    out = HubBatch(observed_at=NOW, complete_orgs=dict(complete or {}))
    for r in records:
        out.records[r.facts.repo_id] = r
        out.listed[r.facts.repo_id] = listing_entry(detail(r.facts.repo_id), watched=r.watched)
    return out


def stored_as(r: RepoRecord, **fields) -> StoredRepo:
    """What the database holds after storing ``r`` (then changed by ``fields``)."""
    values = {
        "id": r.facts.repo_id,
        "id_lower": r.facts.repo_id.lower(),
        "model_id": 7,
        "status": "listed",
        "watched": r.watched,
        "content_hash": content_hash(r.facts.meaningful()),
        "gated": r.facts.gated,
        "license_key": r.facts.license.key,
        "license_class": r.facts.license.license_class,
    }
    return StoredRepo(**(values | fields))


QWEN = record("Qwen/Qwen3-8B")


@pytest.mark.parametrize(
    ("incoming", "stored", "known_orgs", "expected"),
    [
        # nothing stored, organisation crawled before: new and fresh (its release is news)
        (QWEN, None, {"qwen"}, {"new": ["Qwen/Qwen3-8B"], "fresh": ["Qwen/Qwen3-8B"], "baseline": set()}),
        # the organisation's first complete crawl: stored as the baseline, announced by nothing
        (QWEN, None, set(), {"new": ["Qwen/Qwen3-8B"], "fresh": [], "baseline": {"Qwen/Qwen3-8B"}}),
        # a repo found by discovery (not watched) is new but never fresh
        (record("Qwen/Qwen3-8B", watched=False), None, {"qwen"}, {"new": ["Qwen/Qwen3-8B"], "fresh": []}),
        # same content: only its bookkeeping is refreshed
        (QWEN, stored_as(QWEN), {"qwen"}, {"refreshed": ["Qwen/Qwen3-8B"], "changed": [], "written": []}),
        # the sha moved but nothing meaningful did: still refreshed
        (record("Qwen/Qwen3-8B", sha="b" * 40), stored_as(QWEN), {"qwen"}, {"refreshed": ["Qwen/Qwen3-8B"]}),
        # gating changed: changed, and its content is rewritten
        (
            record("Qwen/Qwen3-8B", gated="manual"),
            stored_as(QWEN),
            {"qwen"},
            {"changed": ["Qwen/Qwen3-8B"], "content_changed": ["Qwen/Qwen3-8B"], "written": ["Qwen/Qwen3-8B"]},
        ),
        # listed again after removal: changed, but its content is not rewritten
        (
            QWEN,
            stored_as(QWEN, status="removed"),
            {"qwen"},
            {"changed": ["Qwen/Qwen3-8B"], "content_changed": [], "written": []},
        ),
        # the id's case changed upstream
        (QWEN, stored_as(QWEN, id="qwen/qwen3-8b"), {"qwen"}, {"changed": ["Qwen/Qwen3-8B"], "content_changed": []}),
        # no longer watched
        (record("Qwen/Qwen3-8B", watched=False), stored_as(QWEN), {"qwen"}, {"changed": ["Qwen/Qwen3-8B"]}),
        # a known repo whose card could not be fetched keeps its stored state
        (
            record("Qwen/Qwen3-8B", card=None, gated="manual"),
            stored_as(QWEN),
            {"qwen"},
            {"deferred": ["Qwen/Qwen3-8B"], "changed": [], "refreshed": [], "hashes": {}},
        ),
        # a new repo without its card is still stored, from its API data
        (record("Qwen/Qwen3-8B", card=None), None, {"qwen"}, {"new": ["Qwen/Qwen3-8B"], "deferred": []}),
    ],
)
def test_each_crawled_repo_gets_one_decision(incoming, stored, known_orgs, expected):
    stored_map = {} if stored is None else {stored.id_lower: stored}
    plan = decide_repos(batch(incoming), stored_map, known_orgs)
    for name, value in expected.items():
        assert getattr(plan, name) == value, name


def test_removal_needs_a_complete_non_empty_listing_of_the_organisation():
    listed = batch(QWEN)
    stored = {"Qwen": [("Qwen/Qwen3-8B", 7), ("Qwen/Qwen2-7B", 5)], "acme": [("acme/old", None)]}
    listed.complete_orgs = {"Qwen": 1}
    assert decide_removed(listed, stored) == [("Qwen/Qwen2-7B", 5)]
    listed.complete_orgs = {}  # the listing did not complete: nothing is removed
    assert decide_removed(listed, stored) == []
    listed.complete_orgs = {"acme": 0}  # an empty "complete" listing removes nothing
    assert decide_removed(listed, stored) == []


def _events(plan_batch, stored, known_orgs, **kwargs):
    plan = decide_repos(plan_batch, stored, known_orgs)
    defaults = {"created": {}, "model_of": {}, "keys": {}, "new_benchmarks": [], "removed": [], "now": NOW}
    return [e.kind for e in repo_events(plan, plan_batch, stored, **(defaults | kwargs))]


@pytest.mark.parametrize(
    ("incoming", "stored", "known_orgs", "kwargs", "kinds"),
    [
        # a new repo that created a model is a release
        (QWEN, {}, {"qwen"}, {"created": {"Qwen/Qwen3-8B": 1}, "keys": {1: "qwen/qwen3-8b"}}, ["model_released"]),
        # linked to a model that already existed (an API model got weights): no release
        (QWEN, {}, {"qwen"}, {}, []),
        # in the baseline: neither a release nor its benchmarks are news
        (
            QWEN,
            {},
            set(),
            {
                "created": {"Qwen/Qwen3-8B": 1},
                "new_benchmarks": [("Qwen/Qwen3-8B", {"benchmark": "MMLU"})],
            },
            [],
        ),
        # a derivative (a quantization of another repo) is not a release
        (
            record("unsloth/Qwen3-8B-GGUF", cardData={"base_model": "Qwen/Qwen3-8B"}),
            {},
            {"unsloth"},
            {"created": {"unsloth/Qwen3-8B-GGUF": 2}},
            [],
        ),
        # gating changed on a stored repo
        (record("Qwen/Qwen3-8B", gated="manual"), {"qwen/qwen3-8b": stored_as(QWEN)}, {"qwen"}, {}, ["gating_changed"]),
        # the licence changed on a stored repo
        (
            QWEN,
            {"qwen/qwen3-8b": replace(stored_as(QWEN), license_key="mit", content_hash="v1:old")},
            {"qwen"},
            {},
            ["license_changed"],
        ),
        # a removed repo
        (QWEN, {"qwen/qwen3-8b": stored_as(QWEN)}, {"qwen"}, {"removed": [("Qwen/Qwen2-7B", 5)]}, ["model_delisted"]),
    ],
)
def test_events_follow_the_decisions(incoming, stored, known_orgs, kwargs, kinds):
    assert _events(batch(incoming), stored, known_orgs, **kwargs) == kinds


def test_a_new_benchmark_of_a_watched_repo_is_announced_with_its_score():
    score = {
        "benchmark": "MMLU",
        "value": "71.2",
        "unit": "%",
        "settings": "",
        "reporter": "vendor",
        "verified": False,
    }
    plan_batch = batch(QWEN)
    plan = decide_repos(plan_batch, {}, {"qwen"})
    [event] = repo_events(
        plan,
        plan_batch,
        {},
        created={},
        model_of={"Qwen/Qwen3-8B": 1},
        keys={1: "qwen/qwen3-8b"},
        new_benchmarks=[("Qwen/Qwen3-8B", score)],
        removed=[],
        now=NOW,
    )
    assert (event.kind, event.model_key, event.benchmark, event.settings, event.self_reported) == (
        "benchmark_claim_added",
        "qwen/qwen3-8b",
        "MMLU",
        None,
        True,
    )
