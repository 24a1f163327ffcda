"""``tracker site build``: render the static site."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tracker.cli.app import App


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "site",
        help="build the static site",
        description="The static site: every model with its sources, price history, disputes and changes.",
    )
    commands = parser.add_subparsers(dest="site_command", metavar="COMMAND")
    commands.required = True
    build = commands.add_parser(
        "build",
        help="render the site into a folder",
        description="Render the whole site (pages, Atom feed, JSON/CSV exports, database copy) into a "
        "self-contained folder with relative links, ready for any static file host or sub-path. "
        "Files whose content did not change are not rewritten.",
    )
    build.add_argument("--out", metavar="DIR", help="output folder (default: settings.site.out_dir, 'site')")
    build.add_argument("--json", action="store_true", help="print the result as JSON")
    build.set_defaults(func=cmd_build)


def cmd_build(app: App, args: argparse.Namespace) -> int:
    from tracker.site.build import build_site  # the site's templates and renderers: only for this command

    out_dir = Path(args.out or app.settings.site.out_dir)
    quiet = args.json or not sys.stderr.isatty()
    result = build_site(
        app.sessions,
        app.settings,
        out_dir,
        progress=None if quiet else lambda message: print(f"site: {message}", file=sys.stderr),
    )
    if args.json:
        app.print(json.dumps(result.to_dict(), indent=2))
        return 0
    app.print(
        f"site built in {result.out_dir}: {result.models} models, {result.pages} pages; "
        f"{result.written} files written, {result.unchanged} unchanged, {result.removed} removed "
        f"({result.seconds:.2f} s)"
    )
    for problem in result.problems:
        app.print(f"  problem: {problem}")
    return 0
