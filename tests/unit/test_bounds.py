"""Bounds at normalization: what one database would refuse is a named rejection of that record."""

import datetime as dt

import pytest
from helpers.corpus import hub_detail

from tracker.errors import NormalizationError
from tracker.normalize.bounds import clean_text
from tracker.normalize.huggingface import CardOutcome, build_facts, listing_entry, normalize_detail
from tracker.normalize.openrouter import normalize_entry
from tracker.normalize.params import params_from_name

ENTRY = {
    "id": "qwen/qwen3-max",
    "name": "Qwen: Qwen3 Max",
    "created": 1758662808,
    "context_length": 262144,
    "architecture": {"modality": "text->text", "input_modalities": ["text"], "output_modalities": ["text"]},
    "pricing": {"prompt": "0.0000012", "completion": "0.000006"},
    "top_provider": {"max_completion_tokens": 65536},
}

REJECTED = [
    ({"pricing": {"prompt": "1e1000000", "completion": "0"}}, "price-out-of-range"),
    ({"pricing": {"prompt": "1" * 4301, "completion": "0"}}, "price-out-of-range"),
    ({"pricing": {"prompt": 10**5000, "completion": "0"}}, "price-out-of-range"),
    ({"pricing": {"prompt": "5e6", "completion": "0"}}, "price-out-of-range"),
    ({"pricing": {"prompt": "1e-30", "completion": "0"}}, "price-out-of-range"),
    ({"pricing": {"prompt": "NaN", "completion": "0"}}, "unparsable-price"),
    ({"pricing": {"prompt": "0.1", "completion": "0", "x" * 49: "0.1"}}, "bad-price-key"),
    ({"pricing": {"prompt": "0.1", "completion": "0", "overrides": [{"min_prompt_tokens": 2**40}]}}, "bad-tier"),
    ({"context_length": "²"}, "bad-field"),
    ({"context_length": "9" * 4301}, "out-of-range"),
    ({"context_length": 2**63}, "out-of-range"),
    ({"context_length": 2**31}, "out-of-range"),
    ({"context_length": 1e300}, "out-of-range"),
    ({"context_length": -1}, "bad-field"),
    ({"top_provider": {"max_completion_tokens": 2**64}}, "out-of-range"),
    ({"created": 10**20}, "out-of-range"),
    ({"created": -62135596800}, "out-of-range"),  # year 1
    ({"name": 10**5000}, "out-of-range"),
    ({"name": float("nan")}, "bad-field"),
    ({"architecture": {"input_modalities": "text"}}, "bad-field"),
]


@pytest.mark.parametrize(("change", "reason"), REJECTED)
def test_openrouter_values_beyond_the_bounds_reject_the_entry(change, reason):
    with pytest.raises(NormalizationError) as info:
        normalize_entry({**ENTRY, **change})
    assert info.value.reason == reason
    assert len(str(info.value)) < 400  # one readable line, not the whole input


def test_limits_that_fit_are_accepted():
    model = normalize_entry({**ENTRY, "context_length": 2**31 - 1, "pricing": {"prompt": "0.5", "completion": "0"}})
    assert model.context_length == 2**31 - 1


def test_an_unexpected_exception_is_a_malformed_rejection(monkeypatch):
    def explode(_pricing):
        raise ZeroDivisionError("upstream surprise")

    monkeypatch.setattr("tracker.normalize.openrouter.normalize_pricing", explode)
    with pytest.raises(NormalizationError) as info:
        normalize_entry(ENTRY)
    assert (info.value.reason, info.value.detail) == ("malformed", "ZeroDivisionError: upstream surprise")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Qwen\x00 Max", "Qwen Max"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("a\u2066b\u2069c\u200f", "abc"),
        ("bell\x07 esc\x1b[31m", "bell esc[31m"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("plain", "plain"),
    ],
)
def test_text_is_cleaned_of_nul_controls_and_bidi_overrides(raw, clean):
    assert clean_text(raw) == clean
    model = normalize_entry({**ENTRY, "name": raw, "description": raw})
    assert model.name == clean and model.description == clean


def test_the_hub_rejects_a_safetensors_total_beyond_64_bits():
    detail = normalize_detail(hub_detail("org/huge", safetensors={"parameters": {"BF16": 10**20}, "total": 10**20}))
    with pytest.raises(NormalizationError) as info:
        build_facts(detail, CardOutcome("unavailable"))
    assert info.value.reason == "out-of-range"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0001-01-01T00:00:00.000Z", "out-of-range"),
        ("0001-01-01T00:00:00+01:00", "bad-field"),  # would overflow converting to UTC
        ("9999-12-31T23:59:59Z", "out-of-range"),
        ("2" * 4301, "bad-field"),
    ],
)
def test_hub_times_beyond_a_sane_range_reject_the_entry(value, reason):
    raw = {"id": "org/repo", "lastModified": value}
    with pytest.raises(NormalizationError) as info:
        listing_entry(raw, watched=True)
    assert info.value.reason == reason
    with pytest.raises(NormalizationError):
        normalize_detail(hub_detail("org/repo", lastModified=value))


def test_hub_text_is_cleaned():
    detail = normalize_detail(hub_detail("org/repo", pipeline_tag="text\x00-generation", tags=["a\u202eb"]))
    assert detail.pipeline_tag == "text-generation" and detail.tags == ("ab",)
    assert listing_entry({"id": "org/repo", "lastModified": "2026-01-01T00:00:00Z"}, watched=True).last_modified == (
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("org/Model-7B", (7 * 10**9, None)),
        ("org/Model-99999999999T", (None, None)),  # beyond 64 bits: not read
        ("org/Model-" + "9" * 400 + "B", (None, None)),
        ("org/Qwen3-235B-A22B", (235 * 10**9, 22 * 10**9)),
    ],
)
def test_sizes_in_names_beyond_64_bits_are_not_read(name, expected):
    assert params_from_name(name) == expected
