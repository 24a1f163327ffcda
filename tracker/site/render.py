"""The Jinja environment of the site: autoescape on, strict undefined, display filters."""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup, escape

try:
    from markupsafe._speedups import _escape_inner  # type: ignore[import-not-found]
except ImportError:  # markupsafe without its C extension
    from markupsafe._native import _escape_inner

from tracker.paths import templates_dir
from tracker.site import format as fmt
from tracker.site.contexts import Source


def source_html(src: Source | None) -> Markup:
    """Where a value comes from: the source (linked when it is a web address) and the time (escaped)."""
    if src is None:
        return Markup("")
    label = output_escape(src.label)
    if src.url:
        label = f'<a href="{output_escape(src.url)}" rel="nofollow noopener noreferrer">{label}</a>'
    when = f', <time datetime="{fmt.iso(src.at)}">{fmt.timestamp(src.at)}</time>' if src.at else ""
    return Markup(f'<span class="src">{label}{when}</span>')


def output_escape(value: Any) -> str:
    """What autoescaped template output does with a value (``markupsafe.escape``), without making a
    :class:`~markupsafe.Markup` of every plain string: the template only joins the pieces, so the page
    is the same text. Anything else (markup, numbers, undefined) goes through ``escape`` itself."""
    if type(value) is str:
        return _escape_inner(value)  # type: ignore[no-any-return]
    return escape(value)


class SiteTemplate(Template):
    """A template whose ``{{ … }}`` output escapes with :func:`output_escape` (a model page has ~300)."""

    @classmethod
    def _from_namespace(
        cls, environment: Environment, namespace: MutableMapping[str, Any], globals: MutableMapping[str, Any]
    ) -> Template:
        namespace["escape"] = output_escape
        return super()._from_namespace(environment, namespace, globals)


class SiteEnvironment(Environment):
    template_class = SiteTemplate


@lru_cache(maxsize=16)
def options_html(choices: tuple[tuple[str, str], ...]) -> Markup:
    """``<option value="key">label</option>`` of each choice (escaped), made once per distinct list:
    every listing page's filter offers the same ~200 vendors."""
    return Markup("".join(f'<option value="{escape(key)}">{escape(label)}</option>' for key, label in choices))


@cache
def environment() -> Environment:
    """Templates from ``templates/site``; every undefined name is an error, every value is escaped."""
    env = SiteEnvironment(
        loader=FileSystemLoader(str(templates_dir() / "site")),
        autoescape=select_autoescape(enabled_extensions=("html", "xml", "svg"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # not a stat of each template file at every render (~4 a model page): a build calls
        # ``fresh_environment`` once instead, which drops compiled templates whose file changed
        auto_reload=False,
    )
    # the hottest parts of the pages, written in Python (escaping with this module's functions)
    from tracker.site.event_rows import events_table
    from tracker.site.fact_rows import fact_rows
    from tracker.site.history_rows import history_rows
    from tracker.site.nav_links import nav_links
    from tracker.site.peer_sections import peer_sections

    env.globals.update(
        {
            "events_table": events_table,
            "fact_rows": fact_rows,
            "history_rows": history_rows,
            "nav_links": nav_links,
            "peer_sections": peer_sections,
        }
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
            "options": options_html,
        }
    )
    return env


def fresh_environment() -> Environment:
    """:func:`environment`, its compiled templates dropped if a template file changed since they were
    compiled (templates are checked once per build, not at every render)."""
    env = environment()
    if env.cache is not None and not all(t.is_up_to_date for t in env.cache.values()):
        env.cache.clear()
    return env
