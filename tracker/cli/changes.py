"""``tracker changes``: the typed change events."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from tracker.backfill import parse_time
from tracker.cli.app import App
from tracker.cli.resolve import UnknownModelError, model_subjects, resolve_model
from tracker.events.types import (
    EVENT_KINDS,
    AliasChanged,
    BenchmarkClaimAdded,
    ClaimDisputed,
    ContextLengthChanged,
    DisputeResolved,
    GatingChanged,
    LicenseChanged,
    ModelAdded,
    ModelDelisted,
    ModelReleased,
    OpenWeightStatusChanged,
    PriceChanged,
)
from tracker.store.events import StoredEvent, read_events
from tracker.vocabulary import percent, unit_label, usd


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
    parser.add_argument(
        "--model",
        metavar="M",
        help="only events about this model (its key, an OpenRouter id or a name like Qwen3-Max), "
        "or with this subject (an alias such as ~vendor/x-latest)",
    )
    parser.add_argument("--limit", type=int, help="at most this many events")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=cmd_changes)


def cmd_changes(app: App, args: argparse.Namespace) -> int:
    with app.sessions() as session:
        model_id, subjects = None, set()
        if args.model:
            try:
                model = resolve_model(session, args.model)
            except UnknownModelError:
                # not a model, but maybe a subject events name (a moving alias such as ~vendor/x-latest)
                if not read_events(session, subjects={args.model}, limit=1).events:
                    raise
                subjects = {args.model}
            else:
                model_id, subjects = model.id, model_subjects(session, model)
        read = read_events(
            session,
            since=parse_time(args.since) if args.since else None,
            until=parse_time(args.until) if args.until else None,
            kinds=args.kind,
            model_id=model_id,
            subjects=subjects,
            limit=args.limit,
        )
    for row_id, error in read.broken:
        print(f"tracker: warning: event {row_id} not shown: {error}", file=sys.stderr)
    if args.json:
        app.print(json.dumps([to_dict(e) for e in read.events], indent=2, ensure_ascii=False))
        return 0
    if not read.events:
        app.print("no changes")
    for event in read.events:
        app.print(describe(event))
    return 0


def to_dict(stored: StoredEvent) -> dict[str, Any]:
    """The JSON of one event: ``id``, ``kind``, ``model`` (the subject), ``detected_at``, ``source`` + its data."""
    item: dict[str, Any] = {
        "id": stored.id,
        "kind": stored.kind,
        "model": stored.subject,
        "detected_at": stored.detected_at.isoformat(),
        "source": stored.source,
    }
    item.update({k: v for k, v in stored.event.data().items() if k not in item})
    return item


def _money(amount: Decimal | None, status: str) -> str:
    return usd(amount) if amount is not None else status


def describe(stored: StoredEvent) -> str:
    """One line for a stored event."""
    event = stored.event
    when = stored.detected_at.isoformat()[:16].replace("T", " ")
    detail = ""
    match event:
        case PriceChanged():
            tier = f" [{event.tier}]" if event.tier else ""
            old, new = _money(event.old, event.old_status), _money(event.new, event.new_status)
            pct = f" ({percent(event.percent)})" if event.percent is not None else ""
            detail = f"{event.component}{tier}: {old} → {new} {unit_label(event.unit)}{pct}"
        case ContextLengthChanged() | AliasChanged() | LicenseChanged() | OpenWeightStatusChanged() | GatingChanged():
            detail = f"{event.old} → {event.new}"
        case ModelAdded():
            detail = (event.name or "") + (" (relisted)" if event.relisted else "")
        case ModelDelisted():
            detail = event.name or ""
        case ModelReleased():
            detail = " · ".join(v for v in (event.name, event.license_key, event.open_weight_status) if v)
        case BenchmarkClaimAdded():
            detail = f"{event.benchmark} {event.value}{event.unit or ''}"
            detail += " (self-reported)" if event.self_reported else f" ({event.reporter})"
        case DisputeResolved():
            detail = f"{event.attribute}: {event.value}"
        case ClaimDisputed():
            detail = f"{event.attribute}: {event.shown} vs {event.contrary}"
    return f"{when}  {event.kind:<27} {event.subject}  {detail}".rstrip()
