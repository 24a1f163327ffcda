"""Typed events both ways: what the encoder stores, :func:`decode` gives back as the same typed event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tracker.events.types import (
    EVENT_KINDS,
    AliasChanged,
    BenchmarkClaimAdded,
    CheapestOfferChanged,
    ClaimDisputed,
    ContextLengthChanged,
    DisputeResolved,
    Event,
    EventDataError,
    GatingChanged,
    LicenseChanged,
    ModelAdded,
    ModelDelisted,
    ModelReleased,
    ModelRenamed,
    OfferAdded,
    OfferRemoved,
    OpenWeightStatusChanged,
    PriceChanged,
    RetirementAnnounced,
    decode,
)

AT = dt.datetime(2026, 3, 17, 19, 34, tzinfo=dt.UTC)
BASE = {"subject": "qwen/qwen3-max", "source": "openrouter", "detected_at": AT, "model_key": "qwen/qwen3-max"}

EXAMPLES: list[Event] = [
    ModelAdded(**BASE, name="Qwen: Qwen3 Max", relisted=True, context_length=262144, prices={"prompt": "1.2"}),
    ModelDelisted(**BASE, name="Qwen: Qwen3 Max", variant="free"),
    PriceChanged(
        **BASE,
        component="prompt",
        tier="prompt>=32000",
        min_prompt_tokens=32000,
        old=Decimal("1.2"),
        new=Decimal("0.78"),
        old_status="priced",
        new_status="priced",
        percent=Decimal("-35"),
        old_raw="0.0000012",
        new_raw="0.00000078",
    ),
    PriceChanged(**BASE, component="request", unit="usd_per_request", new=Decimal("0.000001"), new_status="priced"),
    ContextLengthChanged(**BASE, old=131072, new=262144),
    AliasChanged(**BASE, old="a/x", new="a/y"),
    ModelReleased(**BASE, name="Qwen3", vendor="qwen", license_key="Apache-2.0", open_weight_status="open"),
    LicenseChanged(**BASE, old=None, new="Apache-2.0", old_class=None, new_class="permissive"),
    OpenWeightStatusChanged(**BASE, old="api-only", new="open", evidence={"files": ["a.safetensors"], "n": 2}),
    GatingChanged(**BASE, old="false", new="manual"),
    BenchmarkClaimAdded(**BASE, benchmark="MMLU", value="88.1", unit="%", reporter="press", self_reported=False),
    ClaimDisputed(
        **BASE,
        attribute="context_length",
        qualifier="",
        shown="262144",
        contrary="128000",
        shown_source="openrouter",
        contrary_source="press",
        quote="a 128K context",
        url="https://example.com/a",
    ),
    DisputeResolved(**BASE, attribute="openness", value="api-only"),
    ModelRenamed(**BASE, old_id="qwen/qwen-3-max", name="Qwen: Qwen3 Max", by="canonical_slug"),
    OfferAdded(**BASE, offer="alibaba/fp8", provider="Alibaba", quantization="fp8", prompt=Decimal("1.2")),
    OfferRemoved(**BASE, offer="alibaba/fp8", provider="Alibaba", quantization="fp8"),
    CheapestOfferChanged(
        **BASE,
        old_offer="a/fp8",
        new_offer="b/bf16",
        old_provider="A",
        new_provider="B",
        old_prompt=Decimal("1.2"),
        new_prompt=Decimal("0.78"),
    ),
    RetirementAnnounced(**BASE, retires_on="2026-09-30", previous="2026-08-31", url="https://example.com/d"),
]


def test_every_kind_has_an_example():
    assert {type(e) for e in EXAMPLES} == set(EVENT_KINDS.values())


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.kind)
def test_decode_is_the_inverse_of_data(event):
    back = decode(event.kind, event.data(), subject=event.subject, source=event.source, detected_at=AT)
    assert back == event and type(back) is type(event)
    assert type(event).from_data(event.data(), subject=event.subject, source=event.source, detected_at=AT) == event


def test_decoded_values_have_their_types():
    stored = {"component": "prompt", "old": "1.2", "new": "0.78", "percent": "-35", "min_prompt_tokens": "32000"}
    event = decode("price_changed", stored, subject="s", source="openrouter", detected_at=AT)
    assert isinstance(event, PriceChanged)
    assert (event.old, event.new, event.percent) == (Decimal("1.2"), Decimal("0.78"), Decimal("-35"))
    assert event.min_prompt_tokens == 32000 and event.unit == "usd_per_mtok" and event.tier == ""


def test_keys_a_kind_does_not_have_are_ignored():
    event = decode("model_delisted", {"name": "x", "retired_by": "vendor"}, subject="s", source="o", detected_at=AT)
    assert event == ModelDelisted(subject="s", source="o", detected_at=AT, name="x")


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("model_exploded", {}, "unknown event kind 'model_exploded'"),
        ("price_changed", {}, "component"),  # a required field is missing
        ("price_changed", {"component": "prompt", "new": "cheap"}, "new is not a decimal number"),
        ("price_changed", {"component": "prompt", "new": "NaN"}, "new is not a finite number"),
        ("price_changed", {"component": "prompt", "new": True}, "new is not a decimal number"),
        ("context_length_changed", {"new": 1.5}, "new is not an integer"),
        ("model_added", {"relisted": "yes"}, "relisted is not true or false"),
        ("model_added", {"prices": ["1.2"]}, "prices is not an object"),
        ("claim_disputed", {"attribute": ["x"]}, "attribute is not text"),
        ("model_added", ["not", "an", "object"], "data is not an object"),
    ],
)
def test_broken_rows_are_clear_errors(kind, data, message):
    with pytest.raises(EventDataError, match=message):
        decode(kind, data, subject="s", source="o", detected_at=AT)
