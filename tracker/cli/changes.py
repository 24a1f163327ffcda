"""``tracker changes``: the typed change events."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tracker.backfill import parse_time
from tracker.cli.app import App
from tracker.events.types import EVENT_KINDS
from tracker.store.events import list_events


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "changes",
        help="list change events (prices in USD per 1M tokens)",
        description="List change events oldest first: models added and delisted, price changes "
        "(component, tier, old → new, percent), context-length changes, and more.",
    )
    parser.add_argument("--since", metavar="DATE", help="only events detected at or after DATE (ISO 8601)")
    parser.add_argument("--until", metavar="DATE", help="only events detected before DATE")
    parser.add_argument("--kind", action="append", choices=sorted(EVENT_KINDS), help="only this kind (repeatable)")
    parser.add_argument("--model", metavar="ID", help="only events about this id")
    parser.add_argument("--limit", type=int, help="at most this many events")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=cmd_changes)


def cmd_changes(app: App, args: argparse.Namespace) -> int:
    with app.sessions() as session:
        events = list_events(
            session,
            since=parse_time(args.since) if args.since else None,
            until=parse_time(args.until) if args.until else None,
            kinds=args.kind,
            subject=args.model,
            limit=args.limit,
        )
    if args.json:
        app.print(json.dumps(events, indent=2, ensure_ascii=False))
        return 0
    if not events:
        app.print("no changes")
    for event in events:
        app.print(describe(event))
    return 0


def describe(event: dict[str, Any]) -> str:
    """One line for a stored event."""
    when = event["detected_at"][:16].replace("T", " ")
    kind, model = event["kind"], event["model"]
    detail = ""
    if kind == "price_changed":
        unit = (
            "/M tok"
            if event.get("unit") == "usd_per_mtok"
            else "/" + str(event.get("unit", "")).removeprefix("usd_per_")
        )
        tier = f" [{event['tier']}]" if event.get("tier") else ""
        old = f"${event['old']}" if event.get("old") is not None else event.get("old_status")
        new = f"${event['new']}" if event.get("new") is not None else event.get("new_status")
        pct = event.get("percent")
        pct = f" ({'' if str(pct).startswith('-') else '+'}{pct}%)" if pct is not None else ""
        detail = f"{event['component']}{tier}: {old} → {new}{unit}{pct}"
    elif kind in (
        "context_length_changed",
        "alias_changed",
        "license_changed",
        "open_weight_status_changed",
        "gating_changed",
    ):
        detail = f"{event.get('old')} → {event.get('new')}"
    elif kind == "model_added":
        detail = (event.get("name") or "") + (" (relisted)" if event.get("relisted") else "")
    elif kind == "model_delisted":
        detail = event.get("name") or ""
    elif kind == "model_released":
        detail = " · ".join(
            str(v) for v in (event.get("name"), event.get("license_key"), event.get("open_weight_status")) if v
        )
    elif kind == "benchmark_claim_added":
        unit = event.get("unit") or ""
        detail = f"{event.get('benchmark')} {event.get('value')}{unit}"
        detail += " (self-reported)" if event.get("self_reported", True) else f" ({event.get('reporter')})"
    elif kind == "dispute_resolved":
        detail = f"{event.get('attribute')}: {event.get('value')}"
    elif kind == "claim_disputed":
        detail = f"{event.get('attribute')}: {event.get('shown')} vs {event.get('contrary')}"
    return f"{when}  {kind:<27} {model}  {detail}".rstrip()
