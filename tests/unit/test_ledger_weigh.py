"""The ledger's weighing of one claim group, without a database: statuses, disputes, events, the rule seam."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tracker.claims.ledger import (
    Announce,
    ClaimGroup,
    ModelFacts,
    OpenDispute,
    ResolveDispute,
    Rules,
    SetStatus,
    StoredClaim,
    StoredDispute,
    UpdateDispute,
    weigh,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MODEL = ModelFacts(id=1, key="acme/rocket-7b", openrouter_id="acme/rocket-7b")


def claim(claim_id: int, value: str, reporter: str, source: str, **fields) -> StoredClaim:
    attribute = fields.pop("attribute", "context_length")
    number = Decimal(value) if value.replace(".", "").isdigit() else None
    return StoredClaim(
        id=claim_id,
        model_id=MODEL.id,
        attribute=attribute,
        qualifier=fields.pop("qualifier", ""),
        value=value,
        reporter=reporter,
        source=source,
        value_num=fields.pop("value_num", number),
        url=fields.pop("url", f"https://{source}.example/{claim_id}"),
        fetched_at=fields.pop("fetched_at", T0),
        **fields,
    )


def group(*claims: StoredClaim, model: ModelFacts = MODEL, dispute: StoredDispute | None = None) -> ClaimGroup:
    return ClaimGroup(model, claims[0].attribute if claims else "context_length", "", tuple(claims), dispute)


def changes(intents) -> dict[int, str]:
    """The statuses the intents set (only those that change are written)."""
    return {i.claim_id: i.status for i in intents if isinstance(i, SetStatus)}


def statuses(intents, claims) -> dict[int, str]:
    """Every claim's status after the intents are applied."""
    return {c.id: c.status for c in claims} | changes(intents)


def kinds(intents) -> list[str]:
    return [
        type(i).__name__ if not isinstance(i, Announce) else i.event.kind
        for i in intents
        if not isinstance(i, SetStatus)
    ]


VENDOR = claim(1, "131072", "vendor", "acme")
PRESS_OK = claim(2, "128000", "press", "news", extra={"as_written": "128K"})
PRESS_BAD = claim(3, "32000", "press", "blog", quote="Rocket reads 32K tokens.", extra={"as_written": "32K"})


@pytest.mark.parametrize(
    ("claims", "model", "expected_statuses", "expected_kinds"),
    [
        # no API value: the vendor is shown, the press is weighed against it within tolerance
        (
            (VENDOR, PRESS_OK, PRESS_BAD),
            MODEL,
            {1: "shown", 2: "consistent", 3: "disputed"},
            ["claim_disputed", "OpenDispute"],
        ),
        # everybody agrees: no dispute
        ((VENDOR, PRESS_OK), MODEL, {1: "shown", 2: "consistent"}, []),
        # the primary claim equal to the model's shown column wins over the vendor; a window served
        # larger than the vendor's native one disputes it (a smaller one is a choice of the host)
        (
            (claim(4, "32000", "primary", "openrouter", extra={"follows": "api"}), claim(1, "16384", "vendor", "acme")),
            replace(MODEL, context_length=32000),
            {4: "shown", 1: "disputed"},
            ["claim_disputed", "OpenDispute"],
        ),
        # two primary claims never dispute each other: the served 32K is consistent with a native 128K
        (
            (
                claim(4, "32000", "primary", "openrouter", extra={"follows": "api"}),
                claim(5, "131072", "primary", "huggingface"),
            ),
            replace(MODEL, context_length=32000),
            {4: "shown", 5: "consistent"},
            [],
        ),
        # a superseded API claim is ignored: the vendor is shown
        (
            (claim(4, "32000", "primary", "openrouter", extra={"follows": "api", "superseded_at": "x"}), VENDOR),
            MODEL,
            {4: "unchecked", 1: "shown"},
            [],
        ),
        # two claims of one document are not weighed against each other
        (
            (
                claim(1, "131072", "vendor", "acme", url="https://acme/post"),
                claim(2, "32000", "vendor", "acme", url="https://acme/post"),
            ),
            MODEL,
            {1: "shown", 2: "unchecked"},
            [],
        ),
        # the press's benchmark scores are not checked against another outlet's
        (
            (
                claim(1, "71.2", "press", "news", attribute="benchmark"),
                claim(2, "60.0", "press", "blog", attribute="benchmark", published_at=T0 - dt.timedelta(days=1)),
            ),
            MODEL,
            {1: "shown", 2: "unchecked"},
            [],
        ),
    ],
)
def test_one_group_is_weighed_by_precedence_and_tolerance(claims, model, expected_statuses, expected_kinds):
    intents = weigh(group(*claims, model=model), [], now=T0)
    assert statuses(intents, claims) == expected_statuses
    assert kinds(intents) == expected_kinds


