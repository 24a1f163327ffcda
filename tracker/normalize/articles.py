"""Article text from a fetched page: HTML, markdown (with front matter) or plain text.

Every format ends as the same *reading text*: blocks (paragraphs, headings, list
items) separated by blank lines, and tables as ``| cell | cell |`` rows with a
``|---|`` line under the header row. Claim quotes are exact spans of this text,
which is what ``documents.text`` stores.

* HTML goes through trafilatura (the main content, without navigation and
  footers, tables kept) and is then flattened; markdown is rendered with
  cmark-gfm (CommonMark, GFM tables, embedded HTML kept) and flattened the same way;
  Hugo shortcodes (``{{< … >}}``) and code blocks are dropped.
* Markdown front matter is read with the model-card reader
  (:func:`tracker.normalize.hfcard.parse_card`); a page without it is still read.
* The character set is the one the response declares (``Content-Type`` or
  ``<meta charset>``), else UTF-8. A body that does not decode in its declared
  charset is refused (``wrong-charset``): a mis-decoded text would put wrong
  quotes in the database. One case is repaired: a page declared as a single-byte
  charset whose bytes are valid UTF-8 with non-ASCII characters is read as UTF-8
  and the repair is reported (:attr:`Article.warnings`).
* **Mojibake is repaired** with ftfy (text that was UTF-8 decoded as Latin-1 or
  cp1252 somewhere upstream: ``ï¼Betaï¼`` → ``（Beta）``, ``â\x80\x99`` → ``’``).
  Only encoding damage is undone (quotes are not straightened, widths and line
  breaks are kept); the *repaired* text is the reading text that is stored and
  that quotes are exact spans of, and :attr:`Article.warnings` says it was repaired.

Errors are :class:`ArticleError` with a short reason: ``too-large``,
``unknown-charset``, ``wrong-charset``, ``binary``, ``unsupported-type``,
``no-article``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import ftfy
import lxml.html
import trafilatura
from cmarkgfm.cmark import Options
from lxml import etree

from tracker.errors import NormalizationError
from tracker.normalize.cmark import render_html
from tracker.normalize.hfcard import CardError, parse_card

#: Reading text shorter than this is not an article (a navigation page, an error page).
MIN_ARTICLE_CHARS = 80
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("html", "markdown", "text")
#: ftfy undoes encoding damage only: no HTML unescaping, no quote, width, ligature or line-break changes.
_MOJIBAKE_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
_SINGLE_BYTE = {"iso8859-1", "latin-1", "cp1252", "windows-1252", "ascii", "us-ascii", "iso8859-15"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2009\u202f]+")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "figure",
        "figcaption",
        "table",
        "hr",
        "center",
        "details",
        "summary",
        "body",
        "html",
        "form",
        "fieldset",
        "address",
    ]
)
_DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "pre",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "button",
        "select",
        "head",
    ]
)
#: CommonMark with raw HTML kept (a card's ``<table>``), GFM tables and strikethrough.
_MARKDOWN_OPTIONS = Options.CMARK_OPT_UNSAFE
_MARKDOWN_EXTENSIONS = ("table", "strikethrough")


class ArticleError(NormalizationError):
    """A page that yields no usable article text."""


@dataclass(frozen=True)
class Article:
    """One article, read: its reading text and what the page says about itself."""

    text: str
    title: str | None = None
    published_at: dt.datetime | None = None
    #: ``html``, ``markdown`` or ``text``.
    format: str = "text"
    #: Front matter (markdown) or trafilatura metadata (HTML), JSON-ready.
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Problems that were repaired (e.g. a wrong charset declaration).
    warnings: tuple[str, ...] = ()


# ───────────────────────────── bytes → str ─────────────────────────────


def content_type_of(header: str | None) -> tuple[str, str | None]:
    """``text/html; charset=UTF-8`` → (``text/html``, ``utf-8``)."""
    if not header:
        return "", None
    parts = [p.strip() for p in header.split(";")]
    media = parts[0].lower()
    charset = None
    for part in parts[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media, charset


def format_of(media_type: str, url: str = "") -> str | None:
    """The article format a media type (or, for generic types, the URL's extension) means."""
    media = media_type.lower()
    path = url.lower().split("?", 1)[0]
    if media in ("text/markdown", "text/x-markdown") or (
        media in ("", "text/plain", "application/octet-stream") and path.endswith((".md", ".markdown"))
    ):
        return "markdown"
    if media in ("text/html", "application/xhtml+xml") or (media == "" and path.endswith((".html", ".htm"))):
        return "html"
    if media == "text/plain" or (media == "" and path.endswith(".txt")):
        return "text"
    return None


def decode_body(body: bytes, *, declared: str | None, html: bool = False) -> tuple[str, list[str]]:
    """The body as text in its declared charset (see the module docstring); returns (text, warnings)."""
    if b"\x00" in body[:8192]:
        raise ArticleError("binary", "the body contains NUL bytes")
    charset = declared
    if charset is None and html:
        match = _META_CHARSET.search(body[:4096])
        if match:
            charset = match.group(1).decode("ascii", "replace").lower()
    if charset is None:
        try:
            return body.decode("utf-8-sig"), []
        except UnicodeDecodeError as exc:
            raise ArticleError(
                "wrong-charset", f"no charset declared and the body is not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from exc
    try:
        name = codecs.lookup(charset).name
    except LookupError as exc:
        raise ArticleError("unknown-charset", f"declared charset {charset!r} is not known") from exc
    if name in _SINGLE_BYTE or charset in _SINGLE_BYTE:
        try:
            repaired = body.decode("utf-8")
        except UnicodeDecodeError:
            repaired = None
        if repaired is not None and any(ord(ch) > 127 for ch in repaired):
            return repaired, [f"declared charset {charset} but the body is UTF-8: read as UTF-8"]
    try:
        return body.decode(name), []
    except UnicodeDecodeError as exc:
        raise ArticleError(
            "wrong-charset", f"the body is not valid {charset} ({exc.reason} at byte {exc.start})"
        ) from exc


# ───────────────────────────── HTML → reading text ─────────────────────────────


def _inline_text(element: Any, *, in_cell: bool) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP_TAGS or tag == "img":
            if node.tail:
                parts.append(node.tail)
            return
        if tag == "br":
            parts.append(" " if in_cell else "\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not element:
            parts.append(node.tail)

    walk(element)
    return "".join(parts)


def _clean_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _span(cell: Any, name: str) -> int:
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or 1), 50))
    except ValueError:
        return 1


