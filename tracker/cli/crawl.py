"""``tracker crawl`` and ``tracker backfill``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tracker.backfill import backfill_openrouter, parse_time
from tracker.cli.app import App
from tracker.sources.registry import SOURCES, enabled_sources
from tracker.sources.runner import run_crawl


def register(subparsers: Any) -> None:
    crawl = subparsers.add_parser(
        "crawl",
        help="crawl sources into the database and print a summary of changes",
        description="Crawl the named sources (default: every enabled source) and store what changed. "
        "A failed or partial crawl stores what arrived and never delists anything.",
    )
    crawl.add_argument("sources", nargs="*", metavar="SOURCE", help=f"one of: {', '.join(SOURCES)}")
    crawl.add_argument("--json", action="store_true", help="print the summaries as JSON")
    crawl.set_defaults(func=cmd_crawl)

    backfill = subparsers.add_parser(
        "backfill",
        help="import archived API responses with their observation time",
        description="Import archived OpenRouter /models responses (oldest first) through the same "
        "normalize and store steps as a crawl. Each file's observation time comes from --observed-at "
        "or from a date in its name (models-2026-03-17.json, models-2026-07-13T1934Z.json).",
    )
    backfill.add_argument("source", choices=["openrouter"], help="the source the files come from")
    backfill.add_argument("files", nargs="+", type=Path, metavar="FILE")
    backfill.add_argument("--observed-at", metavar="TIME", help="observation time for every file (ISO 8601, UTC)")
    backfill.add_argument(
        "--partial", action="store_true", help="the files are filtered or partial listings: never delist from them"
    )
    backfill.add_argument("--json", action="store_true", help="print the summaries as JSON")
    backfill.set_defaults(func=cmd_backfill)


def cmd_crawl(app: App, args: argparse.Namespace) -> int:
    sources = args.sources or enabled_sources(app.settings)
    for name in sources:
        if name not in SOURCES:
            raise SystemExit(f"tracker crawl: unknown source {name!r}; known: {', '.join(SOURCES)}")
    app.engine()  # migrate once, before the children start
    summaries = []
    for name in sources:
        if not args.json:
            app.print(f"crawling {name}…")
        summary = run_crawl(app.settings, name, log_level=app.log_level)
        summaries.append(summary)
        if not args.json:
            app.print(summary.render())
    if args.json:
        app.print(json.dumps([s.to_dict() for s in summaries], indent=2))
    return 1 if any(s.status == "failed" for s in summaries) else 0


def cmd_backfill(app: App, args: argparse.Namespace) -> int:
    observed_at = parse_time(args.observed_at) if args.observed_at else None
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise SystemExit(f"tracker backfill: no such file: {', '.join(missing)}")
    summaries = backfill_openrouter(
        app.sessions, app.settings.database_url, list(args.files), observed_at=observed_at, partial=args.partial
    )
    if args.json:
        app.print(json.dumps([s.to_dict() for s in summaries], indent=2))
    else:
        for summary in summaries:
            label = summary.extra.get("file", "")
            app.print(f"[{label}] " + summary.render() if label else summary.render())
    return 1 if any(s.status == "failed" for s in summaries) else 0
