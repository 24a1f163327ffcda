"""The Jinja environment of the site: autoescape on, strict undefined, display filters."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from tracker.paths import templates_dir
from tracker.site import format as fmt
from tracker.site.contexts import Source


def source_html(src: Source | None) -> Markup:
    """Where a value comes from: the source (linked when it is a web address) and the time (escaped)."""
    if src is None:
        return Markup("")
    label = str(escape(src.label))
    if src.url:
        label = f'<a href="{escape(src.url)}" rel="nofollow noopener noreferrer">{label}</a>'
    when = f', <time datetime="{fmt.iso(src.at)}">{fmt.timestamp(src.at)}</time>' if src.at else ""
    return Markup(f'<span class="src">{label}{when}</span>')


@cache
def environment() -> Environment:
    """Templates from ``templates/site``; every undefined name is an error, every value is escaped."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir() / "site")),
        autoescape=select_autoescape(enabled_extensions=("html", "xml", "svg"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        {
            "usd": fmt.usd,
            "tokens": fmt.tokens,
            "params": fmt.params,
            "date": fmt.date,
            "timestamp": fmt.timestamp,
            "iso": fmt.iso,
            "source": source_html,
        }
    )
    return env
