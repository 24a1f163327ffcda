"""Model-card and description markdown to safe HTML.

Cards and descriptions are untrusted. The result always passes through nh3,
which keeps only a small set of harmless tags and attributes: no scripts,
styles, event handlers, iframes, forms or images (an image would be a request
that leaves the site; ``![alt](url)`` becomes a link "[image: alt]" instead),
links only to ``http``, ``https`` and ``mailto``, relative links resolved
against the source page, every link ``rel="nofollow noopener noreferrer"``.

Three renderers, chosen by what the text contains:

* plain text (no markdown or HTML syntax at all): escaped paragraphs;
* markdown whose raw HTML is harmless: cmark-gfm (GitHub's C implementation,
  fast enough for thousands of long cards);
* markdown with raw HTML that tries anything active (a script, an event
  handler, a ``javascript:`` URL, an embedded frame or form...):
  markdown-it-py, whose render rules show that HTML *as text*, so readers see
  what the card contained instead of it silently vanishing.

YAML front matter is dropped; cards are cut to an excerpt at a paragraph
boundary (the full card is one click away on the Hub).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

import nh3
from cmarkgfm.cmark import Options
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

from tracker.site.gfm import github_markdown_to_html

#: Longest text rendered by default; longer cards are cut at a paragraph boundary.
MAX_CHARS = 6_000

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
#: Removed together with their content (when they get past the renderers at all).
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "template",
    "iframe",
    "object",
    "noscript",
    "textarea",
    "select",
    "svg",
    "math",
}
URL_SCHEMES = {"http", "https", "mailto"}

_ACTIVE_TAGS_PATTERN = (
    r"<\s*/?\s*(?:script|style|iframe|frame|frameset|object|embed|applet|form|input|button|textarea|select"
    r"|svg|math|link|meta|base|template|noscript)\b"
    r"|<[^>]*\bon[a-z]+\s*="
)
_ACTIVE_SCHEME_PATTERN = r"\b(?:javascript|vbscript|data)\s*:"
#: Raw HTML matching this is shown as text instead of being interpreted.
_ACTIVE_HTML = re.compile(_ACTIVE_TAGS_PATTERN + "|" + _ACTIVE_SCHEME_PATTERN, re.IGNORECASE)
#: Its two halves, searched apart by :func:`active_html`: a tag starts at a ``<`` (which a search skips
#: to quickly); a scheme ends at a colon and starts at most 10 characters before the spaces before it.
_ACTIVE_TAGS = re.compile(_ACTIVE_TAGS_PATTERN, re.IGNORECASE)
_ACTIVE_SCHEME = re.compile(_ACTIVE_SCHEME_PATTERN, re.IGNORECASE)
_LONGEST_SCHEME = len("javascript")
#: Anything that makes markdown differ from plain text.
_MARKUP = re.compile(r"[*_`\[\]<>#|!&\\~]|^\s{0,3}(?:[-+=]|\d+[.)])|^ {4}|^\t|https?://|www\.", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE


def _image_as_link(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    src = str(token.attrGet("src") or "")
    return f'<a href="{escape(src)}">[image: {escape(alt)}]</a>'


def _raw_html(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    content = tokens[idx].content
    if _ACTIVE_HTML.search(content):
        return str(escape(content))
    return content


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _image_as_link)
    md.add_render_rule("html_inline", _raw_html)
    md.add_render_rule("html_block", _raw_html)
    return md


_MD = _parser()


def strip_front_matter(text: str) -> str:
    return _FRONT_MATTER.sub("", text, count=1)


def excerpt(text: str, max_chars: int) -> tuple[str, bool]:
    """``text`` cut to at most ``max_chars`` at the last paragraph break outside a code fence."""
    if len(text) <= max_chars:
        return text, False
    head = text[:max_chars]
    fence = False
    cut = 0
    offset = 0
    for line in head.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
        offset += len(line)
        if not fence and not stripped.strip():
            cut = offset
    return (head[:cut] if cut else head).rstrip() + "\n", True


def active_html(text: str) -> bool:
    """Whether :data:`_ACTIVE_HTML` matches anywhere in ``text`` (the answer of its ``search``, without
    trying every position of a long card with a word boundary first: ~0.3 ms a 5 KB card)."""
    if "<" in text and _ACTIVE_TAGS.search(text):
        return True
    colon = text.find(":")
    while colon != -1:
        start = colon
        while start > 0 and text[start - 1].isspace():
            start -= 1
        # the word boundary before the scheme name sees the character before the window
        if _ACTIVE_SCHEME.search(text, max(0, start - _LONGEST_SCHEME), colon + 1):
            return True
        colon = text.find(":", colon + 1)
    return False


def _plain(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)


def render_markdown(text: str, *, base_url: str | None = None, max_chars: int = MAX_CHARS) -> tuple[Markup, bool]:
    """Sanitized HTML for untrusted markdown, and whether the text was cut to an excerpt."""
    return _render_markdown(text, base_url, max_chars)


#: Distinct texts remembered per process: a card shared by many repos (quantized copies of one model
#: often share their base's card) and a description shared by a model's variants are rendered once.
_RENDERED = 1_024


@lru_cache(maxsize=_RENDERED)
def _render_markdown(text: str, base_url: str | None, max_chars: int) -> tuple[Markup, bool]:
    body, truncated = excerpt(strip_front_matter(text), max_chars)
    if not _MARKUP.search(body):
        return Markup(_plain(body)), truncated
    if active_html(body):
        html = _MD.render(body)
    else:
        html = github_markdown_to_html(_IMAGE.sub(r"[\\[image: \1\\]](", body), _CMARK_OPTIONS)
    return Markup(sanitize(html, base_url=base_url)), truncated


#: The page relative links of the text being cleaned point into (per thread / context).
_BASE_URL: ContextVar[str | None] = ContextVar("markdown_base_url", default=None)


def _resolve_relative(url: str) -> str | None:
    """Relative links point into the source page (``base_url`` of the current call), or are dropped."""
    base = _BASE_URL.get()
    return urljoin(base, url) if base else None


#: What markup is kept (both cleaners below apply exactly these rules).
_RULES: dict[str, Any] = {
    "tags": ALLOWED_TAGS,
    "clean_content_tags": DROPPED_WITH_CONTENT,
    "attributes": ALLOWED_ATTRIBUTES,
    "url_schemes": URL_SCHEMES,
    "link_rel": "nofollow noopener noreferrer",
    "strip_comments": True,
}
_CLEANER = nh3.Cleaner(**_RULES, url_relative=_resolve_relative)
#: The same rules without the relative-link callback, for markup with no ``href`` at all: the only URL
#: attribute the rules keep is ``a href``, so the callback could not be called, and a cleaner without
#: a Python callback is ~25 % faster (a 8 KB card: ~0.48 ms instead of ~0.63).
_CLEANER_WITHOUT_LINKS = nh3.Cleaner(**_RULES)
#: An attribute named ``href`` in any case (HTML attribute names are never entity-encoded).
_HREF = re.compile("href", re.IGNORECASE)


def sanitize(html: str, *, base_url: str | None = None) -> str:
    """Keep only harmless markup; relative links resolve against ``base_url`` or are dropped."""
    if not _HREF.search(html):
        return _CLEANER_WITHOUT_LINKS.clean(html)
    token = _BASE_URL.set(base_url)
    try:
        return _CLEANER.clean(html)
    finally:
        _BASE_URL.reset(token)
