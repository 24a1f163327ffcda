"""The rows of a change table (``_macros.html``'s ``event_rows``) written in Python.

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
