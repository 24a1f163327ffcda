"""Pure Hub normalization: listings, the incremental decision, facts, params, lineage, benchmarks, identity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from helpers.corpus import hub_detail, load

from tracker.errors import NormalizationError
from tracker.events.hashing import content_hash
from tracker.normalize.benchmarks import canonical_name, scores_from_model_index
from tracker.normalize.hfcard import parse_card
from tracker.normalize.huggingface import (
    CardOutcome,
    KnownRepo,
    build_facts,
    listing_entry,
    needs_fetch,
    next_link,
    normalize_detail,
)
from tracker.normalize.identity import name_form, openrouter_name_keys, repo_name_key
from tracker.normalize.openweights import epoch_label, weight_files
from tracker.normalize.params import context_from_config, count_params, format_params, params_from_name

T = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def facts_of(corpus, name, card=True):
    detail = normalize_detail(load(corpus / "huggingface" / "api" / "models" / f"{name}.json"))
    path = corpus / "huggingface" / "cards" / f"{name}.md"
    outcome = (
        CardOutcome.from_card(parse_card(path.read_bytes(), max_bytes=4 << 20))
        if card and path.exists()
        else CardOutcome.from_fetch_failure("http-404", http_status=404)
    )
    return build_facts(detail, outcome)


# ───────────── listing and the incremental decision ─────────────


def test_listing_entry_reads_the_expanded_fields():
    entry = listing_entry(
        {
            "_id": "x",
            "id": "Qwen/Qwen3-32B",
            "sha": "ab" * 20,
            "lastModified": "2026-01-02T03:04:05.000Z",
            "gated": False,
        },
        watched=True,
    )
    assert (entry.id, entry.org, entry.gated, entry.last_modified) == ("Qwen/Qwen3-32B", "Qwen", "false", T)


@pytest.mark.parametrize("bad", [{"id": "../../etc/passwd"}, {"id": 7}, "not an object", {"id": "a/b", "sha": "zz"}])
def test_listing_entry_refuses_bad_entries(bad):
    with pytest.raises(NormalizationError):
        listing_entry(bad, watched=True)


def test_needs_fetch_only_for_new_or_changed_repos():
    entry = listing_entry(
        {"id": "a/b", "sha": "a" * 40, "lastModified": "2026-01-02T03:04:05Z", "gated": "manual"}, watched=True
    )
    same = KnownRepo(sha="a" * 40, last_modified=T, gated="manual", settled=True)
    assert not needs_fetch(entry, same)
    assert needs_fetch(entry, None)
    assert needs_fetch(entry, KnownRepo("b" * 40, T, "manual", True))
    assert needs_fetch(entry, KnownRepo("a" * 40, T - dt.timedelta(seconds=1), "manual", True))
    assert needs_fetch(entry, KnownRepo("a" * 40, T, "false", True))  # gating changed: sha does not move
    assert needs_fetch(entry, KnownRepo("a" * 40, T, "manual", settled=False))  # card failed last time
    bare = listing_entry({"id": "a/b"}, watched=True)
    assert needs_fetch(bare, same)  # a listing that cannot tell is not trusted


def test_next_link():
    assert next_link('<https://hf.co/api/models?cursor=abc>; rel="next"') == "https://hf.co/api/models?cursor=abc"
    assert next_link('<https://x/prev>; rel="prev", <https://x/next>; rel="next"') == "https://x/next"
    assert next_link('<https://x/prev>; rel="prev"') is None
    assert next_link(None) is None


# ───────────── facts ─────────────


def test_meaningful_hash_ignores_downloads_likes_and_commits(corpus):
    a = load(corpus / "huggingface" / "api" / "models" / "snapshots" / "microsoft__DialoGPT-small@2024-03-14.json")
    b = load(corpus / "huggingface" / "api" / "models" / "snapshots" / "microsoft__DialoGPT-small@2024-03-15.json")
    assert a["downloads"] != b["downloads"] and a["likes"] != b["likes"]
    card = CardOutcome.from_fetch_failure("http-404", http_status=404)
    fa, fb = build_facts(normalize_detail(a), card), build_facts(normalize_detail(b), card)
    assert content_hash(fa.meaningful()) == content_hash(fb.meaningful())
    moved = normalize_detail({**a, "sha": "f" * 40, "lastModified": "2030-01-01T00:00:00Z", "downloads": 1})
    assert content_hash(build_facts(moved, card).meaningful()) == content_hash(fa.meaningful())
    gated = normalize_detail({**a, "gated": "manual"})
    assert content_hash(build_facts(gated, card).meaningful()) != content_hash(fa.meaningful())


def test_gpt_oss_120b_facts(corpus):
    facts = facts_of(corpus, "openai__gpt-oss-120b")
    assert (facts.license.key, facts.license.license_class, facts.license_source) == (
        "Apache-2.0",
        "permissive",
        "card",
    )
    assert str(facts.weights.status) == "open"
    assert facts.weights.evidence["weight_files"] >= 14 and "safetensors" in facts.weights.evidence["formats"]
    assert facts.params.total_source == "safetensors"
    assert 115e9 < facts.params.total < 125e9
    assert format_params(facts.params.total) == "120B"
    assert not facts.is_derivative


def test_gated_repos_are_gated_with_the_gating_value_as_evidence(corpus):
    for name in ("meta-llama__Llama-3.1-8B-Instruct", "google__gemma-3-1b-it"):
        facts = facts_of(corpus, name)
        assert str(facts.weights.status) == "gated"
        assert facts.weights.evidence["gated"] == "manual"
        assert facts.weights.evidence["weight_files"] > 0


def test_a_repo_without_weight_files_has_no_weights():
    detail = normalize_detail(hub_detail("acme/docs-only", siblings=[{"rfilename": "README.md"}], safetensors=None))
    facts = build_facts(detail, CardOutcome("unavailable"))
    assert str(facts.weights.status) == "no-weights"
    assert facts.weights.evidence == {
        "repo": "acme/docs-only",
        "gated": "false",
        "weight_files": 0,
        "formats": [],
        "examples": [],
    }


def test_weight_files_skip_training_state():
    files = weight_files(["README.md", "training_args.bin", "optimizer.pt", "pytorch_model.bin", "q4/model.gguf"])
    assert files.count == 2 and files.formats == ("bin", "gguf")


def test_licence_falls_back_to_the_api_when_the_card_is_unusable(corpus):
    facts = facts_of(corpus, "Qwen__Qwen2.5-3B-Instruct", card=False)
    assert (facts.license.key, facts.license_source) == ("LicenseRef-qwen-research", "api-card-data")
    assert facts.card.state == "invalid" and facts.card.reason == "card-missing"


def test_lineage_first_party_finetunes_are_releases_third_party_ones_derivatives(corpus):
    instruct = facts_of(corpus, "Qwen__Qwen2.5-7B-Instruct")
    assert (instruct.base_model, instruct.base_relation, instruct.is_derivative) == (
        "Qwen/Qwen2.5-7B",
        "finetune",
        False,
    )
    third = facts_of(corpus, "Gensyn__Qwen2.5-0.5B-Instruct")
    assert (third.base_model, third.base_relation, third.is_derivative) == ("Qwen/Qwen2.5-0.5B", "finetune", True)
    self_ref = facts_of(corpus, "google__t5gemma-b-b-prefixlm")
    assert (self_ref.base_models, self_ref.is_derivative) == ((), False)


@pytest.mark.parametrize(
    ("fields", "relation"),
    [
        ({"tags": ["gguf", "base_model:Qwen/Qwen3-32B"], "siblings": [{"rfilename": "m-Q4_K_M.gguf"}]}, "quantized"),
        ({"tags": ["base_model:adapter:Qwen/Qwen3-32B"]}, "adapter"),
        ({"cardData": {"base_model": "Qwen/Qwen3-32B"}, "siblings": [{"rfilename": "adapter_config.json"}]}, "adapter"),
        ({"cardData": {"base_model": ["Qwen/Qwen3-32B", "Qwen/QwQ-32B"]}}, "merge"),
        ({"cardData": {"base_model": "Qwen/Qwen3-32B", "base_model_relation": "quantized"}}, "quantized"),
    ],
)
def test_derivative_relations(fields, relation):
    detail = normalize_detail(hub_detail("Qwen/Qwen3-32B-FP8", **fields))
    facts = build_facts(detail, CardOutcome("unavailable"))
    assert (facts.base_model, facts.base_relation, facts.is_derivative) == ("Qwen/Qwen3-32B", relation, True)


@pytest.mark.parametrize(
    ("name", "total", "active"),
    [
        ("Qwen/Qwen3-235B-A22B", 235_000_000_000, 22_000_000_000),
        ("inclusionAI/Ling-1T", 10**12, None),
        ("ibm-granite/granite-3.1-1b-a400m-instruct", 10**9, 400_000_000),
        ("Qwen/Qwen3-0.6B", 600_000_000, None),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", None, 17_000_000_000),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", None, None),
        ("microsoft/Phi-3-mini-128k-instruct", None, None),
        ("google/gemma-3n-E4B-it", None, None),
    ],
)
def test_params_from_the_name(name, total, active):
    assert params_from_name(name) == (total, active)


def test_metadata_params_win_over_the_name_and_are_marked():
    count = count_params("Qwen/Qwen3-30B-A3B", {"total": 30_532_122_624})
    assert (count.total, count.total_source, count.active, count.active_source) == (
        30_532_122_624,
        "safetensors",
        3 * 10**9,
        "name",
    )
    count = count_params("Qwen/Qwen3-30B-A3B")
    assert (count.total, count.total_source) == (30 * 10**9, "name")
    assert count_params("x/y", None, {"total": 5, "context_length": 4096}).total_source == "gguf"


def test_context_length_from_config():
    assert context_from_config({"max_position_embeddings": 131072}) == 131072
    assert context_from_config({"text_config": {"max_position_embeddings": 32768}}) == 32768
    assert context_from_config({"model_max_length": 10**30}) is None
    assert context_from_config(None, {"context_length": 262144}) == 262144


def test_epoch_labels():
    assert epoch_label("open", "permissive") == "open weights (unrestricted)"
    assert epoch_label("gated", "open-weights-restricted") == "open weights (restricted)"
    assert epoch_label("open", "non-commercial") == "open weights (non-commercial)"
    assert epoch_label("api-only", None) == "API access"


# ───────────── benchmarks ─────────────


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("MMLU-Pro", "MMLU-Pro"),
        ("GPQA Diamond", "GPQA Diamond"),
        ("AIME24", "AIME 2024"),
        ("aime 2025", "AIME 2025"),
        ("LiveCodeBench (v5)", "LiveCodeBench v5"),
        ("LiveCodeBench v6", "LiveCodeBench v6"),
        ("SWE-bench Verified", "SWE-bench Verified"),
        ("Arena-Hard v2.0", "Arena-Hard v2"),
        ("MMLU (5-Shot)", "MMLU"),
    ],
)
def test_benchmark_aliases(raw, canonical):
    assert canonical_name(raw) == (canonical, True)


def test_model_index_scores_with_settings_units_and_reporter(corpus):
    card = parse_card(
        (corpus / "huggingface" / "cards" / "modelscope_mirror" / "mistralai__Mixtral-8x22B-v0.1.md").read_bytes(),
        max_bytes=4 << 20,
    )
    scores = {s.qualifier: s for s in scores_from_model_index(card.get("model-index"))}
    arc = scores["ARC-Challenge [25-shot]"]
    assert (arc.value, arc.unit, arc.reporter, arc.verified) == (Decimal("70.48"), "%", "vendor", False)
    assert "MMLU [5-shot]" in scores and "GSM8K [5-shot]" in scores
    bloom = parse_card((corpus / "huggingface" / "cards" / "bigscience__bloom.md").read_bytes(), max_bytes=4 << 20)
    humaneval = {s.qualifier: s for s in scores_from_model_index(bloom.get("model-index"))}["HumanEval [pass@1]"]
    assert humaneval.unit == "fraction" and humaneval.value == Decimal("0.15542682926829265")


def test_verified_scores_and_unknown_benchmarks():
    index = [
        {
            "results": [
                {
                    "dataset": {"name": "Internal Eval (thinking)"},
                    "metrics": [{"type": "accuracy", "value": 81.5, "verified": True}],
                },
                {"dataset": {"name": "x"}, "metrics": [{"type": "accuracy", "value": "n/a"}]},
                "junk",
            ]
        },
        "junk",
    ]
    [score] = scores_from_model_index(index)
    assert (score.benchmark, score.known, score.settings) == ("Internal Eval (thinking)", False, "thinking")
    assert (score.reporter, score.verified) == ("aggregator", True)


# ───────────── identity ─────────────


def test_normalized_names_match_without_substrings():
    assert name_form("Qwen2.5-72B-Instruct") == name_form("qwen-2.5-72b-instruct")
    assert repo_name_key("Qwen/Qwen2.5-72B-Instruct") in openrouter_name_keys("qwen/qwen-2.5-72b-instruct")
    assert repo_name_key("deepseek-ai/DeepSeek-R1") in openrouter_name_keys("deepseek/deepseek-r1")
    assert repo_name_key("Qwen/Qwen3-32B-AWQ") not in openrouter_name_keys("qwen/qwen3-32b")