def test_unchanged_statuses_and_dispute_give_no_intent():
    first = weigh(group(VENDOR, PRESS_OK, PRESS_BAD), [], now=T0)
    [opened] = [i for i in first if isinstance(i, OpenDispute)]
    settled = tuple(replace(c, status=changes(first)[c.id]) for c in (VENDOR, PRESS_OK, PRESS_BAD))
    again = weigh(group(*settled, dispute=StoredDispute(9, "open", opened.data)), [], now=T0 + dt.timedelta(days=1))
    assert again == []


def test_a_dispute_is_resolved_when_the_contrary_claim_goes_and_reopened_when_it_comes_back():
    shown = replace(VENDOR, status="shown")
    resolved = weigh(group(shown, dispute=StoredDispute(9, "open", {"contrary": [3]})), [], now=T0)
    assert [type(i).__name__ for i in resolved] == ["ResolveDispute", "Announce"]
    assert resolved[0] == ResolveDispute(9, shown.id) and resolved[1].event.value == "131072"
    reopened = weigh(group(shown, PRESS_BAD, dispute=StoredDispute(9, "resolved", {})), [], now=T0)
    [update] = [i for i in reopened if isinstance(i, UpdateDispute)]
    assert (update.dispute_id, update.reopen, update.data["contrary"]) == (9, True, [3])


PRICES = [
    SimpleNamespace(
        status="priced", usd_per_mtok=Decimal("1.20"), first_seen_at=T0, last_seen_at=T0 + dt.timedelta(days=60)
    ),
    SimpleNamespace(
        status="priced", usd_per_mtok=Decimal("0.80"), first_seen_at=T0 + dt.timedelta(days=60), last_seen_at=None
    ),
]


HISTORY = {(MODEL.openrouter_id, "prompt"): PRICES}


def price(claim_id: int, value: str, reporter: str, source: str, **fields) -> StoredClaim:
    return claim(
        claim_id, value, reporter, source, attribute="price", qualifier="prompt", unit="usd_per_mtok", **fields
    )


@pytest.mark.parametrize(
    ("said", "published", "expected"),
    [
        ("1.20", T0 + dt.timedelta(days=10), "outdated"),  # the price of the time, since cut: true until the cut
        ("1.20", T0 + dt.timedelta(days=90), "disputed"),  # said after the cut
        ("0.80", T0 + dt.timedelta(days=90), "consistent"),
        ("1.20", None, "outdated"),  # undated: a price the API has had
        ("2.00", None, "disputed"),
    ],
)
def test_a_price_is_compared_with_the_api_price_in_effect_when_it_was_said(said, published, expected):
    api = price(1, "0.80", "primary", "openrouter", extra={"follows": "api"})
    press = price(2, said, "press", "news", published_at=published)
    intents = weigh(ClaimGroup(MODEL, "price", "prompt", (api, press)), HISTORY, now=T0)
    assert statuses(intents, (api, press))[2] == expected


def test_the_rules_are_pluggable():
    calls = []

    def never(row, shown, primaries, model, history, documents):
        calls.append((shown.id, row.id))
        return None

    intents = weigh(group(VENDOR, PRESS_BAD), {}, now=T0, rules=Rules(weigh_claim=never))
    assert statuses(intents, (VENDOR, PRESS_BAD)) == {1: "shown", 3: "unchecked"} and calls == [(1, 3)]
    assert kinds(intents) == []  # nothing comparable: no dispute


def test_a_dispute_records_why_the_values_are_comparable():
    intents = weigh(group(VENDOR, PRESS_OK, PRESS_BAD), {}, now=T0)
    [opened] = [i for i in intents if isinstance(i, OpenDispute)]
    assert opened.comparable_reason and opened.data["reasons"]["3"] == opened.comparable_reason
