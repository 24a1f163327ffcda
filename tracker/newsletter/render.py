"""Render an :class:`~tracker.newsletter.content.IssueContext` into subject, HTML and text.

Templates live in ``templates/email/`` (``subject.txt``, ``email.html``,
``email.txt``) and see one variable, ``issue`` (the context). HTML templates
are autoescaped; undefined names are errors. The HTML part gets its CSS
inlined with css-inline (``<style data-css-inline="keep">`` blocks — dark mode
and phone media queries — stay in the head). Rendering depends on the context
only (no clock, no settings), so a re-render of an archived issue is byte-identical.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass

import css_inline
import jinja2

from tracker.newsletter.content import IssueContext
from tracker.newsletter.formatting import one_line
from tracker.paths import templates_dir


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    html: str
    text: str


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "email")),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wrap"] = wrap
    env.filters["plural"] = plural
    return env


def wrap(text: str, width: int = 76, indent: str = "    ", first: str | None = None) -> str:
    """Wrap plain text for the text part; URLs and long words are never broken."""
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 new model`` / ``3 new models``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


@functools.cache
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(load_remote_stylesheets=False)


def render_issue(context: IssueContext) -> RenderedIssue:
    env = environment()
    subject = one_line(env.get_template("subject.txt").render(issue=context), 250)
    html = env.get_template("email.html").render(issue=context, subject=subject)
    text = env.get_template("email.txt").render(issue=context, subject=subject)
    return RenderedIssue(subject=subject, html=_inliner().inline(html), text=text)
