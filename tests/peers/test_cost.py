"""The cost of one request: tiers applied to the whole request, cached tokens, offers compared; `tracker cost`."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.corpus import snapshot
from sqlalchemy import select

from tracker.backfill import backfill_openrouter
from tracker.cli import build_parser, main
from tracker.cli.app import App
from tracker.config import Settings
from tracker.cost import CostError, Request, TierPrice, compare_offers, request_cost, select_tier
from tracker.store.db import session_scope
from tracker.store.runs import utcnow as utc_now
from tracker.store.tables import Model, Price

D = Decimal
#: qwen/qwen3-max on OpenRouter, 2026-08-22: base, ≥32,000 and ≥128,000 tiers (USD per 1M tokens).
QWEN = [
    TierPrice("prompt", "", None, D("0.78")),
    TierPrice("completion", "", None, D("3.9")),
    TierPrice("input_cache_read", "", None, D("0.156")),
    TierPrice("prompt", "prompt>=32000", 32000, D("1.56")),
    TierPrice("completion", "prompt>=32000", 32000, D("7.8")),
    TierPrice("prompt", "prompt>=128000", 128000, D("1.95")),
    TierPrice("completion", "prompt>=128000", 128000, D("9.75")),
    TierPrice("input_cache_read", "prompt>=128000", 128000, D("0.39")),
]


@pytest.mark.parametrize(
    ("prompt", "tier"),
    [(0, ""), (1000, ""), (31999, ""), (32000, "prompt>=32000"), (127999, "prompt>=32000"), (150000, "prompt>=128000")],
)
def test_the_prompt_length_selects_the_tier(prompt: int, tier: str) -> None:
    assert select_tier(QWEN, prompt)[0] == tier


def test_the_whole_request_is_billed_at_the_selected_tier() -> None:
    cost = request_cost("openrouter", QWEN, Request(150_000, 2_000))
    # all 150,000 tokens at $1.95 (not 128,000 at the base and 22,000 at the tier)
    assert cost.total_usd == D("150000") * D("1.95") / 10**6 + D("2000") * D("9.75") / 10**6 == D("0.312")
    assert cost.arithmetic() == [
        "prompt: 150,000 tokens × $1.95/M = $0.2925",
        "completion: 2,000 tokens × $9.75/M = $0.0195",
        "total: $0.2925 + $0.0195 = $0.312",
    ]
    assert cost.tier_label == "tier prompt ≥ 128,000 tokens (whole request)"


def test_cached_tokens_are_part_of_the_prompt_and_a_tier_without_a_component_keeps_the_base() -> None:
    cost = request_cost("openrouter", QWEN, Request(40_000, 1_000, cached_tokens=10_000))
    lines = {line.component: line for line in cost.lines}
    assert (lines["prompt"].tokens, lines["prompt"].usd_per_mtok) == (30_000, D("1.56"))
    # the ≥32,000 tier lists no cache price: the base one applies
    assert (lines["input_cache_read"].tokens, lines["input_cache_read"].usd_per_mtok) == (10_000, D("0.156"))
    assert lines["input_cache_read"].tier == ""
    no_cache = [p for p in QWEN if p.component != "input_cache_read"]
    cost = request_cost("vendor", no_cache, Request(1_000, 0, cached_tokens=500))
    assert cost.lines[0].tokens == 1_000 and cost.notes


def test_offers_are_compared_cheapest_first_and_unpriced_ones_said() -> None:
    cheap = [
        TierPrice("prompt", "", None, D("0.5")),
        TierPrice("completion", "", None, D("1")),
        TierPrice("request", "", None, D("0.001"), "request"),
    ]
    dynamic = [TierPrice("prompt", "", None, None), TierPrice("completion", "", None, None)]
    costs, problems = compare_offers([("a", QWEN), ("b", cheap), ("router", dynamic)], Request(1000, 1000))
    assert [c.offer for c in costs] == ["b", "a"]
    assert costs[0].lines[-1].arithmetic() == "request fee: $0.001 = $0.001"
    assert problems == ["router: no prompt price (dynamic or unknown), the request cannot be priced"]


@pytest.mark.parametrize(("request_", "message"), [(Request(-1, 0), "--prompt"), (Request(10, 1, 11), "--cached 11")])
def test_bad_token_counts_are_one_clear_error(request_: Request, message: str) -> None:
    with pytest.raises(CostError, match=message):
        request_cost("x", QWEN, request_)


def _run(db_url: str, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    app = App(settings=Settings(database_url=db_url), out=out)
    args = build_parser().parse_args(list(argv))
    code = int(args.func(app, args) or 0)
    app.close()
    return code, out.getvalue()


def test_tracker_cost_on_the_recorded_2026_08_22_listing(
    corpus: Path, db_url: str, sessions, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    summaries = backfill_openrouter(sessions, db_url, [snapshot(corpus, "2026-08-22")], trigger="test")
    assert summaries[0].status == "success"
    code, out = _run(db_url, "cost", "qwen/qwen3-max", "--prompt", "150000", "--completion", "2000")
    assert code == 0
    assert "tier prompt ≥ 128,000 tokens (whole request): $0.312" in out
    assert "prompt: 150,000 tokens × $1.95/M = $0.2925" in out
    code, out = _run(db_url, "cost", "qwen/qwen3-max", "--prompt", "1000", "--completion", "2000", "--json")
    data = json.loads(out)
    offer = data["offers"][0]
    assert (offer["tier"], offer["total_usd"]) == ("", "0.00858")  # 1,000 × $0.78/M + 2,000 × $3.90/M
    assert [line["usd_per_mtok"] for line in offer["lines"]] == ["0.78", "3.9"]
    # a per-provider offer (an endpoint row, as the endpoints crawl stores them) is priced beside it
    with session_scope(sessions) as session:
        model_id = session.scalar(select(Model.id).where(Model.key == "qwen/qwen3-max"))
        for component, amount in (("prompt", "0.5"), ("completion", "2")):
            session.add(
                Price(
                    source="openrouter",
                    subject="qwen/qwen3-max@alibaba",
                    model_id=model_id,
                    provider="alibaba",
                    component=component,
                    tier="",
                    status="priced",
                    usd_per_mtok=Decimal(amount),
                    unit="mtok",
                    first_seen_at=utc_now(),
                )
            )
    code, out = _run(db_url, "cost", "qwen/qwen3-max", "--prompt", "1000", "--completion", "2000")
    lines = [line.strip() for line in out.splitlines()]
    offers = [line for line in lines if line.startswith("openrouter ")]
    assert offers == [
        "openrouter qwen/qwen3-max via alibaba — base price: $0.0045",  # 1,000 × 0.5 + 2,000 × 2, per 1M
        "openrouter qwen/qwen3-max — base price: $0.00858",
    ]
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    assert main(["cost", "qwen/qwen-nothing", "--prompt", "1", "--completion", "1"]) == 2
    assert "no model 'qwen/qwen-nothing'" in capsys.readouterr().err
