"""``tracker sources``: the vendor blogs, release channels and press the blogs/press crawls read, with their health."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

from tracker.cli.app import App
from tracker.config import Settings
from tracker.normalize.frontier import listing_broken
from tracker.sources.catalog import configured_feeds, default_sources
from tracker.sources.registry import FEED_KINDS
from tracker.store.frontier import listing_rows, owed_count

#: The shape a feed of the user's own is shown as.
_OWN_SHAPES = {"html": "page", "markdown": "page"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="the default and configured blogs, release channels and press, with their health",
        description="List every feed, index page, GitHub releases feed and docs changelog page that `tracker run` "
        "and the scheduler crawl (the shipped default list, minus [sources] disable, plus your [[feeds]]), each with "
        "its kind, shape, where its URL was verified, and its health after the last crawl: ok, FAILED, EMPTY, "
        "MOVED, GONE or BROKEN (failing or empty for sources.broken_after_runs crawls), or 'not crawled yet'. "
        "Then the article URLs each crawl still owes.",
    )
    parser.add_argument("--all", action="store_true", help="also list the default sources that are disabled")
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(func=cmd_sources)


@dataclass
class SourceLine:
    name: str
    maker: str
    kind: str
    shape: str
    url: str
    verified: str | None
    enabled: bool
    #: ``ok``, ``failed``, ``empty``, ``moved``, ``gone`` or None (not crawled yet).
    state: str | None = None
    broken: bool = False
    detail: str | None = None
    checked_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def health(self) -> str:
        if self.state is None:
            return "not crawled yet"
        if self.broken and self.state in ("failed", "empty"):
            return f"BROKEN ({self.state}: {self.detail})" if self.detail else "BROKEN"
        if self.state == "ok":
            return "ok"
        return f"{self.state.upper()}" + (f" ({self.detail})" if self.detail else "")


def source_lines(settings: Settings, listings: list[dict[str, Any]], *, everything: bool = False) -> list[SourceLine]:
    """One line per configured feed (and, with ``everything``, per disabled default)."""
    by_url = {row["url"]: row for row in listings}
    defaults = {s.id: s for s in default_sources()}
    lines: list[SourceLine] = []
    for feed in configured_feeds(settings):
        default = defaults.get(feed.name or "")
        if default is not None and default.vendor == feed.vendor:
            line = SourceLine(default.id, default.maker, default.kind, default.shape, feed.url, default.verified, True)
        else:
            line = SourceLine(
                feed.name or feed.url,
                feed.vendor,
                feed.kind,
                _OWN_SHAPES.get(feed.type, feed.type),
                feed.url,
                None,
                True,
            )
        row = by_url.get(feed.url)
        if row is not None:
            line.state = row["state"]
            line.detail = row["detail"]
            line.broken = listing_broken(row, settings.sources.broken_after_runs)
            line.checked_at = row["checked_at"].isoformat() if row["checked_at"] else None
        lines.append(line)
    if everything:
        enabled = {line.name for line in lines}
        for source in default_sources():
            if source.id not in enabled:
                lines.append(
                    SourceLine(source.id, source.maker, source.kind, source.shape, source.url, source.verified, False)
                )
    return lines


def cmd_sources(app: App, args: argparse.Namespace) -> int:
    settings = app.settings
    with app.sessions() as session:
        listings = listing_rows(session)
        owed = {source: owed_count(session, source) for source in FEED_KINDS}
    lines = source_lines(settings, listings, everything=args.all)
    if args.json:
        app.print(json.dumps({"sources": [line.to_dict() for line in lines], "owed": owed}, indent=2))
        return 0
    makers = {line.maker for line in lines if line.enabled and line.kind == "vendor"}
    app.print(f"{sum(line.enabled for line in lines)} sources enabled ({len(makers)} model makers)")
    for kind, title in (("vendor", "vendor blogs, release channels and docs"), ("press", "press")):
        group = [line for line in lines if line.kind == kind]
        if not group:
            continue
        app.print("")
        app.print(title)
        for line in group:
            flag = "" if line.enabled else " (disabled)"
            app.print(f"  {line.name}{flag}: {line.health}")
            app.print(f"    {line.maker} · {line.shape} · {line.url}")
            if line.verified:
                app.print(f"    {line.verified}")
    app.print("")
    for source in FEED_KINDS:
        app.print(f"{source}: {owed[source]} article URL(s) owed" if owed[source] else f"{source}: nothing owed")
    return 0
