"""Claim extraction on hostile, random documents: it never raises, quotes are exact spans, values are typed.

A few hundred hypothesis examples run in the suite; benchmarks/fuzz_extraction.py runs 10,000.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from hostile_text import document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.extract import ATTRIBUTES, Extracted, extract_claims

_CONTRACT_KEYS = ("metric", "setting", "variant", "currency", "offer")


def check_claim(text: str, claim: Extracted) -> None:
    """Everything a stored claim relies on (shared with benchmarks/fuzz_extraction.py)."""
    assert claim.attribute in ATTRIBUTES, claim
    assert 0 <= claim.start <= claim.end <= len(text), claim
    assert claim.quote == text[claim.start : claim.end], claim
    assert isinstance(claim.value, str) and claim.value, claim
    if claim.attribute in ("params_total", "params_active", "context_length"):
        assert claim.value.isdigit() and int(claim.value) > 0, claim
        assert claim.value_num is None or claim.value_num == Decimal(claim.value), claim
    elif claim.attribute in ("price", "benchmark"):
        number = Decimal(claim.value)
        assert number.is_finite() and number >= 0, claim
        assert claim.value_num is None or isinstance(claim.value_num, Decimal), claim
    elif claim.attribute == "release_date":
        if re.fullmatch(r"\d{4}-\d{2}", claim.value):
            dt.date(int(claim.value[:4]), int(claim.value[5:]), 1)
        else:
            dt.date.fromisoformat(claim.value)
    elif claim.attribute == "openness":
        assert claim.value in ("open", "api-only", "gated"), claim
    for key in _CONTRACT_KEYS:
        if key in claim.extra:
            value = claim.extra[key]
            assert (isinstance(value, str) and value == value.lower()) or key == "currency", (key, claim)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(min_value=1, max_value=60))
def test_extraction_on_random_documents_never_raises_and_quotes_exactly(data, length):
    text = document(lambda options: data.draw(st.sampled_from(options)), length)
    for claim in extract_claims(text, title=None):
        check_claim(text, claim)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_extraction_on_arbitrary_unicode_never_raises(text):
    for claim in extract_claims(text):
        check_claim(text, claim)
