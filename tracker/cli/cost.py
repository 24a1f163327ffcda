"""``tracker cost MODEL --prompt N --completion M [--cached K]``: what one request costs, with the arithmetic."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tracker.cli.app import App
from tracker.cost import Request, compare_offers, money_text
from tracker.offers import model_offers, resolve_model


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cost",
        help="what one request costs at each offer of a model (prompt-length tiers applied)",
        description="Price one request: the whole request is billed at the tier its prompt length selects "
        "(OpenRouter's min_prompt_tokens), cached tokens at the cached-input price. Prints the arithmetic "
        "for every current offer of the model (OpenRouter and per-provider offers), cheapest first.",
    )
    parser.add_argument("model", help="a model key, OpenRouter id or name (qwen/qwen3-max)")
    parser.add_argument("--prompt", type=int, required=True, metavar="N", help="prompt (input) tokens")
    parser.add_argument("--completion", type=int, required=True, metavar="M", help="completion (output) tokens")
    parser.add_argument("--cached", type=int, default=0, metavar="K", help="of the prompt, tokens read from cache")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=cmd_cost)


def cmd_cost(app: App, args: argparse.Namespace) -> int:
    request = Request(args.prompt, args.completion, args.cached)
    request.check()
    with app.sessions() as session:
        model = resolve_model(session, args.model)
        offers = model_offers(session, model.id)
    costs, problems = compare_offers(offers, request)
    if args.json:
        app.print(
            json.dumps(
                {"model": model.key, "offers": [c.to_dict() for c in costs], "unpriced": problems},
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    app.print(
        f"{model.key}: {request.prompt_tokens:,} prompt tokens"
        + (f" ({request.cached_tokens:,} cached)" if request.cached_tokens else "")
        + f", {request.completion_tokens:,} completion tokens"
    )
    if not costs and not problems:
        app.print("  no current prices stored for this model")
    for cost in costs:
        app.print(f"  {cost.offer} — {cost.tier_label}: ${money_text(cost.total_usd)}")
        for row in cost.arithmetic():
            app.print(f"    {row}")
        for note in cost.notes:
            app.print(f"    note: {note}")
    for problem in problems:
        app.print(f"  {problem}")
    return 0
