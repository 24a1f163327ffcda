"""The change tables written in Python (they were ``_macros.html``'s ``events_table`` macro), the
templates' global ``events_table``.

A model page has two change tables, a change-log page a hundred rows; the macro's attribute lookups
and filter calls were most of their cost. Every value is escaped as template output escapes it
(:func:`tracker.site.render.output_escape`); the text is the macro's, byte for byte (tests/site/golden).
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from tracker.site.contexts import EventView
from tracker.site.format import date, iso
from tracker.site.render import output_escape as e


def event_rows(events: Iterable[EventView], root: str, show_model: bool = True) -> Markup:
    """``<tr>`` of each event: date, kind, the model (when ``show_model``) and what changed."""
    out: list[str] = []
    for ev in events:
        out.append(
            f'<tr id="event-{e(ev.id)}">\n<td><time datetime="{e(iso(ev.detected_at))}">{e(date(ev.detected_at))}'
            f'</time></td>\n<td><span class="kind k-{e(ev.kind)}">{e(ev.kind_label)}</span></td>\n'
        )
        if show_model:
            if ev.model_path:
                link = f'<a href="{e(root)}{e(ev.model_path)}">{e(ev.model_name)}</a>'
                out.append(f"<td>{link} <code>{e(ev.subject)}</code></td>")
            else:
                out.append(f"<td><code>{e(ev.subject)}</code></td>")
        out.append(f"<td>{e(ev.summary)}</td>\n</tr>\n")
    return Markup("".join(out))


def events_table(events: Iterable[EventView], root: str, show_model: bool = True) -> Markup:
    """The ``<table class="events">`` of ``events`` (:func:`event_rows`)."""
    model = '<th scope="col">Model</th>' if show_model else ""
    return Markup(
        '<table class="events">\n<thead><tr><th scope="col">Date</th><th scope="col">Change</th>'
        f'{model}<th scope="col">What changed</th></tr></thead>\n<tbody>\n'
        f"{event_rows(events, root, show_model)}\n</tbody>\n</table>"
    )
