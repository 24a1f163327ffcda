import pytest
from helpers.corpus import load, openrouter_snapshots, snapshot

from tracker.errors import NormalizationError
from tracker.normalize.openrouter import (
    OpenRouterAliasRecord,
    OpenRouterModel,
    normalize_entry,
    snapshot_from_payload,
)
from tracker.store.runs import utcnow

ENTRY = {
    "id": "qwen/qwen3-max",
    "name": "Qwen: Qwen3 Max",
    "created": 1758662808,
    "context_length": 262144,
    "hugging_face_id": "",
    "architecture": {"modality": "text->text", "input_modalities": ["text"], "output_modalities": ["text"]},
    "pricing": {"prompt": "0.0000012", "completion": "0.000006"},
    "top_provider": {"max_completion_tokens": 65536},
}


def test_every_corpus_snapshot_parses_with_zero_rejections(corpus):
    files = openrouter_snapshots(corpus)
    assert len(files) == 15
    for path in files:
        snap = snapshot_from_payload(load(path), observed_at=utcnow())
        assert snap.rejections == [], path.name
        assert snap.complete, path.name
        assert len(snap.models) + len(snap.aliases) == len(load(path)["data"])


def test_schema_growth_old_and_new_shapes(corpus):
    old = {m.id: m for m in snapshot_from_payload(load(snapshot(corpus, "2024-11-10")), observed_at=utcnow()).models}
    new = {m.id: m for m in snapshot_from_payload(load(snapshot(corpus, "2026-08-22")), observed_at=utcnow()).models}
    assert all(m.hugging_face_id is None and m.canonical_slug is None for m in old.values())
    assert new["openai/gpt-oss-120b"].hugging_face_id == "openai/gpt-oss-120b"
    assert new["qwen/qwen3-max"].hugging_face_id is None  # "" upstream means none


def test_free_variants_and_aliases():
    free = normalize_entry({**ENTRY, "id": "openai/gpt-oss-20b:free"})
    assert isinstance(free, OpenRouterModel)
    assert (free.base_id, free.variant, free.vendor) == ("openai/gpt-oss-20b", "free", "openai")
    alias = normalize_entry({**ENTRY, "id": "~openai/gpt-latest", "alias_target": {"slug": "openai/gpt-5.6-sol"}})
    assert isinstance(alias, OpenRouterAliasRecord)
    assert alias.target_id == "openai/gpt-5.6-sol"


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({**ENTRY, "id": "../../etc/passwd"}, "invalid-id"),
        ({**ENTRY, "id": "qwen/../secret"}, "invalid-id"),
        ({**ENTRY, "id": 42}, "invalid-id"),
        ({k: v for k, v in ENTRY.items() if k != "pricing"}, "missing-pricing"),
        ({**ENTRY, "pricing": {"prompt": "abc", "completion": "0"}}, "unparsable-price"),
        ({**ENTRY, "pricing": {"prompt": "-0.000001", "completion": "0"}}, "negative-price"),
        ({**ENTRY, "context_length": "abc"}, "bad-field"),
        ({**ENTRY, "context_length": -5}, "bad-field"),
        ("not an object", "not-an-object"),
    ],
)
def test_garbage_entries_are_rejected_with_reasons(entry, reason):
    with pytest.raises(NormalizationError) as info:
        normalize_entry(entry)
    assert info.value.reason == reason


def test_snapshot_counts_rejections_and_keeps_good_models():
    payload = {"data": [ENTRY, {**ENTRY, "id": "bad id"}, {**ENTRY, "id": "x/y", "pricing": "free"}, ENTRY]}
    snap = snapshot_from_payload(payload, observed_at=utcnow())
    assert [m.id for m in snap.models] == ["qwen/qwen3-max"]
    assert sorted(r.reason for r in snap.rejections) == ["duplicate-id", "invalid-id", "missing-pricing"]


def test_total_count_mismatch_makes_the_listing_incomplete():
    snap = snapshot_from_payload({"data": [ENTRY], "total_count": 3}, observed_at=utcnow())
    assert not snap.complete
