"""``tracker claims``: every claim with its model (or unresolved mention), value, source, quote and status."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tracker.claims.listing import ClaimFilter, list_claims
from tracker.cli.app import App
from tracker.cli.resolve import resolve_model
from tracker.extract.types import ATTRIBUTES

STATUSES = ("shown", "consistent", "disputed", "unresolved", "unchecked")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "claims",
        help="list claims about models: value, source, quote, reporter, status",
        description="List what sources claim about models: the model (or the mention, when it names no known model), "
        "attribute, value, reporter (primary API, vendor, aggregator, press), source and URL, the quoted sentence and "
        "the status the claims ledger gave it (shown, consistent, disputed, unresolved, unchecked).",
    )
    parser.add_argument(
        "--model", metavar="M", help="only this model (its key, an OpenRouter id or a name like Qwen3-Max)"
    )
    parser.add_argument(
        "--disputed",
        action="store_true",
        help="only disputed attributes, with both sides (the shown claim and the rest)",
    )
    parser.add_argument("--attribute", choices=ATTRIBUTES, help="only this attribute")
    parser.add_argument("--status", choices=STATUSES, help="only claims with this status")
    parser.add_argument("--reporter", choices=("primary", "vendor", "aggregator", "press"), help="only this reporter")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N claims")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=cmd_claims)


def cmd_claims(app: App, args: argparse.Namespace) -> int:
    with app.sessions() as session:
        flt = ClaimFilter(
            model=resolve_model(session, args.model).key if args.model else None,
            disputed=args.disputed,
            attribute=args.attribute,
            status=args.status,
            reporter=args.reporter,
            limit=args.limit,
        )
        rows = list_claims(session, flt)
    if args.json:
        app.print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        app.print("no claims")
        return 0
    for row in rows:
        subject = row["model"] or f"(unresolved) {row['mention']}"
        what = row["attribute"] + (f" [{row['qualifier']}]" if row["qualifier"] else "")
        unit = f" {row['unit']}" if row["unit"] else ""
        app.print(f"{subject}  {what} = {row['value']}{unit}  [{row['status']}]")
        app.print(f"    {row['reporter']}: {row['source']}  {row['url'] or ''}".rstrip())
        if row["quote"]:
            quote = " ".join(row["quote"].split())
            app.print(f"    “{quote[:300]}{'…' if len(quote) > 300 else ''}”")
    return 0
