"""``tracker query``: read-only SQL over the database (table, CSV or JSON)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tracker.cli.app import App
from tracker.query import FORMATS, render, run_query


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run read-only SQL (table, CSV or JSON output)",
        description="Run one read-only SQL statement against the database and print the rows. Only one SELECT, "
        "WITH … SELECT, VALUES or EXPLAIN runs (parsed, not pattern-matched); writes of any kind (also inside a "
        "WITH clause, in several statements, or as PRAGMA/ATTACH/COPY), functions that act on the server or read "
        "its files, and the subscribers and delivery tables (without --admin) are refused and change nothing. "
        "On Postgres the statement runs as the read-only role tracker_analyst (see docs/query.md). "
        "Analyst views: current_models, price_history, model_claims, model_events (see docs/schema.md). "
        "Money is exact (USD per 1M tokens, text on SQLite); times are UTC.",
        epilog='example: tracker query "SELECT model_key, prompt_usd_per_mtok FROM current_models '
        "WHERE vendor = 'qwen'\" --format csv",
    )
    parser.add_argument("sql", metavar="SQL", help="one SQL statement ('-' reads it from standard input)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--json", action="store_const", const="json", dest="format", help="same as --format json")
    parser.add_argument("--max-rows", type=int, metavar="N", help="print at most N rows")
    parser.add_argument(
        "--admin",
        action="store_true",
        help="also read subscribers, deliveries and apscheduler_jobs (as the configured user; still read-only)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="stop the statement after this long (0: never)"
    )
    parser.add_argument(
        "--width", type=int, default=60, metavar="N", help="table format: cut cells longer than N characters (0: never)"
    )
    parser.set_defaults(func=cmd_query)


def cmd_query(app: App, args: argparse.Namespace) -> int:
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    # no app.engine(): opening the database for writing (or migrating it) is exactly what query must not do
    result = run_query(
        app.settings.database_url, sql, max_rows=args.max_rows, admin=args.admin, timeout_seconds=args.timeout
    )
    app.print(render(result, args.format, max_width=args.width))
    if result.truncated and args.format != "table":
        print(f"tracker query: only the first {args.max_rows} rows were printed", file=sys.stderr)
    return 0