def _table_lines(table: Any) -> list[str]:
    """Pipe rows; a cell spanning rows (``rowspan``) is repeated in the rows below it."""
    lines: list[str] = []
    rows = [r for r in table.iter("tr") if _nearest_table(r) is table]
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows left)
    for index, row in enumerate(rows):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if not cells:
            continue
        texts: list[str] = []
        column = 0
        queue = list(cells)
        while queue or column in carried:
            if column in carried:
                text, left = carried[column]
                texts.append(text)
                if left <= 1:
                    del carried[column]
                else:
                    carried[column] = (text, left - 1)
                column += 1
                continue
            cell = queue.pop(0)
            text = _clean_line(_soft(_inline_text(cell, in_cell=True))).replace("|", "/")
            texts.append(text)
            if _span(cell, "rowspan") > 1:
                carried[column] = (text, _span(cell, "rowspan") - 1)
            column += 1
        lines.append("| " + " | ".join(texts) + " |")
        header = all(c.tag == "th" for c in cells) or (row.getparent() is not None and row.getparent().tag == "thead")
        if index == 0 and header:
            lines.append("|" + "---|" * len(texts))
    return lines


def _nearest_table(node: Any) -> Any:
    parent = node.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _soft(text: str) -> str:
    """A line break inside running text is a space (only ``<br>`` breaks a line)."""
    return text.replace("\r\n", " ").replace("\n", " ")


