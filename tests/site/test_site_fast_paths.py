"""The build's faster paths give the same answers as the plain ones they replace."""

from __future__ import annotations

import random

import pytest
from markupsafe import Markup, escape

from tracker.site import markdown
from tracker.site.render import _output_escape

PIECES = [
    "<",
    ">",
    "<script>",
    "</SCRIPT >",
    "< iframe",
    "<a onclick = x>",
    "<b>",
    "javascript:",
    "JavaScript :",
    "vbscript\t:",
    "data:",
    "xdata:",
    "metadata:",
    "ſcript",
    "data",
    ":",
    " ",
    "\n",
    "é",
    "a",
    "_",
    "1",
    "Data\n:",
    "<p",
    "on",
    "onload=",
    "http://x",
    "ǅata:",
    "\x1f",
    "\u2003",
    "javascrip",
    "tdata",
    "İ",
    "javaſcript:",
]


def test_active_html_answers_as_the_full_expression_searched():
    rng = random.Random(17)
    for _ in range(20_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 8)))
        assert markdown.active_html(text) == bool(markdown._ACTIVE_HTML.search(text)), text


@pytest.mark.parametrize("value", ["a<b & 'c' \"d\"", "", "plain", Markup("<b>x</b>"), 12, None, 1.5])
def test_template_output_escapes_as_markupsafe(value: object) -> None:
    assert str(_output_escape(value)) == str(escape(value))
