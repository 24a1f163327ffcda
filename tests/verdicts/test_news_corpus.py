"""News is news on the recorded corpus: baselines are not announced, renames are one event, real additions are."""

from __future__ import annotations

import datetime as dt
import json

from helpers.corpus import openrouter_snapshots, snapshot
from sqlalchemy import select

from tracker.backfill import backfill_openrouter
from tracker.config import NewsletterSettings, Settings, SiteSettings
from tracker.newsletter.build import build_issue
from tracker.store.db import make_engine, make_sessionmaker
from tracker.store.events import list_events
from tracker.store.tables import Model


def settings_for(db_url, tmp_path):
    return Settings(
        database_url=db_url,
        newsletter=NewsletterSettings(
            archive_dir=str(tmp_path / "archive"), unsubscribe_secret="s" * 32, unsubscribe_url="https://x.example/u"
        ),
        site=SiteSettings(base_url="https://tracker.example.org/"),
    )


def issue_data(sessions, db_url, tmp_path, week, now):
    result = build_issue(sessions, settings_for(db_url, tmp_path), week, now=now)
    return json.loads((result.path / "data.json").read_text())


def new_model_keys(data):
    return {m["key"] for group in data["new_models"] for m in group["models"]}


def test_the_first_backfill_snapshot_is_a_baseline(corpus, db_url, sessions, tmp_path):
    [summary] = backfill_openrouter(sessions, db_url, [snapshot(corpus, "2025-12-02")], trigger="test")
    assert summary.status == "success" and summary.new > 300  # recorded…
    with sessions() as session:
        assert not [e for e in list_events(session) if e["kind"] == "model_added"]  # …not announced
    data = issue_data(sessions, db_url, tmp_path, "2025-W49", dt.datetime(2025, 12, 8, tzinfo=dt.UTC))
    assert data["new_models"] == [] and data["numbers"]["new_models"] == 0


def test_the_week_of_the_2026_08_22_snapshot_lists_its_real_additions(corpus, db_url, sessions, tmp_path):
    files = [snapshot(corpus, day) for day in ("2026-08-21", "2026-08-22")]
    assert [s.status for s in backfill_openrouter(sessions, db_url, files, trigger="test")] == ["success"] * 2
    with sessions() as session:
        added = {e["model"] for e in list_events(session) if e["kind"] == "model_added"}
    assert added == {
        "deepseek/deepseek-v4-flash-vision-exp",
        "meta/muse-spark-1.2-contributor",
        "thinkingmachines/inkling-small:free",
        "thinkingmachines/inkling:free",
    }
    data = issue_data(sessions, db_url, tmp_path, "2026-W34", dt.datetime(2026, 8, 24, 8, tzinfo=dt.UTC))
    # the two originals released (OpenRouter created) that week; the :free listings of known models are not new
    assert new_model_keys(data) == {"deepseek/deepseek-v4-flash-vision-exp", "meta/muse-spark-1.2-contributor"}


def test_every_snapshot_backfilled_renames_claude_and_moves_no_alias_from_nothing(corpus, db_url, sessions):
    summaries = backfill_openrouter(sessions, db_url, openrouter_snapshots(corpus), trigger="test")
    assert all(s.status == "success" for s in summaries)
    with sessions() as session:
        events = list_events(session)
    renamed = {(e["old_id"], e["model"]) for e in events if e["kind"] == "model_renamed"}
    assert ("anthropic/claude-3-5-haiku", "anthropic/claude-3.5-haiku") in renamed
    assert not [e for e in events if e["kind"] == "model_added" and e["model"] == "anthropic/claude-3.5-haiku"]
    assert not [e for e in events if e["kind"] == "model_delisted" and e["model"] == "anthropic/claude-3-5-haiku"]
    aliases = [e for e in events if e["kind"] == "alias_changed"]
    assert all(e["old"] is not None for e in aliases), aliases


def test_a_first_hub_crawl_creates_no_new_model_and_vendors_are_one_key_each(world, tmp_path):
    engine = make_engine(world)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session:
            vendors = list(session.scalars(select(Model.vendor).distinct()))
            gpt2 = session.scalars(select(Model).where(Model.key == "openai-community/gpt2")).one()
            opt = session.scalars(select(Model).where(Model.key == "facebook/opt-125m")).one()
        assert len(vendors) == len({v.casefold() for v in vendors})
        assert "Qwen" not in vendors and "qwen" in vendors
        assert (opt.license_key, opt.license_class) == ("LicenseRef-other", "non-commercial")
        week = gpt2.first_seen_at.isocalendar()
        label = f"{week.year}-W{week.week:02d}"
        data = issue_data(sessions, world, tmp_path, label, gpt2.first_seen_at + dt.timedelta(days=8))
    finally:
        engine.dispose()
    assert data["new_models"] == []
    assert len(data["disputes"]) <= 20  # the week's disputes: a screenful
