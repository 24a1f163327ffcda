"""Claims have a time: weighed against the primary observation in effect when they were published (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tracker.claims.timing import had_tiers_then, observation_at, superseded_at, verdict


def at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Obs:
    id: int
    amount: Decimal
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime | None


# Qwen3-Max on OpenRouter: $1.20 from the first snapshot (2025-12-02) until the cut seen on 2026-03-17
HISTORY = [
    Obs(1, Decimal("1.2"), at(2025, 12, 2), at(2026, 3, 16)),
    Obs(2, Decimal("0.78"), at(2026, 3, 17), None),
]


def says(amount: str):
    return lambda obs: obs.amount == Decimal(amount)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(2025, 9, 9), 1),  # before the tracker watched: the earliest observation stands for "then"
        (at(2026, 1, 1), 1),
        (at(2026, 3, 16), 1),
        (at(2026, 3, 17), 2),
        (at(2026, 8, 1), 2),
    ],
)
def test_observation_at(when, expected):
    assert observation_at(HISTORY, when).id == expected


def test_no_history_no_observation():
    assert observation_at([], at(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("amount", "when", "status", "weighed", "until"),
    [
        # seed 002: $1.20 said in September 2025 — true then, outdated since the cut
        ("1.2", at(2025, 9, 9), "outdated", 1, at(2026, 3, 17)),
        ("0.78", at(2026, 4, 1), "consistent", 2, None),
        # $1.20 said after the cut: wrong when published
        ("1.2", at(2026, 5, 1), "disputed", 2, None),
        # never the API's price
        ("0.861", at(2025, 9, 9), "disputed", 1, None),
        # undated: true if any observation matched; outdated when that is not today's
        ("1.2", None, "outdated", 1, at(2026, 3, 17)),
        ("0.78", None, "consistent", 2, None),
        ("9.99", None, "disputed", 2, None),
    ],
)
def test_verdict(amount, when, status, weighed, until):
    timed = verdict(HISTORY, when, HISTORY[-1], says(amount))
    assert (timed.status, timed.weighed.id, timed.valid_until) == (status, weighed, until)


def test_superseded_at_is_the_next_observation():
    assert superseded_at(HISTORY, HISTORY[0]) == at(2026, 3, 17)
    assert superseded_at(HISTORY, HISTORY[1]) is None


TIERS = {"prompt@prompt>=128000": [Obs(3, Decimal("1.95"), at(2026, 8, 22), None)]}


@pytest.mark.parametrize(
    ("when", "first_observed", "tiers", "expected"),
    [
        # seed 003 (September 2025): the API had one flat price until tiers appeared on 2026-08-22
        (at(2025, 9, 9), at(2025, 12, 2), TIERS, False),
        (at(2026, 8, 23), at(2025, 12, 2), TIERS, True),
        # the first snapshot already had the tiers: they stand for "then"
        (at(2025, 9, 9), at(2026, 8, 22), TIERS, True),
        (None, at(2025, 12, 2), TIERS, True),
        (at(2026, 8, 23), at(2025, 12, 2), {}, False),
    ],
)
def test_had_tiers_then(when, first_observed, tiers, expected):
    assert had_tiers_then(tiers, when, first_observed) is expected
