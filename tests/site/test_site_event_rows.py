"""The change tables, written in Python: the same bytes as the macros they replace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.site.contexts import EventView
from tracker.site.event_rows import event_rows, events_table
from tracker.site.render import environment

#: ``event_rows`` and ``events_table`` of ``templates/site/_macros.html`` when they were Jinja (the reference).
MACRO = (Path(__file__).parent / "event_rows_reference.html").read_text(encoding="utf-8")
MACRO = MACRO.replace("{%- endmacro %}\n\n", "{%- endmacro %}\n")  # the definitions output nothing
HOSTILE = "<script>alert(\"x\")</script> & 'q'"


def _event(**overrides: object) -> EventView:
    fields: dict[str, object] = {
        "id": 7,
        "kind": "price_changed",
        "kind_label": "Price changed",
        "detected_at": dt.datetime(2026, 3, 17, 9, 30, 5, 120, tzinfo=dt.UTC),
        "subject": "vendor/model",
        "model_path": "models/vendor/model/",
        "model_name": "Model",
        "summary": "prompt $0.40 → $0.30",
        "source": "openrouter",
    }
    fields.update(overrides)
    return EventView(**fields)  # type: ignore[arg-type]


EVENTS = [
    _event(),
    _event(id=8, kind=HOSTILE, kind_label=HOSTILE, subject=HOSTILE, model_name=HOSTILE, summary=HOSTILE),
    _event(id=9, model_path=None, model_name=None, subject=HOSTILE),
    _event(
        id=10,
        model_path=HOSTILE,
        detected_at=dt.datetime(2026, 1, 1, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ),
]


@pytest.mark.parametrize("show_model", [True, False])
@pytest.mark.parametrize("root", ["../../", "<&>"])
def test_rows_are_the_macro_bytes_with_hostile_values(show_model: bool, root: str) -> None:
    macro = environment().from_string(MACRO + "{{ event_rows(events, root, show_model) }}")
    expected = macro.render(events=EVENTS, root=root, show_model=show_model)
    assert str(event_rows(EVENTS, root, show_model)) == expected
    assert "<script>" not in expected
    table = environment().from_string(MACRO + "{{ events_table(events, root, show_model) }}")
    assert str(events_table(EVENTS, root, show_model)) == table.render(events=EVENTS, root=root, show_model=show_model)


def test_no_event_is_no_row() -> None:
    assert str(event_rows([], "../")) == ""
    table = environment().from_string(MACRO + "{{ events_table([], '../', False) }}").render()
    assert str(events_table([], "../", False)) == table
