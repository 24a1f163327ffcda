from decimal import Decimal

import pytest

from tracker.errors import NormalizationError
from tracker.normalize.pricing import PriceStatus, normalize_pricing, percent_change, price_value


@pytest.mark.parametrize(
    ("raw", "per_mtok"),
    [
        ("0.0000012", Decimal("1.2")),
        ("0.00000078", Decimal("0.78")),
        ("0.0000024375", Decimal("2.4375")),
        # float noise from upstream: rounded to 7 significant digits
        ("0.00000020000000000000002", Decimal("0.2")),
        ("0.0000000799999993", Decimal("0.08")),
        ("0.0000000100000002", Decimal("0.01")),
        ("0.00000008333333333333334", Decimal("0.08333333")),
        ("0.0000000681536", Decimal("0.0681536")),
        (0.000003, Decimal("3")),
    ],
)
def test_prices_become_exact_usd_per_million_tokens(raw, per_mtok):
    value = price_value("prompt", raw)
    assert value.status is PriceStatus.PRICED
    assert value.usd_per_mtok == per_mtok
    assert isinstance(value.usd_per_mtok, Decimal)
    assert value.raw == str(raw)


def test_noise_and_clean_string_compare_equal():
    assert price_value("prompt", "0.00000020000000000000002").same_price(price_value("prompt", "0.0000002"))


def test_sentinels_are_states_not_numbers():
    free = price_value("completion", "0")
    dynamic = price_value("completion", "-1")
    missing = price_value("completion", None)
    assert (free.status, free.usd_per_mtok) == (PriceStatus.FREE, Decimal(0))
    assert (dynamic.status, dynamic.usd_per_mtok) == (PriceStatus.DYNAMIC, None)
    assert (missing.status, missing.usd_per_mtok) == (PriceStatus.UNKNOWN, None)
    assert not free.same_price(missing)


def test_per_unit_components_keep_their_unit():
    request = price_value("request", "0.005")
    search = price_value("web_search", "0.01")
    assert (request.unit, request.usd_per_unit, request.usd_per_mtok) == ("request", Decimal("0.005"), None)
    assert (search.unit, search.usd_per_unit) == ("search", Decimal("0.01"))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "unparsable-price"),
        ("-0.5", "negative-price"),
        ("NaN", "unparsable-price"),
        ([1], "unparsable-price"),
        (True, "unparsable-price"),
    ],
)
def test_garbage_prices_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(NormalizationError) as info:
        price_value("prompt", raw)
    assert info.value.reason == reason


def test_tiers_keep_their_condition():
    prices = normalize_pricing(
        {
            "prompt": "0.00000078",
            "completion": "0.0000039",
            "overrides": [
                {"min_prompt_tokens": 32000, "prompt": "0.00000156", "completion": "0.0000078"},
                {"min_prompt_tokens": 128000, "prompt": "0.00000195", "completion": "0.00000975"},
            ],
        }
    )
    tiers = {(p.component, p.min_prompt_tokens): p.usd_per_mtok for p in prices}
    assert tiers[("prompt", None)] == Decimal("0.78")
    assert tiers[("prompt", 32000)] == Decimal("1.56")
    assert tiers[("completion", 128000)] == Decimal("9.75")
    assert {p.tier for p in prices} == {"", "prompt>=32000", "prompt>=128000"}


def test_missing_required_component_is_unknown_and_missing_pricing_is_rejected():
    prices = {p.component: p for p in normalize_pricing({"prompt": "0.000001"})}
    assert prices["completion"].status is PriceStatus.UNKNOWN
    with pytest.raises(NormalizationError) as info:
        normalize_pricing(None)
    assert info.value.reason == "missing-pricing"


def test_percent_change():
    assert percent_change(Decimal("1.2"), Decimal("0.78")) == Decimal("-35.00")
    assert percent_change(Decimal("0"), Decimal("1")) is None
