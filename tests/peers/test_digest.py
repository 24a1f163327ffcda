"""The weekly issue gets "catalogs that disagree with the source" only when a catalog value stored that week
disagrees; other issues (and their data.json) are unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from helpers.corpus import snapshot

from tracker.backfill import backfill_openrouter
from tracker.newsletter.content import build_context, context_from_dict, context_to_dict
from tracker.newsletter.render import render_issue
from tracker.newsletter.week import week_of
from tracker.normalize.peers.litellm import parse_litellm
from tracker.peers.store import ingest_catalog
from tracker.store.db import session_scope

CATALOG = {
    "openrouter/qwen/qwen3-max": {
        "litellm_provider": "openrouter",
        "input_cost_per_token": 1.2e-06,  # the price before the 2026-03-17 cut
        "output_cost_per_token": 3.9e-06,  # agrees
    },
}


def _context(session, moment: dt.datetime):
    week = week_of(moment, dt.UTC)
    start, end = week.bounds(dt.UTC)
    return build_context(
        session,
        week,
        tz_name="UTC",
        start=start,
        end=end,
        base_url="https://tracker.example.org/",
        unsubscribe_url="https://tracker.example.org/u",
        threshold_percent=Decimal(2),
    )


def test_digest_lists_the_week_s_new_catalog_disagreements(corpus: Path, db_url: str, sessions) -> None:
    files = [snapshot(corpus, name) for name in ("2025-12-02", "2026-03-17", "2026-08-22")]
    backfill_openrouter(sessions, db_url, files, trigger="test")
    stored_at = dt.datetime.now(dt.UTC)
    parse = parse_litellm(CATALOG, version="test", snapshot_at=dt.datetime(2026, 8, 22, tzinfo=dt.UTC))
    with session_scope(sessions) as session:
        ingest_catalog(session, parse, url="https://example.org/prices.json", fetched_at=stored_at, run_id=None)
    with sessions() as session:
        this_week = _context(session, stored_at)
        last_week = _context(session, stored_at - dt.timedelta(days=7))
    [row] = this_week.catalogs  # the agreeing output price is not news
    assert (row.catalog, row.attribute, row.catalog_value, row.primary_value) == (
        "litellm@test",
        "Input price ($/M)",
        "1.2",
        "0.78",
    )
    assert row.verdict == "stale since 2026-03-17"
    assert row.url == "https://tracker.example.org/models/qwen/qwen3-max/"
    text = render_issue(this_week).text
    assert "CATALOGS THAT DISAGREE WITH THE SOURCE" in text
    assert "litellm@test says 1.2, OpenRouter 0.78 (stale since 2026-03-17)" in " ".join(text.split())
    assert context_from_dict(context_to_dict(this_week)) == this_week
    # a week with nothing new: no section, and data.json has no catalogs key (older archives stay identical)
    assert last_week.catalogs == []
    assert "catalogs" not in context_to_dict(last_week)
    assert "CATALOGS THAT DISAGREE" not in render_issue(last_week).text
