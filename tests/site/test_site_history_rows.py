"""The price history rows, written in Python: the same bytes as the template loop they replace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.site.contexts import PriceSpan, Source
from tracker.site.history_rows import history_rows
from tracker.site.render import environment

#: The loop of ``templates/site/model.html`` when the rows were rendered by Jinja (the reference).
LOOP = (Path(__file__).parent / "history_rows_reference.html").read_text(encoding="utf-8")
HOSTILE = "<script>alert(\"x\")</script> & 'q'"
AT = dt.datetime(2026, 3, 17, 9, 30, 1, 5, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 4, 1, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))

SPANS = [
    PriceSpan(
        "vendor/m", "Input", "Base price", "$0.40", "per 1M tokens", AT, None, Source("OpenRouter API", None, AT)
    ),
    PriceSpan(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, AT, LATER, Source(HOSTILE, "https://a.example/?a&b", LATER)),
    PriceSpan("vendor/m:free", "Output", "Prompts ≥ 200,000 tokens", "free", "", LATER, AT, None),
]


@pytest.mark.parametrize("spans", [SPANS, []])
def test_rows_are_the_template_bytes_with_hostile_values(spans: list[PriceSpan]) -> None:
    expected = environment().from_string(LOOP).render(page={"price_history": spans})
    assert str(history_rows(spans)) == expected
    assert "<script>" not in expected
