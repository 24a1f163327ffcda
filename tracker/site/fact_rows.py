"""The rows of a model page's facts table written in Python (they were a loop of ``model.html``).

About ten rows a page, each with a source; the loop's attribute lookups and filter calls were ~1.5 %
of a model page batch. Every value is escaped as template output escapes it
(:func:`tracker.site.render.output_escape`); the text is the loop's, byte for byte (tests/site/golden).
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from tracker.site.contexts import Fact
from tracker.site.render import output_escape as e
from tracker.site.render import source_html

_EXTERNAL = ' rel="nofollow noopener noreferrer"'


def fact_rows(facts: Iterable[Fact], root: str) -> Markup:
    """``<tr>`` of each fact: label, value (linked when it has an address; site paths from ``root``), note, source."""
    out: list[str] = []
    for f in facts:
        if f.href:
            where = f"{e(f.href)}" if f.external else f"{e(root)}{e(f.href)}"
            value = f'<a href="{where}"{_EXTERNAL if f.external else ""}>{e(f.value)}</a>'
        else:
            value = e(f.value)
        note = f'<br><span class="muted">{e(f.note)}</span>' if f.note else ""
        if f.source:
            quote = f"<blockquote>{e(f.source.quote)}</blockquote>" if f.source.quote else ""
            source = f"{source_html(f.source)}{quote}"
        else:
            source = '<span class="muted">tracker</span>'
        out.append(f'<tr>\n<th scope="row">{e(f.label)}</th>\n<td>{value}{note}</td>\n<td>{source}</td>\n</tr>\n')
    return Markup("".join(out))
