"""Crawling the recorded OpenRouter snapshots through Scrapy's real download stack."""

from decimal import Decimal

import pytest
from helpers.corpus import openrouter_snapshots, serve_openrouter, snapshot
from helpers.db import data_counts
from helpers.expected import assert_no_equal_price_events, check_expected_changes
from sqlalchemy import select

from tracker.cli import main
from tracker.sources.runner import run_crawl
from tracker.store.events import list_events
from tracker.store.tables import Event, OpenRouterListing, Price


def events_of_run(sessions, run_id):
    with sessions() as session:
        ids = set(session.scalars(select(Event.id).where(Event.run_id == run_id)))
        return [e for e in list_events(session) if e["id"] in ids]


@pytest.mark.slow
def test_crawling_every_snapshot_in_date_order_yields_the_verified_changes(corpus, server, settings, sessions):
    events_by_file = {}
    for path in openrouter_snapshots(corpus):
        serve_openrouter(server, path)
        summary = run_crawl(settings, "openrouter", trigger="test")
        assert summary.status == "success", summary.render()
        assert sum(summary.rejected.values()) == 0
        events_by_file[path.name] = events_of_run(sessions, summary.run_id)
    checked = check_expected_changes(corpus, events_by_file)
    assert {"E1", "E2", "E3", "E5", "E7", "E8", "E9", "E10", "E11", "E12"} <= set(checked)
    for events in events_by_file.values():
        assert_no_equal_price_events(events)
    with sessions() as session:
        listing = session.get(OpenRouterListing, "meta-llama/llama-3.1-405b-instruct")
        assert listing.status == "delisted"
        history = session.scalars(
            select(Price)
            .where(Price.subject == "qwen/qwen3-max", Price.component == "prompt", Price.tier == "")
            .order_by(Price.first_seen_at)
        ).all()
    assert [p.usd_per_mtok for p in history] == [Decimal("1.2"), Decimal("0.78")]
    assert history[0].last_seen_at is not None and history[1].last_seen_at is None


def test_crawling_the_same_snapshot_twice_writes_nothing_the_second_time(corpus, server, settings, engine):
    serve_openrouter(server, snapshot(corpus, "2026-08-22"))
    first = run_crawl(settings, "openrouter", trigger="test")
    assert first.new > 400
    before = data_counts(engine)
    second = run_crawl(settings, "openrouter", trigger="test")
    assert second.status == "success"
    assert (second.new, second.changed, second.delisted, second.writes) == (0, 0, 0, 0)
    assert data_counts(engine) == before


def test_tiers_appear_in_the_1934z_snapshot_only(corpus, server, settings, sessions):
    def tiers():
        with sessions() as session:
            rows = session.scalars(
                select(Price).where(Price.subject == "qwen/qwen3-max", Price.last_seen_at.is_(None))
            ).all()
        return sorted({p.min_prompt_tokens for p in rows if p.min_prompt_tokens})

    serve_openrouter(server, snapshot(corpus, "2026-07-13T1444Z"))
    assert run_crawl(settings, "openrouter", trigger="test").status == "success"
    assert tiers() == []
    serve_openrouter(server, snapshot(corpus, "2026-07-13T1934Z"))
    assert run_crawl(settings, "openrouter", trigger="test").status == "success"
    assert tiers() == [32000, 128000]
    with sessions() as session:
        tier_prompt = session.scalars(
            select(Price).where(
                Price.subject == "qwen/qwen3-max", Price.component == "prompt", Price.min_prompt_tokens == 128000
            )
        ).one()
    assert tier_prompt.usd_per_mtok == Decimal("1.95")


def test_changes_command_prints_json_in_usd_per_million(corpus, server, settings, monkeypatch, capsys):
    serve_openrouter(server, snapshot(corpus, "2026-03-16"))
    run_crawl(settings, "openrouter", trigger="test")
    serve_openrouter(server, snapshot(corpus, "2026-03-17"))
    run_crawl(settings, "openrouter", trigger="test")
    monkeypatch.setenv("TRACKER_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    capsys.readouterr()
    assert main(["changes", "--json", "--kind", "price_changed", "--model", "qwen/qwen3-max"]) == 0
    import json

    events = json.loads(capsys.readouterr().out)
    prompt = next(e for e in events if e["component"] == "prompt")
    assert {"kind", "model", "detected_at", "old", "new"} <= set(prompt)
    assert (prompt["old"], prompt["new"], prompt["unit"], prompt["percent"]) == ("1.2", "0.78", "usd_per_mtok", "-35")
    assert main(["changes", "--kind", "model_delisted"]) == 0
    assert "meta-llama/llama-3.1-405b-instruct" in capsys.readouterr().out


@pytest.mark.slow
def test_shown_values_after_each_crawl_are_what_a_full_recompute_gives(corpus, server, settings, sessions):
    """Only the models a crawl touched are refreshed, and new ones are created with their shown values:
    recomputing every model afterwards must find nothing to change."""
    from tracker.store.shown import openrouter_model_ids, refresh_models

    for day in ("2025-05-12", "2026-01-29", "2026-03-16", "2026-03-17", "2026-08-22"):
        serve_openrouter(server, snapshot(corpus, day))
        summary = run_crawl(settings, "openrouter", trigger="test")
        assert summary.status == "success", summary.render()
        with sessions() as session:
            ids = openrouter_model_ids(session)
            assert len(ids) > 200
            result = refresh_models(session, ids, now=summary.finished_at, source="openrouter")
            assert (day, result.writes, result.events) == (day, 0, [])
            session.rollback()
