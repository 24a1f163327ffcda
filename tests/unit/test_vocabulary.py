"""The shared vocabulary: one rule for the price shown for a model, one way to write money and units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tracker import vocabulary as v

UTC = dt.UTC


def day(d: int) -> dt.datetime:
    return dt.datetime(2026, 3, d, tzinfo=UTC)


@dataclass
class P:
    subject: str
    component: str
    amount: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime | None = None
    tier: str = ""
    source: str = "openrouter"
    provider: str | None = None


@pytest.mark.parametrize(
    ("offers", "openrouter_id", "key", "shown"),
    [
        (["qwen/qwen3-max", "qwen/qwen3-max:free"], "qwen/qwen3-max", "qwen/qwen3-max", "qwen/qwen3-max"),
        # its own listing wins even over an offer named like the key
        (["a/x", "a/x-2"], "a/x-2", "a/x", "a/x-2"),
        # no OpenRouter id: the offer named like the key
        (["a/b", "a/x", "a/x:free"], None, "a/x", "a/x"),
        # neither: the first offer that is not a variant, then the first variant
        (["b/y:free", "b/y", "a/z:beta"], None, "k", "b/y"),
        (["zeta/zed-2-lite:free", "zeta/zed-2-lite:beta"], None, "zeta/zed-2-lite", "zeta/zed-2-lite:beta"),
        ([], "a/x", "a/x", None),
    ],
)
def test_shown_offer(offers, openrouter_id, key, shown):
    assert v.shown_offer(offers, openrouter_id=openrouter_id, key=key) == shown


HISTORY = [
    P("q/m", "prompt", "1.2", day(2), day(17)),
    P("q/m", "prompt", "0.78", day(17)),
    P("q/m", "completion", "6", day(2)),
    P("q/m", "prompt", "1.56", day(17), tier="prompt>=32000"),
    P("q/m:free", "prompt", "0", day(2)),
    P("q/m", "prompt", "0.5", day(2), provider="cheap-host"),  # one provider's offer, not OpenRouter's price
    P("q/m", "prompt", "0.1", day(2), source="peers"),  # a catalog's copy, not the API
    P("q/m", "completion", "9", day(25)),  # first seen after the moments asked about below
]


@pytest.mark.parametrize(
    ("at", "all_tiers", "expected"),
    [
        # now: the open rows of the base tier (of two open rows, the newer one)
        (None, False, {("prompt", ""): "0.78", ("completion", ""): "9"}),
        (None, True, {("prompt", ""): "0.78", ("completion", ""): "9", ("prompt", "prompt>=32000"): "1.56"}),
        # in the past: the newest price first seen before that moment
        (day(10), False, {("prompt", ""): "1.2", ("completion", ""): "6"}),
        (day(18), False, {("prompt", ""): "0.78", ("completion", ""): "6"}),
        (day(2), False, {}),
    ],
)
def test_prices_in_force(at, all_tiers, expected):
    found = v.prices_in_force(HISTORY, "q/m", at=at, all_tiers=all_tiers)
    assert {slot: p.amount for slot, p in found.items()} == expected


def test_shown_prices_are_the_shown_offers_base_prices():
    shown = v.shown_prices(HISTORY, offers={"q/m", "q/m:free"}, openrouter_id="q/m", key="q/m", at=day(20))
    assert {c: p.amount for c, p in shown.items()} == {"prompt": "0.78", "completion": "6"}
    free_only = v.shown_prices(HISTORY, offers={"q/m:free"}, openrouter_id=None, key="q/m")
    assert {c: p.amount for c, p in free_only.items()} == {"prompt": "0"}
    assert v.shown_prices(HISTORY, offers=(), openrouter_id="q/m", key="q/m") == {}


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1.2"), "$1.20"),
        (Decimal("0.78"), "$0.78"),
        (Decimal("0.000156"), "$0.000156"),
        (Decimal("15"), "$15.00"),
        (Decimal("1E-7"), "$0.0000001"),
        ("2.4375", "$2.4375"),
        (None, "—"),
    ],
)
def test_usd(amount, text):
    assert v.usd(amount) == text


@pytest.mark.parametrize(
    ("unit", "text"),
    [
        ("mtok", "per 1M tokens"),
        ("usd_per_mtok", "per 1M tokens"),
        ("request", "per request"),
        ("usd_per_request", "per request"),
        ("usd_per_image", "per image"),
        ("usd_per_search", "per search"),
        ("usd_per_unit", "per unit"),
        ("usd_per_video_second", "per video second"),
        (None, "per 1M tokens"),
    ],
)
def test_unit_label(unit, text):
    assert v.unit_label(unit) == text


def test_labels():
    assert (v.component_label("prompt"), v.component_words("prompt")) == ("Input", "input")
    assert (v.component_label("request"), v.component_words("request")) == ("Per request", "request fee")
    assert (v.component_label("video_frames"), v.component_words("video_frames")) == ("Video frames", "video frames")
    assert v.component_rank("completion") < v.component_rank("input_cache_read") < v.component_rank("zzz")
    assert v.kind_label("price_changed") == "Price change" and v.kind_label("something_new") == "Something new"
    assert v.attribute_label("params_total") == "Parameters (total)"
    assert v.reporter_label("primary") == "primary API" and v.reporter_label("blog") == "blog"
    assert v.percent("-35") == "−35%" and v.percent(Decimal("12.5")) == "+12.5%" and v.percent(None) == ""
