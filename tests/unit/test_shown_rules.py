"""Shown-value precedence on hand-made repos and listings, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.normalize.openweights import VendorStatement
from tracker.normalize.shown import (
    ListingView,
    RepoView,
    ShownModel,
    first_listing_shown,
    shown_values,
    status_event,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MODEL = ShownModel(id=1, key="qwen/qwen3-32b", openrouter_id="qwen/qwen3-32b")


def repo(repo_id: str = "Qwen/Qwen3-32B", **fields) -> RepoView:
    values = {
        "status": "listed",
        "open_weight_status": "open",
        "first_seen_at": T0,
        "license_key": "apache-2.0",
        "license_class": "permissive",
        "params_total": 32_800_000_000,
        "params_total_source": "safetensors",
        "context_length": 40960,
        "open_weight_evidence": {"repo": repo_id},
        "created_upstream_at": T0 - dt.timedelta(days=30),
    }
    return RepoView(id=repo_id, **(values | fields))


def listing(listing_id: str = "qwen/qwen3-32b", **fields) -> ListingView:
    values = {"status": "listed", "context_length": 131072, "created_upstream_at": T0 - dt.timedelta(days=10)}
    return ListingView(id=listing_id, **(values | fields))


@pytest.mark.parametrize(
    ("repos", "listings", "methods", "expected"),
    [
        # the repo gives status, licence and parameters; OpenRouter what is served (context); the earliest release
        (
            [repo()],
            [listing()],
            {},
            {
                "open_weight_status": "open",
                "license_key": "apache-2.0",
                "params_total": 32_800_000_000,
                "context_length": 131072,
                "released_at": T0 - dt.timedelta(days=30),
                "hf_repo_id": "Qwen/Qwen3-32B",
            },
        ),
        # not served: the repo config's context
        ([repo()], [], {}, {"context_length": 40960}),
        # a removed repo: no weights, with the evidence saying so
        (
            [repo(status="removed")],
            [],
            {},
            {"open_weight_status": "no-weights", "open_weight_evidence": {"repo": "Qwen/Qwen3-32B", "removed": True}},
        ),
        # a listed repo wins over a removed one, whatever the link
        (
            [repo("Qwen/Old", status="removed"), repo("Qwen/New", first_seen_at=T0 + dt.timedelta(days=1))],
            [],
            {"qwen/old": "manual"},
            {"hf_repo_id": "Qwen/New"},
        ),
        # among listed repos the stronger link wins, then the original over a derivative
        (
            [repo("Qwen/A"), repo("Qwen/B")],
            [],
            {"qwen/a": "normalized-name", "qwen/b": "manual"},
            {"hf_repo_id": "Qwen/B"},
        ),
        (
            [repo("Qwen/A-GGUF", is_derivative=True), repo("Qwen/A", first_seen_at=T0 + dt.timedelta(days=1))],
            [],
            {},
            {"hf_repo_id": "Qwen/A"},
        ),
        # no repo, a listing without hugging_face_id, no Hub organisation searched: unknown (API-only
        # needs evidence); parameters read from the id
        (
            [],
            [listing("qwen/qwen3-235b-a22b")],
            {},
            {
                "open_weight_status": "unknown",
                "params_total": 235_000_000_000,
                "params_active": 22_000_000_000,
                "params_source": "name",
                "license_class": "unknown",
            },
        ),
        # no repo, a listing that declares one never crawled: unknown
        ([], [listing(hugging_face_id="Qwen/Qwen3-32B")], {}, {"open_weight_status": "unknown"}),
        # a delisted listing loses to a listed one
        (
            [],
            [listing("qwen/qwen3-32b", status="delisted", context_length=8192), listing("qwen/qwen3-32b:v2")],
            {},
            {"context_length": 131072},
        ),
    ],
)
def test_the_shown_value_of_each_attribute_follows_precedence(repos, listings, methods, expected):
    shown = shown_values(MODEL, repos, listings, methods, {})
    assert {name: shown[name] for name in expected} == expected


def test_a_base_model_is_linked_but_never_to_itself():
    derived = repo("unsloth/Qwen3-32B-GGUF", is_derivative=True, base_model="Qwen/Qwen3-32B", base_relation="quantized")
    assert shown_values(MODEL, [derived], [], {}, {"qwen/qwen3-32b": 9})["base_model_id"] == 9
    assert shown_values(MODEL, [derived], [], {}, {"qwen/qwen3-32b": MODEL.id})["base_model_id"] is None


@pytest.mark.parametrize(
    ("old", "new", "fresh", "expected"),
    [
        ("open", "no-weights", set(), "open_weight_status_changed"),
        ("unknown", "open", set(), None),  # never from unknown
        ("open", "open", set(), None),
        ("api-only", "open", set(), None),  # weights that were always there, found by a first crawl
        ("api-only", "open", {"qwen/qwen3-32b"}, "open_weight_status_changed"),  # newly published
    ],
)
def test_a_status_change_is_news_only_between_definite_statuses(old, new, fresh, expected):
    model = ShownModel(id=1, key="qwen/qwen3-32b", open_weight_status=old)
    shown = {"open_weight_status": new, "hf_repo_id": "Qwen/Qwen3-32B", "open_weight_evidence": {}}
    event = status_event(model, shown, fresh, "huggingface", T0)
    assert (event.kind if event else None) == expected


def test_a_first_listing_gives_the_values_a_refresh_would():
    created = T0 - dt.timedelta(days=3)
    first = first_listing_shown("acme/rocket-7b", hugging_face_id=None, context_length=32768, created_at=created)
    model = ShownModel(id=5, openrouter_id="acme/rocket-7b", released_at=created)
    refreshed = shown_values(
        model, [], [listing("acme/rocket-7b", context_length=32768, created_upstream_at=created)], {}, {}
    )
    assert first == refreshed and first["open_weight_status"] == "unknown" and first["params_total"] == 7_000_000_000
    searched = first_listing_shown(
        "acme/rocket-7b", hugging_face_id=None, context_length=32768, created_at=created, searched_orgs={"acme"}
    )
    assert searched["open_weight_status"] == "api-only"


def test_api_only_is_a_finding_and_a_vendor_statement_opens_the_weights():
    model = ShownModel(id=5, openrouter_id="acme/rocket-7b")
    rows = [listing("acme/rocket-7b")]
    assert shown_values(model, [], rows, {}, {})["open_weight_status"] == "unknown"
    searched = shown_values(model, [], rows, {}, {}, searched={"acme"})
    assert searched["open_weight_status"] == "api-only" and searched["open_weight_evidence"]
    said = VendorStatement("acme", "https://acme.example/post", "We have open-sourced Rocket-7B on Hugging Face.")
    vendor = shown_values(model, [], rows, {}, {}, searched={"acme"}, statements=[said])
    assert vendor["open_weight_status"] == "vendor-open"
