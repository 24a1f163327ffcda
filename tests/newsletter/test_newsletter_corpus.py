"""Acceptance on recorded and synthetic OpenRouter data, imported with the real backfill."""

import datetime as dt
import itertools
import json
from decimal import Decimal

from helpers.corpus import snapshot
from nl_data import NOW, model_entry, write_snapshot
from nl_smtp import newsletter_settings
from sqlalchemy import func, select

from tracker.backfill import backfill_openrouter
from tracker.newsletter.build import build_issue
from tracker.store.tables import Event, Price


def test_the_week_of_2026_03_17_shows_the_qwen3_max_cut_and_the_405b_delisting(corpus, db_url, sessions, tmp_path):
    files = [snapshot(corpus, day) for day in ("2025-12-02", "2026-01-29", "2026-03-16", "2026-03-17", "2026-05-16")]
    summaries = backfill_openrouter(sessions, db_url, files, trigger="test")
    assert [s.status for s in summaries] == ["success"] * 5
    result = build_issue(sessions, newsletter_settings(db_url, tmp_path), "2026-W12", now=NOW)
    data = json.loads((result.path / "data.json").read_text())

    [qwen] = [o for o in data["price_changes"] if o["subject"] == "qwen/qwen3-max"]
    prompt = next(line for line in qwen["lines"] if line["component"] == "prompt" and not line["tier"])
    assert (Decimal(prompt["old_amount"]), Decimal(prompt["new_amount"])) == (Decimal("1.2"), Decimal("0.78"))
    assert prompt["percent"] == "−35%" and prompt["direction"] == "cut"
    assert qwen["url"] == "https://tracker.example.org/models/qwen/qwen3-max/"
    delisted = {d["subject"] for d in data["delisted"]}
    assert "meta-llama/llama-3.1-405b-instruct" in delisted

    text = (result.path / "email.txt").read_text()
    assert "input: $1.20 -> $0.78 per 1M tokens (−35%)" in text
    assert "Meta: Llama 3.1 405B Instruct (meta-llama/llama-3.1-405b-instruct)" in text
    html = (result.path / "email.html").read_text()
    assert "$1.20 → $0.78 per 1M tokens" in html
    assert 'href="https://tracker.example.org/models/meta-llama/llama-3.1-405b-instruct/"' in html
    # The same week's issue does not show May's data, nor the week before's.
    assert data["week"] == "2026-W12" and "2026-W12" in result.subject


def test_a_week_of_daily_jitter_shows_only_net_changes_above_the_threshold(db_url, sessions, tmp_path):
    """Daily snapshots, Sunday before the week to Sunday at its end, as OpenRouter's routing makes them."""
    series = {
        # prompt per token, day by day (8 snapshots): jitter that ends where it began → left out
        "acme/flipflop": ["1.00", "1.02", "0.99", "1.01", "1.00", "1.03", "0.98", "1.00"],
        # jitter that ends +1.5 % → under the 2 % threshold, left out
        "acme/drift": ["2.00", "2.02", "1.99", "2.04", "2.01", "1.98", "2.03", "2.03"],
        # a real cut hidden in jitter: 3.00 → 2.40 (−20 %) → reported once, as the net change
        "acme/cut": ["3.00", "3.03", "2.97", "2.40", "2.43", "2.38", "2.41", "2.40"],
        # up 3 % net through ups and downs → reported
        "acme/creep": ["1.00", "1.01", "0.99", "1.02", "1.01", "1.04", "1.02", "1.03"],
        # never moves → nothing
        "acme/steady": ["0.50"] * 8,
    }
    start = dt.date(2026, 3, 15)
    files = []
    for i in range(8):
        entries = [
            model_entry(model, str(Decimal(prices[i]) / 1_000_000), str(Decimal("4") / 1_000_000))
            for model, prices in series.items()
        ]
        files.append(write_snapshot(tmp_path, start + dt.timedelta(days=i), entries))
    summaries = backfill_openrouter(sessions, db_url, files, trigger="test")
    assert [s.status for s in summaries] == ["success"] * 8

    with sessions() as session:
        observed = session.execute(select(func.count(Event.id)).where(Event.kind == "price_changed")).scalar_one()
        history = session.execute(
            select(func.count(Price.id)).where(Price.subject == "acme/flipflop", Price.component == "prompt")
        ).scalar_one()
    moves = sum(sum(1 for a, b in itertools.pairwise(p) if a != b) for p in series.values())
    assert observed == moves == 27  # every daily move is an event...
    assert history == 8  # ...and the price history keeps every observation

    result = build_issue(sessions, newsletter_settings(db_url, tmp_path), "2026-W12", now=NOW)
    data = json.loads((result.path / "data.json").read_text())
    shown = {
        o["subject"]: [(line["old_amount"], line["new_amount"], line["percent"]) for line in o["lines"]]
        for o in data["price_changes"]
    }
    assert shown == {
        "acme/cut": [("3", "2.4", "−20%")],
        "acme/creep": [("1", "1.03", "+3%")],
    }
    assert data["numbers"]["price_observations"] == observed
    assert data["numbers"]["price_noise_left_out"] == 2
    assert data["new_models"] == []  # first seen on Sunday 15 March: the week before
    assert result.subject == "tracker weekly 2026-W12: 2 price changes"
