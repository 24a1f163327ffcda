import datetime as dt
from decimal import Decimal

from tracker.events.diff import ListingState, diff_listings
from tracker.normalize.pricing import price_value

T = dt.datetime(2026, 3, 17, tzinfo=dt.UTC)


def state(listing_id, prompt="0.0000012", context=262144, hash_=None, listed=True, **prices):
    values = {"prompt": prompt, "completion": "0.000006", **prices}
    return ListingState(
        id=listing_id,
        model_key=listing_id.split(":")[0],
        content_hash=hash_ or f"{prompt}-{context}-{sorted(prices.items())}",
        context_length=context,
        prices={(c, ""): price_value(c, v) for c, v in values.items()},
        listed=listed,
    )


def test_price_cut_gives_one_typed_event_with_percent():
    result = diff_listings(
        {"q": state("q")}, {"q": state("q", prompt="0.00000078")}, source="openrouter", detected_at=T, complete=True
    )
    [event] = result.events
    assert event.kind == "price_changed"
    assert (event.component, event.old, event.new, event.percent) == (
        "prompt",
        Decimal("1.2"),
        Decimal("0.78"),
        Decimal("-35.00"),
    )
    assert event.detected_at == T


def test_equal_decimals_with_different_strings_make_no_event():
    before = state("c", prompt="0.00000020000000000000002", hash_="a")
    after = state("c", prompt="0.0000002", hash_="b")
    assert diff_listings({"c": before}, {"c": after}, source="openrouter", detected_at=T, complete=True).events == []


def test_delisting_only_from_a_complete_listing():
    previous = {"a": state("a"), "b": state("b")}
    current = {"a": state("a")}
    partial = diff_listings(previous, current, source="openrouter", detected_at=T, complete=False)
    assert partial.delisted == [] and partial.events == []
    complete = diff_listings(previous, current, source="openrouter", detected_at=T, complete=True)
    assert complete.delisted == ["b"]
    assert [e.kind for e in complete.events] == ["model_delisted"]


def test_relisted_model_is_added_again():
    result = diff_listings(
        {"a": state("a", listed=False)}, {"a": state("a")}, source="openrouter", detected_at=T, complete=True
    )
    [event] = result.events
    assert event.kind == "model_added" and event.relisted


def test_context_change_and_new_tier_component():
    before = state("m", context=256000)
    after = state("m", context=131072, image="0")
    kinds = [
        e.kind for e in diff_listings({"m": before}, {"m": after}, source="s", detected_at=T, complete=True).events
    ]
    assert kinds == ["context_length_changed"]  # an optional $0 component appearing is not a change
    after2 = state("m", context=256000, hash_="other", image="0.001")
    [event] = diff_listings({"m": before}, {"m": after2}, source="s", detected_at=T, complete=True).events
    assert (event.component, event.old_status, event.new_status) == ("image", "absent", "priced")


def test_same_hash_means_no_event_even_if_states_differ():
    before = state("m", hash_="h")
    after = state("m", prompt="0.000009", hash_="h")
    result = diff_listings({"m": before}, {"m": after}, source="s", detected_at=T, complete=True)
    assert result.events == [] and result.unchanged == 1
