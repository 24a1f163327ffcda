"""The model page's peer sections as HTML: what catalogs say and the cost of a request.

Written in Python rather than a Jinja template (this was ``_peers.html``): a page has a row per
catalog value and, per preset request size, a row per offer with its arithmetic, and the template's
attribute lookups, loop contexts and include made ~4 % of a model page batch. Every value is escaped
as template output escapes it (:func:`tracker.site.render.output_escape`); the text is the template's,
byte for byte (tests/site/golden).
"""

from __future__ import annotations

from markupsafe import Markup

from tracker.site.catalogs import PeerPanel
from tracker.site.format import tokens
from tracker.site.render import output_escape as e
from tracker.site.render import source_html

_CATALOGS_HEAD = (
    '<section id="catalogs">\n<h2>What catalogs say</h2>\n<p class="muted">Aggregator values, weighed against '
    'OpenRouter at each catalog\'s date (<a href="{root}catalogs/">catalog accuracy</a>); they never override '
    'the primary sources.</p>\n<table class="catalog-values">\n<thead><tr><th scope="col">Catalog</th>'
    '<th scope="col">Attribute</th><th scope="col">Says</th><th scope="col">Verdict</th>'
    '<th scope="col">Source</th></tr></thead>\n<tbody>\n'
)
_COST_HEAD = (
    '<section id="cost">\n<h2>Cost of a request</h2>\n<p class="muted">The whole request is billed at the tier '
    "its prompt length selects (OpenRouter's <code>min_prompt_tokens</code>), not only the tokens above a "
    'threshold.</p>\n<table class="cost-presets">\n<thead><tr><th scope="col">Request</th><th scope="col">Offer'
    '</th><th scope="col" class="num">Cost</th><th scope="col">Arithmetic</th></tr></thead>\n<tbody>\n'
)
_CALCULATOR_TAIL = (
    '" hidden>\n<h3>Any size</h3>\n<p><label>Prompt tokens <input type="number" min="0" step="1" value="10000" '
    'data-cost="prompt"></label>\n<label>Completion tokens <input type="number" min="0" step="1" value="1000" '
    'data-cost="completion"></label>\n<label>Of the prompt, cached <input type="number" min="0" step="1" '
    'value="0" data-cost="cached"></label></p>\n<output data-cost="result" aria-live="polite"></output>\n</div>\n'
)


def peer_sections(peers: PeerPanel | None, root: str) -> Markup:
    """The sections ``#catalogs`` (when a catalog has values) and ``#cost`` (when an offer has prices)."""
    if not peers:
        return Markup("")
    out: list[str] = []
    if peers.catalog_rows:
        out.append(_CATALOGS_HEAD.replace("{root}", e(root), 1))
        for r in peers.catalog_rows:
            note = f'<br><span class="muted">{e(r.note)}</span>' if r.note else ""
            quote = f"<br><q>{e(r.source.quote)}</q>" if r.source.quote else ""
            out.append(
                f"<tr><td>{e(r.catalog)}</td><td>{e(r.label)}</td><td>{e(r.value)}</td><td>{e(r.verdict)}{note}</td>"
                f"<td>{source_html(r.source)}{quote}</td></tr>\n"
            )
        out.append("</tbody>\n</table>\n</section>\n")
    if peers.presets:
        out.append(_COST_HEAD)
        for p in peers.presets:
            request = f'<tr><th scope="row">{e(p.label)}: {e(tokens(p.prompt))} in, {e(tokens(p.completion))} out</th>'
            for offer, total, tier, lines in p.offers:
                arithmetic = "<br>".join(e(line) for line in lines)
                out.append(
                    f'{request}<td><code>{e(offer)}</code><br><span class="muted">{e(tier)}</span></td>'
                    f'<td class="num">${e(total)}</td><td>{arithmetic}</td></tr>\n'
                )
        out.append("</tbody>\n</table>\n")
        if peers.cost_data:
            out.append(f'<div class="cost-calculator" id="cost-calculator" data-offers="{e(peers.cost_data)}')
            out.append(_CALCULATOR_TAIL)
        out.append("</section>\n")
    return Markup("".join(out))