def flatten_html(root: Any) -> list[str]:
    """Blocks of reading text (tables as pipe rows) from an lxml element tree."""
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = "".join(buffer)
        buffer.clear()
        lines = [_clean_line(line) for line in text.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            blocks.append(joined)

    def walk(node: Any) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP_TAGS or not isinstance(node.tag, str):
            if node.tail:
                buffer.append(_soft(node.tail))
            return
        if tag == "table":
            flush()
            lines = _table_lines(node)
            if lines:
                blocks.append("\n".join(lines))
        elif tag in _BLOCK_TAGS:
            flush()
            if node.text:
                buffer.append(_soft(node.text))
            for child in node:
                walk(child)
            flush()
        elif tag == "img":
            pass
        elif tag == "br":
            buffer.append("\n")
        else:
            if node.text:
                buffer.append(_soft(node.text))
            for child in node:
                walk(child)
        if node.tail:
            buffer.append(_soft(node.tail))

    walk(root)
    flush()
    return blocks


def _html_tree(html: str) -> Any:
    html = _HTML_COMMENT.sub("", html)
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ArticleError("no-article", f"the HTML does not parse: {exc}") from exc


def read_html(text: str, *, url: str | None = None) -> Article:
    """The main content of an HTML page (trafilatura), flattened to reading text."""
    if not text.strip():
        raise ArticleError("no-article", "the page is empty")
    try:
        extracted = trafilatura.bare_extraction(
            text, url=url, include_tables=True, include_comments=False, with_metadata=True, output_format="python"
        )
        content = trafilatura.extract(
            text, url=url, include_tables=True, include_comments=False, output_format="html", with_metadata=False
        )
    except (ValueError, TypeError, etree.LxmlError) as exc:
        raise ArticleError("no-article", f"the page could not be read: {exc}") from exc
    if not content:
        raise ArticleError("no-article", "no article text found on the page")
    blocks = flatten_html(_html_tree(content))
    body = "\n\n".join(blocks)
    if len(body) < MIN_ARTICLE_CHARS:
        raise ArticleError("no-article", f"only {len(body)} characters of article text")
    title = getattr(extracted, "title", None) if extracted is not None else None
    date = getattr(extracted, "date", None) if extracted is not None else None
    metadata = {
        k: v
        for k, v in {
            "title": title,
            "date": date,
            "author": getattr(extracted, "author", None),
            "sitename": getattr(extracted, "sitename", None),
        }.items()
        if v
    }
    return _repaired(Article(text=body, title=title, published_at=parse_date(date), format="html", metadata=metadata))


# ───────────────────────────── markdown / plain text ─────────────────────────────


def read_markdown(text: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Front matter (title, date) and the rendered body as reading text."""
    try:
        card = parse_card(text.encode("utf-8"), max_bytes=max(max_bytes, len(text.encode("utf-8"))))
        front, body = card.front_matter, card.body
    except CardError as exc:
        if exc.body is None:
            raise ArticleError("no-article", exc.detail or exc.reason) from exc
        front, body = {}, exc.body
    body = _SHORTCODE.sub("", body)
    tree, reading = _render_markdown(body)
    if len(reading) < 0.3 * len(body.strip()):
        # scraped pages saved as markdown often indent their text: read it as text, not as code blocks
        tree, reading = _render_markdown("\n".join(line.lstrip() for line in body.splitlines()))
    if len(reading) < MIN_ARTICLE_CHARS:
        raise ArticleError("no-article", f"only {len(reading)} characters of text")
    title = _front_text(front, "title")
    if title is None and tree is not None:
        heading = next(iter(tree.iter("h1")), None)
        title = _clean_line(_inline_text(heading, in_cell=True))[:500] or None if heading is not None else None
    published = None
    for key in ("date", "published", "pubDate", "published_at", "publishDate"):
        published = parse_date(front.get(key))
        if published is not None:
            break
    return _repaired(
        Article(text=reading, title=title, published_at=published, format="markdown", metadata=dict(front))
    )


def _render_markdown(body: str) -> tuple[Any, str]:
    html = render_html(body, options=_MARKDOWN_OPTIONS, extensions=_MARKDOWN_EXTENSIONS)
    tree = _html_tree(f"<html><body>{html}</body></html>") if html.strip() else None
    blocks = flatten_html(tree) if tree is not None else []
    return tree, "\n\n".join(blocks)


def read_text(text: str) -> Article:
    """Plain text: every non-empty line is a block."""
    lines = [_clean_line(line) for line in text.replace("\r\n", "\n").split("\n")]
    blocks = [line for line in lines if line]
    reading = "\n\n".join(blocks)
    if len(reading) < MIN_ARTICLE_CHARS:
        raise ArticleError("no-article", f"only {len(reading)} characters of text")
    return _repaired(Article(text=reading, title=blocks[0][:300] if blocks else None, format="text"))


def _front_text(front: dict[str, Any], key: str) -> str | None:
    value = front.get(key)
    if isinstance(value, str) and value.strip():
        return _clean_line(value)[:500]
    return None


def parse_date(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from ISO text, RFC 822 (feeds) or a date; None when unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


# ───────────────────────────── entry point ─────────────────────────────

_MARKDOWN_SIGNS = re.compile(r"^---\s*$|^#{1,6} \S|\]\((?:https?://|/)[^)\s]+\)|^\|.*\|\s*$", re.MULTILINE)


def looks_like_markdown(text: str) -> bool:
    """Plain text that is really markdown (front matter, ``## headings``, ``[links](…)``, tables)."""
    head = text.lstrip("\ufeff")[:20000]
    if head.startswith("---\n") or head.startswith("---\r\n"):
        return True
    return len(_MARKDOWN_SIGNS.findall(head)) >= 3


def repair_mojibake(text: str) -> tuple[str, int]:
    """``text`` with encoding damage undone (ftfy), and how many characters changed (0: untouched)."""
    if text.isascii():
        return text, 0
    repaired = ftfy.fix_text(text, _MOJIBAKE_ONLY)
    if repaired == text:
        return text, 0
    return repaired, max(len(text) - len(repaired), 1)


def _repaired(article: Article) -> Article:
    """``article`` with its reading text (and title) repaired by :func:`repair_mojibake`; the repair is a warning."""
    text, changed = repair_mojibake(article.text)
    if not changed:
        return article
    return Article(
        text=text,
        title=repair_mojibake(article.title)[0] if article.title else article.title,
        published_at=article.published_at,
        format=article.format,
        metadata=article.metadata,
        warnings=(
            *article.warnings,
            "mojibake repaired with ftfy: the repaired text is the one stored and quoted",
        ),
    )


def read_article(
    body: bytes,
    *,
    content_type: str | None,
    url: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    fallback_format: str | None = None,
) -> Article:
    """Read one fetched page; raises :class:`ArticleError` with a clear reason."""
    if len(body) > max_bytes:
        raise ArticleError("too-large", f"{len(body)} bytes (limit {max_bytes})")
    media, charset = content_type_of(content_type)
    fmt = format_of(media, url) or (
        fallback_format if media in ("", "text/plain", "application/octet-stream") else None
    )
    if fmt is None:
        raise ArticleError("unsupported-type", f"cannot read {media or 'a body without content type'} as an article")
    text, warnings = decode_body(body, declared=charset, html=fmt == "html")
    if fmt == "text" and looks_like_markdown(text):
        fmt = "markdown"
    if fmt == "html":
        article = read_html(text, url=url or None)
    elif fmt == "markdown":
        article = read_markdown(text, max_bytes=max_bytes)
    else:
        article = read_text(text)
    warnings = [*warnings, *article.warnings]
    if warnings:
        article = Article(
            text=article.text,
            title=article.title,
            published_at=article.published_at,
            format=article.format,
            metadata=article.metadata,
            warnings=tuple(warnings),
        )
    return article
