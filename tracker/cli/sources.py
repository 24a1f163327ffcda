"""``tracker sources``: the vendor blogs, release channels and press the blogs/press crawls read, with their health."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tracker.cli.app import App
from tracker.sources.listing_health import source_lines
from tracker.sources.registry import FEED_KINDS
from tracker.store.frontier import listing_rows, owed_count


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sources",
        help="the default and configured blogs, release channels and press, with their health",
        description="List every feed, index page, sitemap, GitHub releases feed and docs changelog page that "
        "`tracker run` and the scheduler crawl (the shipped default list, minus [sources] disable, plus your "
        "[[feeds]]), each with its kind, shape, where its URL was verified, and its health after the last crawl: "
        "ok, FAILED, EMPTY, MOVED, GONE or BROKEN (failing or empty for sources.broken_after_runs crawls), or "
        "'not crawled yet'. Then the article URLs each crawl still owes. The site's status page (status/) "
        "shows the same.",
    )
    parser.add_argument("--all", action="store_true", help="also list the default sources that are disabled")
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(func=cmd_sources)


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
