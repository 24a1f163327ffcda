"""The Qwen3-Max story over the corpus blogs and press: who claimed what, disputed against the APIs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tracker.cli import main
from tracker.config import FeedSettings
from tracker.sources.runner import run_crawl
from tracker.store.events import list_events
from tracker.store.tables import Claim, Dispute, Model

SEEDS = (
    "000_c6dc48e131f9fde4.txt",
    "001_ce9375d93a126e2f.txt",
    "002_f8a82aa700dfb7a4.txt",
    "003_6ba69d8e4af22b21.txt",
    "004_d69d3dd2a683e24d.txt",
)


@pytest.fixture
def story(stocked, content, with_feeds, corpus, monkeypatch, capsys):
    """The stocked database after crawling the blogs and the press, and checking the seed articles."""
    feeds = [FeedSettings(url=content.serve_real_qwen_feed(), vendor="qwen")]
    feeds += [FeedSettings(url=content.serve_blog(v), vendor=v) for v in ("deepseek", "openai", "moonshot", "meta")]
    feeds.append(FeedSettings(url=content.serve_press(), vendor="news", kind="press"))
    settings = with_feeds(*feeds)
    for source in ("blogs", "press"):
        summary = run_crawl(settings, source, trigger="test")
        assert summary.status == "success", summary.render()
    monkeypatch.setenv("TRACKER_DATABASE_URL", stocked)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    assert main(["check", *(str(corpus / "press" / "seeds" / name) for name in SEEDS)]) == 0
    capsys.readouterr()
    return settings


def qwen3_max(session):
    return session.scalars(select(Model).where(Model.key == "qwen/qwen3-max")).one()


def test_qwen3_max_is_disputed_on_openness_with_both_sides_quoted(story, sessions):
    with sessions() as session:
        model = qwen3_max(session)
        [dispute] = session.scalars(
            select(Dispute).where(Dispute.model_id == model.id, Dispute.attribute == "openness")
        ).all()
        claims = {c.id: c for c in session.scalars(select(Claim).where(Claim.model_id == model.id))}
    assert dispute.status == "open" and dispute.qualifier == ""
    shown = claims[dispute.shown_claim_id]
    assert (shown.value, shown.reporter, shown.source, shown.status) == ("api-only", "primary", "openrouter", "shown")
    contrary = [claims[i] for i in dispute.data["contrary"]]
    consistent = [claims[i] for i in dispute.data["consistent"]]
    # the seed that calls it open source, with its sentence
    assert {(c.source, c.value) for c in contrary} >= {("000_c6dc48e131f9fde4.txt", "open")}
    assert all(c.status == "disputed" and c.reporter == "press" and c.quote for c in contrary)
    assert any("Open source" in c.quote for c in contrary)
    # the seeds that say API-only, with theirs
    api_only = {c.source: c.quote for c in consistent if c.value == "api-only"}
    assert {"002_f8a82aa700dfb7a4.txt", "003_6ba69d8e4af22b21.txt"} <= set(api_only)
    assert "closed-source with API access only" in api_only["002_f8a82aa700dfb7a4.txt"]
    assert "API-only" in dispute.data["summary"] or "API" in dispute.data["summary"]


def test_the_dispute_is_an_event_the_digest_can_render(story, sessions):
    with sessions() as session:
        events = [e for e in list_events(session, kinds=["claim_disputed"]) if e["model"] == "qwen/qwen3-max"]
    openness = [e for e in events if e["attribute"] == "openness"]
    assert openness
    event = openness[0]
    assert (event["shown"], event["contrary"]) == ("api-only", "open")
    assert event["shown_source"] == "openrouter (primary API)"
    assert event["contrary_source"].endswith("(press)") and event["quote"] and event["url"]
    assert event["qualifier"] == ""


def test_the_invented_qwen_3_72b_is_never_a_fact_of_a_real_model(story, sessions):
    with sessions() as session:
        invented = session.scalars(
            select(Claim).where(Claim.quote.like("%Apache 2.0 license%"), Claim.url == SEEDS[4])
        ).all()
        apache_about_qwen = session.scalars(
            select(Claim)
            .join(Model, Model.id == Claim.model_id)
            .where(Model.key.like("qwen/%"), Claim.attribute == "license", Claim.reporter == "press")
        ).all()
    assert invented and all(c.model_id is None and c.status == "unresolved" for c in invented)
    assert {c.mention for c in invented} == {"Qwen 3 (72B)"}
    assert not [c for c in apache_about_qwen if c.url == SEEDS[4]]


def test_press_prices_are_kept_beside_the_api_prices(story, sessions):
    with sessions() as session:
        model = qwen3_max(session)
        prices = session.scalars(select(Claim).where(Claim.model_id == model.id, Claim.attribute == "price")).all()
    press = {(c.qualifier, c.value) for c in prices if c.reporter == "press"}
    api = {(c.qualifier, c.value) for c in prices if c.reporter == "primary"}
    # $1.20 flat, and the $0.861 … $2.151 tier table
    assert {("prompt", "1.2"), ("prompt", "0.861"), ("prompt@prompt>=128000", "2.151")} <= press
    # OpenRouter's current prices, tiers included
    assert {("prompt", "0.78"), ("prompt@prompt>=32000", "1.56"), ("prompt@prompt>=128000", "1.95")} <= api
    by_value = {c.value: c for c in prices if c.reporter == "press" and c.qualifier == "prompt"}
    # $1.20 is what the API charged before the March 2026 cut: outdated since then (issue 12), not disputed;
    # $0.861 opens a prompt-length tier table when the API had one flat price: another seller's offer, shown beside
    assert by_value["1.2"].status == "outdated" and by_value["1.2"].valid_until == dt.datetime(
        2026, 3, 17, tzinfo=dt.UTC
    )
    assert by_value["0.861"].status == "unchecked"
    assert all(c.unit == "usd_per_mtok" and c.quote and c.source for c in prices if c.reporter == "press")


def test_claims_cli_lists_both_sides_of_a_dispute(story, capsys):
    import json

    capsys.readouterr()
    assert main(["claims", "--model", "Qwen3-Max", "--disputed", "--attribute", "openness", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["status"] == "shown" and rows[0]["reporter"] == "primary"
    assert {r["status"] for r in rows} >= {"shown", "disputed", "consistent"}
    assert all(r["model"] == "qwen/qwen3-max" and r["attribute"] == "openness" for r in rows)
    assert main(["claims", "--model", "Qwen3-Max", "--disputed"]) == 0
    text = capsys.readouterr().out
    assert "qwen/qwen3-max  openness = open  [disputed]" in text and "“Open source.”" in text
