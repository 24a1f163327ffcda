"""The rows of a model page's price history table written in Python (they were a loop of ``model.html``).

Every observed price of the model's offers, each with two times and a source. Every value is escaped
as template output escapes it (:func:`tracker.site.render.output_escape`); the text is the loop's,
byte for byte (tests/site/golden).
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from tracker.site.contexts import PriceSpan
from tracker.site.format import date, iso
from tracker.site.render import output_escape as e
from tracker.site.render import source_html


def history_rows(spans: Iterable[PriceSpan]) -> Markup:
    """``<tr>`` of each price: offer, component, tier, price, unit, from, last seen (or current), source."""
    out: list[str] = []
    for p in spans:
        first = f'<time datetime="{e(iso(p.first_seen_at))}">{e(date(p.first_seen_at))}</time>'
        last = (
            f'<time datetime="{e(iso(p.last_seen_at))}">{e(date(p.last_seen_at))}</time>'
            if p.last_seen_at
            else "current"
        )
        out.append(
            f"<tr><td><code>{e(p.offer)}</code></td><td>{e(p.component)}</td><td>{e(p.tier)}</td>"
            f'<td class="num">{e(p.price)}</td><td>{e(p.unit)}</td><td>{first}</td><td>{last}</td>'
            f"<td>{source_html(p.source)}</td></tr>\n"
        )
    return Markup("".join(out))
