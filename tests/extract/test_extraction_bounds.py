"""Bounded work on hostile input (issue 14 item 3): what a user sees, not how long it takes.

Time is measured by benchmarks/extraction_scaling.py (linear growth), never asserted here.
"""

from __future__ import annotations

import pytest

from tracker.extract import extract_claims
from tracker.extract.bounds import MAX_NUMBER_CHARS, Budget, mask_overlong_numbers


def test_an_overlong_number_is_no_claim_and_the_rest_of_the_document_is_read():
    text = (
        "XModel-7B has " + "9" * 16000 + " billion parameters.\n\n"
        "Qwen3-Max has over one trillion parameters and a context window of 262,144 tokens."
    )
    claims = extract_claims(text)
    assert {(c.mention, c.attribute, c.value) for c in claims} == {
        ("Qwen3-Max", "params_total", "1000000000000"),
        ("Qwen3-Max", "context_length", "262144"),
    }
    assert all(c.quote == text[c.start : c.end] for c in claims)


def test_a_number_of_sane_length_is_still_read():
    claims = extract_claims("Qwen3-Max has 1,000 billion parameters.")
    assert [(c.attribute, c.value) for c in claims] == [("params_total", "1000000000000")]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("7B", "7B"),
        ("a " + "1" * (MAX_NUMBER_CHARS + 1) + " b", "a " + "#" * (MAX_NUMBER_CHARS + 1) + " b"),
        ("1,000,000,000,000", "1,000,000,000,000"),
        ("x" * 500, "#" * 500),
    ],
)
def test_overlong_numbers_and_words_are_masked_keeping_offsets(text, masked):
    assert mask_overlong_numbers(text) == masked


def test_a_sentence_that_never_ends_is_read_in_pieces_and_its_claims_quote_the_original():
    text = "Qwen3-Max is licensed under Apache 2.0 " + "and more words " * 2000 + "."
    claims = extract_claims(text)
    assert [(c.mention, c.attribute, c.value) for c in claims] == [("Qwen3-Max", "license", "Apache-2.0")]
    assert claims[0].quote == text[claims[0].start : claims[0].end]
    assert len(claims[0].quote) <= 4000


def test_a_spent_budget_stops_the_rules_and_says_why():
    budget = Budget(seconds=0.0)
    text = "Qwen3-Max is open-weight.\n\n" * 50
    assert extract_claims(text, budget=budget) == []
    assert budget.exhausted is not None and "budget" in budget.exhausted
