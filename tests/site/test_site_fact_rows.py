"""The facts table rows, written in Python: the same bytes as the template loop they replace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.site.contexts import Fact, Source
from tracker.site.fact_rows import fact_rows
from tracker.site.render import environment

#: The loop of ``templates/site/model.html`` when the rows were rendered by Jinja (the reference).
LOOP = (Path(__file__).parent / "fact_rows_reference.html").read_text(encoding="utf-8")
HOSTILE = "<script>alert(\"x\")</script> & 'q'"
AT = dt.datetime(2026, 3, 17, 9, 30, tzinfo=dt.UTC)

FACTS = [
    Fact("Open weights", "open", Source("a (vendor)", "https://a.example/?x=1&y=2", AT, HOSTILE), href="ow/open/"),
    Fact(HOSTILE, HOSTILE, Source(HOSTILE, None, None), note=HOSTILE),
    Fact("On Hugging Face", "org/repo", None, href="https://huggingface.co/org/<repo>", external=True),
    Fact("Released", "—", None, href="", note=""),
    Fact("First seen by tracker", "2026-03-17 09:30 UTC", Source("OpenRouter API", None, AT, "")),
]


@pytest.mark.parametrize("root", ["../../../", "<&>"])
def test_rows_are_the_template_bytes_with_hostile_values(root: str) -> None:
    expected = environment().from_string(LOOP).render(page={"facts": FACTS, "root": root})
    assert str(fact_rows(FACTS, root)) == expected
    assert "<script>" not in expected


def test_no_fact_is_no_row() -> None:
    assert str(fact_rows([], "../")) == ""
