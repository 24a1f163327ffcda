"""The pure pieces of the table reader, table-driven: header roles, typed cells, date values."""

from __future__ import annotations

import pytest

from tracker.extract.cells import read_cell
from tracker.extract.dates import date_value
from tracker.extract.headers import ACCEPT, header_role, unknown_headers


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Max Tokens", "context_length"),
        ("CONTEXT LENGTH", "context_length"),
        ("Context Length (tokens)", "context_length"),
        ("Weight availability", "weights"),
        ("Download links", "weights"),
        ("Sizes", "params_total"),
        ("#Total Params", "params_total"),
        ("Number of active parameters", "params_active"),
        ("Release", "release_date"),
        ("Description", "description"),
        ("MODEL(1)", "model"),
        ("Benchmark", "benchmark"),
        ("Score", "score"),
        ("Language", "setting"),
        ("MAX OUTPUT(3)", "ignore"),
        ("Available via API", "ignore"),
        ("", "empty"),
        ("Context Len.", "unknown"),  # close, but below the threshold: reported, not guessed
        ("Rope Theta", "unknown"),
    ],
)
def test_header_roles_come_from_the_reviewed_vocabulary(header, role):
    assert header_role(header).role == role


def test_unknown_headers_are_reported_with_their_best_score():
    (unknown,) = unknown_headers(["Model", "Context Len.", "Max Tokens"])
    assert unknown.normalised == "context len" and 0 < unknown.score < ACCEPT


@pytest.mark.parametrize(
    ("raw", "text", "flag", "footnote", "parts"),
    [
        (":heavy_check_mark: Apache2", "Apache2", True, None, ("Apache2",)),
        ("✔", "", True, None, ()),
        ("✗", "", False, None, ()),
        ("64K(2)", "64K", None, "2", ("64K",)),
        ("85.2*", "85.2", None, "*", ("85.2",)),
        ("MIT<br/>Llama 3", "MIT<br/>Llama 3", None, None, ("MIT", "Llama 3")),
        ("no", "", False, None, ()),
        ("None of them", "None of them", None, None, ("None of them",)),
    ],
)
def test_cells_are_typed(raw, text, flag, footnote, parts):
    cell = read_cell(raw)
    assert (cell.text, cell.flag, cell.footnote, cell.parts) == (text, flag, footnote, parts)


def test_a_link_in_a_cell_keeps_its_text_and_target():
    cell = read_cell("[MIT](https://github.com/acme/repo/blob/main/LICENSE)")
    assert cell.text == "MIT" and cell.links == (("MIT", "https://github.com/acme/repo/blob/main/LICENSE"),)


@pytest.mark.parametrize(
    ("span", "value"),
    [
        ("Sept 25, 2024", "2024-09-25"),
        ("2025/05/28", "2025-05-28"),
        ("2024-12-26", "2024-12-26"),
        ("August 2025", "2025-08"),
        ("end of July 2025", "2025-07"),
        ("5 September 2025", "2025-09-05"),
        ("2024-13-45", None),
        ("2525/06/06", None),  # a placeholder date, not a release
        ("yesterday", None),  # relative dates are the rules' business, never dateparser's
        ("a" * 60, None),
    ],
)
def test_date_values_of_found_spans(span, value):
    found = date_value(span)
    assert (found.value if found else None) == value
