"""The default source list served on the loopback server (``sources.mirror`` points at it).

Each default source's URL, mirrored (``https://host/path`` → ``{server}/host/path``), answers in
its shape, built from ../shared/corpus/blogs (and ../press for press outlets):

* ``feed``: an RSS feed with one post of the vendor's corpus folder (another small post when the
  vendor has none); ``github-releases``: the same as an Atom feed;
* ``index``: a small HTML index page written here, with navigation links the source's
  ``link_pattern`` must skip and one article link that it matches, the article an HTML page;
* ``changelog``: a corpus document served as markdown (a docs changelog page).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from claims.content_server import ContentServer, as_html_page, atom, file_date, rss

from tracker.sources.catalog import DefaultSource, default_sources, mirrored

#: Small posts used for vendors without a corpus folder.
SPARE = (
    "openai/2025-08-05-gpt-oss-model-card-page.md",
    "deepseek/2025-01-20-deepseek-r1-release-api-docs-news.md",
    "microsoft/2026-03-04-phi-4-reasoning-vision-15b-github-readme.md",
    "qwen/2025-01-28-qwen2.5-max.md",
    "qwen/2024-12-25-qvq-72b-preview.md",
)


def _title(path: Path) -> str:
    text = path.read_text("utf-8", errors="replace")
    match = re.search(r"^title:\s*[\"']?(.+?)[\"']?\s*$", text, re.MULTILINE)
    return match.group(1) if match else path.stem


def post_for(corpus: Path, source: DefaultSource, number: int) -> Path:
    if source.kind == "press":
        files = sorted(p for p in (corpus / "press").glob("*.md") if p.name != "SOURCES.md")
        return files[number % len(files)]
    folder = corpus / "blogs" / source.vendor
    files = sorted(folder.glob("*.md"), key=lambda p: p.stat().st_size) if folder.is_dir() else []
    return files[0] if files else corpus / "blogs" / SPARE[number % len(SPARE)]


def _article_path(source: DefaultSource, mirror: str, slug: str) -> str:
    """A path on the mirror that the source's link pattern accepts."""
    base = urlsplit(source.url).path.rstrip("/")
    for candidate in (f"{base}/{slug}", f"{base}/posts/{slug}", f"/{slug}"):
        url = mirrored(f"https://{urlsplit(source.url).netloc}{candidate}", mirror)
        pattern = source.feed(mirror).link_pattern
        if pattern is None or re.search(pattern, url):
            return urlsplit(url).path
    raise AssertionError(f"no article path matches {source.id}'s link pattern")


def index_page(title: str, links: list[tuple[str, str]]) -> bytes:
    items = "".join(f"<li><a href='{href}'>{text}</a></li>" for href, text in links)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About</a> <a href='https://example.org/x'>Elsewhere</a></nav>"
        f"<main><h1>{title}</h1><ul>{items}</ul></main></body></html>"
    ).encode()


def serve_defaults(content: ContentServer, corpus: Path) -> dict[str, str]:
    """Serve every default source on the mirror; returns each source's article URL (by id)."""
    mirror = content.url
    articles: dict[str, str] = {}
    for number, source in enumerate(default_sources()):
        post = post_for(corpus, source, number)
        date = file_date(post) or dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
        listing = urlsplit(mirrored(source.url, mirror))
        listing_path = listing.path + (f"?{listing.query}" if listing.query else "")
        slug = f"{source.id}-{post.stem}"
        if source.shape == "changelog":
            articles[source.id] = content.add(listing_path, post.read_bytes(), "text/markdown; charset=utf-8", date)
            continue
        if source.shape == "index":
            path = _article_path(source, mirror, slug)
            url = content.add(path, as_html_page(post.read_text("utf-8"), _title(post)), "text/html", date)
            content.add(listing_path, index_page(source.maker, [(path, _title(post))]), "text/html; charset=utf-8")
        else:
            path = f"/{listing.netloc}/posts/{slug}.md"
            url = content.add(path, post.read_bytes(), "text/markdown; charset=utf-8", date)
            build, kind = (
                (atom, "application/atom+xml") if source.shape == "github-releases" else (rss, "application/rss+xml")
            )
            content.add(
                listing_path, build(source.maker, f"{mirror}/{listing.netloc}/", [(_title(post), url, date)]), kind
            )
        articles[source.id] = url
    return articles
