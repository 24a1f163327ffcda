"""A link checker for a built site folder: every internal link must resolve to a file (and fragment)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src", "form": "action"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        name = LINK_ATTRIBUTES.get(tag)
        if name and values.get(name) is not None:
            self.links.append(values[name] or "")


@dataclass
class Report:
    pages: int = 0
    internal: int = 0
    external: int = 0
    broken: list[str] = field(default_factory=list)


def check_site(root: Path) -> Report:
    pages: dict[str, _Page] = {}
    for path in sorted(root.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(root).as_posix()] = parser
    report = Report(pages=len(pages))
    for rel, page in pages.items():
        folder = posixpath.dirname(rel)
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                report.external += 1
                continue
            if parts.scheme or link.startswith("/") or parts.netloc:
                report.broken.append(f"{rel}: {link!r} is not relative (breaks under a sub-path)")
                continue
            report.internal += 1
            if not parts.path:
                target = rel
            else:
                joined = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
                if joined.startswith(".."):
                    report.broken.append(f"{rel}: {link!r} leaves the site folder")
                    continue
                target = joined + "/index.html" if parts.path.endswith("/") or joined == "." else joined
                target = target.removeprefix("./")
            if not (root / target).is_file():
                report.broken.append(f"{rel}: {link!r} → {target} does not exist")
                continue
            if parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                report.broken.append(f"{rel}: {link!r} → no element with id {parts.fragment!r}")
    return report
