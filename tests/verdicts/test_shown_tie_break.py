"""Which claim is shown when two of the same rank and date disagree: by content, never by storage order."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from tracker.claims.ledger import ModelFacts, StoredClaim, pick_shown

DAY = dt.datetime(2025, 10, 3, tzinfo=dt.UTC)
MODEL = ModelFacts(id=1, key="mistralai/codestral-2501")


def claim(value: str, url: str, *, attribute: str = "release_date", **extra: object) -> StoredClaim:
    return StoredClaim(
        id=0,
        model_id=1,
        attribute=attribute,
        qualifier="",
        value=value,
        reporter="vendor",
        source="mistral",
        url=url,
        published_at=DAY,
        fetched_at=DAY,
        quote=f"{value} at {url}",
        extra=dict(extra),
    )


def stored_in_every_order(rows: list[StoredClaim]) -> set[str]:
    shown = set()
    for order in itertools.permutations(rows):
        numbered = [replace(r, id=i + 1) for i, r in enumerate(order)]
        shown.add(pick_shown(numbered, MODEL).value)
    return shown


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the changelog's day is finer than the overview's month: the day is shown
        ([claim("2025-01", "https://docs/overview"), claim("2025-01-13", "https://docs/changelog")], "2025-01-13"),
        # two days of one vendor on one date: the document URL decides
        ([claim("2025-07-30", "https://docs/b"), claim("2025-07-31", "https://docs/a")], "2025-07-31"),
        # a context written with more significant digits is the more precise statement
        (
            [
                claim("128000", "https://docs/a", attribute="context_length", as_written="128K"),
                claim("131072", "https://docs/b", attribute="context_length", as_written="131,072"),
            ],
            "131072",
        ),
    ],
)
def test_the_shown_claim_does_not_depend_on_the_order_claims_were_stored(rows, expected):
    assert stored_in_every_order(rows) == {expected}


def test_a_more_recent_publication_still_wins_over_precision():
    older = claim("2025-01-13", "https://docs/changelog")
    newer = replace(older, id=2, value="2025-01", published_at=DAY + dt.timedelta(days=1), url="https://docs/overview")
    assert pick_shown([older, newer], MODEL).value == "2025-01"


def test_two_primary_values_of_one_fetch_are_picked_by_content_too():
    def hub(value: str) -> StoredClaim:
        row = claim(value, "https://hub/api/models/deepset/roberta-base-squad2", attribute="benchmark")
        return replace(row, reporter="primary", source="huggingface", published_at=None, quote=None)

    # a model-index listing exact match and F1 of one dataset under one qualifier
    assert stored_in_every_order([hub("29.5"), hub("40.367")]) == {"40.367"}
