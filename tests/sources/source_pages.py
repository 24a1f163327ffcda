"""The default source list served on the loopback server (``sources.mirror`` points at it).

Each default source's URL, mirrored (``https://host/path`` → ``{server}/host/path``), answers in
its shape, built from ../shared/corpus/blogs (and ../press for press outlets):

* ``feed``: an RSS feed with one post of the vendor's corpus folder (another small post when the
  vendor has none); ``github-releases``: the same as an Atom feed;
* ``index``: a small HTML index page written here, with navigation links the source's
  ``link_pattern`` must skip and one article link that it matches, the article an HTML page;
* ``sitemap``: a sitemap index of two sitemaps: one lists the article (an HTML page, at a path the
  source's ``link_pattern`` accepts) and a page the pattern refuses, the other an old article that
  the source's ``since`` leaves out;
* ``changelog``: a corpus document served as markdown (a docs changelog page).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from claims.content_server import ContentServer, as_html_page, atom, file_date, rss

from tracker.sources.catalog import DefaultSource, default_sources, mirrored

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: The ``lastmod`` of the article a default sitemap lists (after every default source's ``since``).
RECENT = "2026-11-30T08:00:00+00:00"
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
    if source.shape == "sitemap":  # a sitemap lists the site's pages, not pages under itself
        base = ""
    for candidate in (f"{base}/{slug}", f"{base}/posts/{slug}", f"/{slug}", f"/news/{slug}", f"/research/{slug}"):
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


def sitemap_index(locs: list[tuple[str, str | None]]) -> bytes:
    items = "".join(
        f"<sitemap><loc>{escape(loc)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>"
        for loc, lastmod in locs
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SITEMAP_NS}">{items}</sitemapindex>').encode()


def urlset(locs: list[tuple[str, str | None]]) -> bytes:
    items = "".join(
        f"<url><loc>{escape(loc)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>"
        for loc, lastmod in locs
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">{items}</urlset>'.encode()


def _serve_sitemap(content: ContentServer, source: DefaultSource, post: Path, slug: str, date: dt.datetime) -> str:
    mirror = content.url
    listing = urlsplit(mirrored(source.url, mirror))
    host = listing.netloc
    path = _article_path(source, mirror, slug)
    url = content.add(path, as_html_page(post.read_text("utf-8"), _title(post)), "text/html", date)
    old = _article_path(source, mirror, f"{slug}-old")
    content.add(old, as_html_page(post.read_text("utf-8"), "old"), "text/html", date)
    refused = f"/{host}/careers/{slug}"
    content.add(refused, b"<html><body>jobs</body></html>", "text/html")
    xml = "application/xml"
    content.add(f"/{host}/sitemap-posts.xml", urlset([(url, RECENT), (f"{mirror}{refused}", None)]), xml)
    content.add(f"/{host}/sitemap-old.xml", urlset([(f"{mirror}{old}", "2001-01-01")]), xml)
    children = [(f"{mirror}/{host}/sitemap-posts.xml", RECENT), (f"{mirror}/{host}/sitemap-old.xml", None)]
    content.add(listing.path, sitemap_index(children), xml)
    return url


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
        if source.shape == "sitemap":
            articles[source.id] = _serve_sitemap(content, source, post, slug, date)
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
