"""Vendor blogs and press on the loopback server, from the corpus, with conditional GET.

* ``/blogs/{vendor}/{file}`` and ``/press/{file}``: the corpus files as published
  (``text/markdown``), ``/press/seeds/{file}`` as ``text/plain``;
* ``/html/blogs/{vendor}/{file}``: the same post rendered to an HTML page with
  navigation and a footer around the article (what a real blog serves);
* ``/feeds/{vendor}.xml``: a feed built from a folder's files (RSS 2.0, or Atom
  for every other vendor), dates from the file names; ``/feeds/press.xml`` for
  the press; ``/feeds/qwen-real.xml``: the Qwen blog's real RSS feed with its
  links pointed at this server (entries without a corpus post are left out);
* every response has an ``ETag`` and a ``Last-Modified``; a request that sends
  them back gets ``304 Not Modified``; ``served[path]`` counts the full
  answers per path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from helpers.server import FakeServer, Reply, Request
from markdown_it import MarkdownIt

BLOG_VENDORS = (
    "allenai",
    "deepseek",
    "huggingface",
    "meta",
    "microsoft",
    "mistral",
    "moonshot",
    "openai",
    "qwen",
    "zhipu",
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")


#: The seed articles ``tracker check`` reads in the story (files of ``press/seeds``).
SEEDS = (
    "000_c6dc48e131f9fde4.txt",
    "001_ce9375d93a126e2f.txt",
    "002_f8a82aa700dfb7a4.txt",
    "003_6ba69d8e4af22b21.txt",
    "004_d69d3dd2a683e24d.txt",
)


def file_date(path: Path) -> dt.datetime | None:
    match = _DATE.match(path.name)
    if not match:
        return None
    return dt.datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), 9, 0, tzinfo=dt.UTC)


def _title(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    match = re.search(r"^title:\s*[\"']?(.+?)[\"']?\s*$", text, re.MULTILINE)
    if match and not match.group(1).startswith(">"):
        return match.group(1)
    heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return heading.group(1).strip() if heading else path.stem


def rss(title: str, link: str, items: list[tuple[str, str, dt.datetime | None]]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>{escape(title)}</description>",
    ]
    for item_title, item_link, date in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item_title)}</title>")
        if item_link:
            parts.append(f"<link>{escape(item_link)}</link><guid>{escape(item_link)}</guid>")
        if date is not None:
            parts.append(f"<pubDate>{format_datetime(date)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def atom(title: str, link: str, items: list[tuple[str, str, dt.datetime | None]]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f'<title>{escape(title)}</title><id>{escape(link)}</id><link href="{escape(link)}"/>',
        "<updated>2026-01-01T00:00:00Z</updated>",
    ]
    for item_title, item_link, date in items:
        parts.append("<entry>")
        parts.append(f"<title>{escape(item_title)}</title><id>{escape(item_link or item_title)}</id>")
        if item_link:
            parts.append(f'<link rel="alternate" href="{escape(item_link)}"/>')
        if date is not None:
            parts.append(f"<published>{date.strftime('%Y-%m-%dT%H:%M:%SZ')}</published>")
            parts.append(f"<updated>{date.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>")
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


def as_html_page(markdown: str, title: str) -> bytes:
    """A blog page around a post: navigation, the article, a footer (what trafilatura has to see through)."""
    body = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.DOTALL)
    article = _MARKDOWN.render(body)
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>"
        "<header><nav><a href='/'>Home</a> | <a href='/blog'>Blog</a> | <a href='/about'>About us</a></nav></header>"
        f"<main><article><h1>{escape(title)}</h1>{article}</article></main>"
        "<footer><p>© 2025 Example Labs. All rights reserved.</p><a href='/privacy'>Privacy</a></footer>"
        "</body></html>"
    )
    return page.encode("utf-8")


class ContentServer:
    """Serves the corpus blogs and press on a :class:`FakeServer` (see the module docstring)."""

    def __init__(self, server: FakeServer, corpus: Path) -> None:
        self.server = server
        self.corpus = corpus
        self.files: dict[str, tuple[bytes, str, dt.datetime]] = {}
        self.served: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()

    @property
    def url(self) -> str:
        return self.server.url

    def add(self, path: str, body: bytes, content_type: str, modified: dt.datetime | None = None) -> str:
        """Serve ``body`` at ``path`` (with validators); returns the full URL."""
        self.files[path] = (body, content_type, modified or dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        self.server.route(path, lambda request, p=path: self._answer(p, request))
        return f"{self.server.url}{path}"

    def _answer(self, path: str, request: Request) -> Reply:
        body, content_type, modified = self.files[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        last_modified = format_datetime(modified, usegmt=True)
        if request.headers.get("if-none-match") == etag or (
            "if-none-match" not in request.headers and request.headers.get("if-modified-since") == last_modified
        ):
            self.not_modified[path] += 1
            return Reply(304, b"", {"ETag": etag, "Last-Modified": last_modified})
        self.served[path] += 1
        return Reply(200, body, {"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified})

    # ───────────── the corpus ─────────────

    def blog_posts(self, vendor: str) -> list[Path]:
        return sorted((self.corpus / "blogs" / vendor).glob("*.md"))

    def serve_blog(self, vendor: str, *, atom_feed: bool | None = None, html: bool = False) -> str:
        """Serve a vendor folder and a feed of it; returns the feed URL."""
        items = []
        for path in self.blog_posts(vendor):
            date = file_date(path)
            if html:
                url = self.add(
                    f"/html/blogs/{vendor}/{path.stem}.html",
                    as_html_page(path.read_text("utf-8"), _title(path)),
                    "text/html; charset=utf-8",
                    date,
                )
            else:
                url = self.add(f"/blogs/{vendor}/{path.name}", path.read_bytes(), "text/markdown; charset=utf-8", date)
            items.append((_title(path), url, date))
        use_atom = atom_feed if atom_feed is not None else vendor not in ("qwen", "openai", "meta", "deepseek")
        build = atom if use_atom else rss
        suffix = "-html" if html else ""
        return self.add(
            f"/feeds/{vendor}{suffix}.xml",
            build(f"{vendor} blog", f"{self.url}/blogs/{vendor}/", items),
            "application/atom+xml" if use_atom else "application/rss+xml",
        )

    def serve_press(self) -> str:
        items = []
        for path in sorted((self.corpus / "press").glob("*.md")):
            if path.name == "SOURCES.md":
                continue
            url = self.add(f"/press/{path.name}", path.read_bytes(), "text/markdown; charset=utf-8", file_date(path))
            items.append((_title(path), url, file_date(path)))
        return self.add("/feeds/press.xml", atom("AI news", f"{self.url}/press/", items), "application/atom+xml")

    def serve_seeds(self) -> dict[str, str]:
        """The seed articles as plain-text pages; returns file name → URL."""
        out = {}
        for path in sorted((self.corpus / "press" / "seeds").glob("*.txt")):
            out[path.name] = self.add(f"/press/seeds/{path.name}", path.read_bytes(), "text/plain; charset=utf-8")
        return out

    def serve_real_qwen_feed(self) -> str:
        """The Qwen blog's recorded RSS feed, links pointed here; entries without a corpus post dropped."""
        raw = (self.corpus / "blogs" / "feeds" / "qwen.xml").read_text("utf-8")
        posts = {re.sub(r"^\d{4}-\d{2}-\d{2}-", "", p.stem): p for p in self.blog_posts("qwen")}
        kept = []
        for item in re.findall(r"<item>.*?</item>", raw, flags=re.DOTALL):
            link = re.search(r"<link>https://qwenlm\.github\.io/blog/([^<]+?)/?</link>", item)
            slug = link.group(1) if link else None
            if slug in posts:
                local = self.add(
                    f"/qwen-blog/{slug}/",
                    posts[slug].read_bytes(),
                    "text/markdown; charset=utf-8",
                    file_date(posts[slug]),
                )
                kept.append(item.replace(link.group(0), f"<link>{local}</link>"))
        head = raw.split("<item>", 1)[0]
        body = head + "\n".join(kept) + "\n  </channel>\n</rss>\n"
        return self.add("/feeds/qwen-real.xml", body.encode("utf-8"), "application/rss+xml; charset=utf-8")
