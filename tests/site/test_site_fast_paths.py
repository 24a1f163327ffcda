"""The build's faster paths give the same answers as the plain ones they replace."""

from __future__ import annotations

import csv
import io
import random

import pytest
from markupsafe import Markup, escape

from tracker.site import exports, markdown
from tracker.site.render import output_escape

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
def test_templateoutput_escapes_as_markupsafe(value: object) -> None:
    assert str(output_escape(value)) == str(escape(value))


def _dict_writer_csv(records: list[dict[str, object]], columns: list[str]) -> str:
    """What the exports wrote before: ``csv.DictWriter`` over the cleaned records."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in record.items()}
        )
    return buffer.getvalue()


def test_csv_export_writes_what_dict_writer_did():
    rng = random.Random(6)
    columns = list(exports.PRICE_COLUMNS)
    values = [None, True, False, 0, 1, "a,b", 'q"x', "line\nbreak", 1.5, "", " x ", "é"]
    records = [{k: rng.choice(values) for k in columns if rng.random() < 0.9} for _ in range(2_000)]
    assert exports.to_csv(records, columns) == _dict_writer_csv(records, columns)
    with pytest.raises(ValueError):
        exports.to_csv([{"not a column": 1}], columns)
