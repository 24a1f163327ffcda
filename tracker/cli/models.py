"""``tracker models``: current models with licence, open-weight status, parameters, context, prices, sources."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tracker.cli.app import App
from tracker.cli.resolve import resolve_model
from tracker.normalize.licenses import CLASSES
from tracker.normalize.openweights import OpenWeightStatus
from tracker.normalize.params import format_params
from tracker.store.shown import ModelFilter, list_models
from tracker.vocabulary import usd


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list current models (licence, open weights, parameters, context, price, sources)",
        description="List models across sources with their shown values: licence key and class, open-weight "
        "status (open, gated, no-weights, api-only, unknown), parameters, context length, input/output price "
        "in USD per 1M tokens (OpenRouter base tier) and the sources that list them. Derivatives (quantized, "
        "fine-tuned, adapters, merges by others) are left out unless --include-derivatives is given.",
    )
    parser.add_argument("--vendor", metavar="V", help="only this vendor or Hub organisation (qwen, deepseek-ai…)")
    parser.add_argument(
        "--open-weights", metavar="STATUS", choices=[str(s) for s in OpenWeightStatus], help="only this status"
    )
    parser.add_argument("--license-class", metavar="C", choices=list(CLASSES), help="only this licence class")
    parser.add_argument("--include-derivatives", action="store_true", help="also list derivative repos")
    parser.add_argument(
        "--model", metavar="M", help="only this model (its key, an OpenRouter id or a name like Qwen3-Max)"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="at most N models")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=cmd_models)


def cmd_models(app: App, args: argparse.Namespace) -> int:
    with app.sessions() as session:
        key = resolve_model(session, args.model).key if args.model else None
        flt = ModelFilter(
            vendor=args.vendor,
            open_weights=args.open_weights,
            license_class=args.license_class,
            # a model asked for by name is listed even when it is a derivative
            include_derivatives=args.include_derivatives or key is not None,
            limit=None if key else args.limit,
        )
        rows = list_models(session, flt)
    if key is not None:
        rows = [row for row in rows if row["key"] == key]
    if args.json:
        app.print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        app.print("no models")
        return 0
    table = [
        (
            "MODEL",
            "LICENCE",
            "CLASS",
            "WEIGHTS",
            "PARAMS",
            "CONTEXT",
            "IN $/M",
            "OUT $/M",
            "SOURCES",
        )
    ] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        app.print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    params = format_params(row["params_total"])
    if row["params_active"]:
        params = f"{params or '?'}/{format_params(row['params_active'])}a"
    if params and row["params_source"] == "name":
        params += "~"
    return (
        row["key"],
        row["license_key"] or "-",
        row["license_class"],
        row["open_weight_status"],
        params or "-",
        f"{row['context_length']:,}" if row["context_length"] else "-",
        _price(row["prices_usd_per_mtok"]["prompt"]),
        _price(row["prices_usd_per_mtok"]["completion"]),
        ",".join(row["sources"]) or "-",
    )


def _price(price: dict[str, Any] | None) -> str:
    if not price:
        return "-"
    if price["status"] == "priced":
        return usd(price["usd_per_mtok"])
    return price["status"]
