"""Building issues: golden output from a fixed database, byte-identical re-render, quiet weeks, the archive."""

import json
import os
from pathlib import Path

import pytest
from nl_data import NOW, WEEK, fixed_week
from nl_smtp import SITE, newsletter_settings
from sqlalchemy import select

from tracker.newsletter import archive
from tracker.newsletter.build import build_issue
from tracker.newsletter.content import context_from_dict
from tracker.newsletter.errors import NewsletterError
from tracker.newsletter.render import render_issue
from tracker.store.tables import Run
from tracker.store.tables.newsletter import NewsletterIssue

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TRACKER_UPDATE_GOLDEN") == "1"


@pytest.fixture
def settings_(db_url, tmp_path):
    return newsletter_settings(db_url, tmp_path)


def test_golden_issue_from_a_fixed_database(sessions, settings_):
    with sessions.begin() as session:
        fixed_week(session)
    result = build_issue(sessions, settings_, WEEK, now=NOW)
    assert result.week == WEEK and result.written
    folder = Path(settings_.newsletter.archive_dir) / WEEK
    assert result.path == folder
    for name in (archive.SUBJECT, archive.HTML, archive.TEXT, archive.DATA):
        produced = (folder / name).read_bytes()
        if UPDATE:
            GOLDEN.mkdir(exist_ok=True)
            (GOLDEN / name).write_bytes(produced)
        assert produced == (GOLDEN / name).read_bytes(), f"{name} differs from tests/newsletter/golden/{name}"


def test_fixed_database_content_is_what_a_reader_expects(sessions, settings_):
    with sessions.begin() as session:
        fixed_week(session)
    result = build_issue(sessions, settings_, WEEK, now=NOW)
    data = json.loads((result.path / "data.json").read_text())
    numbers = data["numbers"]
    # New models: originals of the week, grouped by vendor; the derivative and next week's model are left out.
    groups = {g["vendor"]: [m["key"] for m in g["models"]] for g in data["new_models"]}
    # (sorted by displayed name: the lite model has no name yet, so its key is shown)
    assert groups == {"acme": ["acme/rocket-1", "acme/rocket-1-mini"], "zeta": ["zeta/zed-2-lite", "zeta/zed-2"]}
    rocket = data["new_models"][0]["models"][0]
    assert rocket["openness"] == "open weights" and rocket["license"] == "Apache-2.0"
    assert rocket["params"] == "235B params (22B active)" and rocket["context"] == "131,072 tokens"
    assert rocket["price"] == "$0.30 in · $1.20 out per 1M tokens"
    assert rocket["url"] == SITE + "models/acme/rocket-1/"
    mini = data["new_models"][0]["models"][1]
    assert mini["price"] == "$0.04 in · $0.20 out per 1M tokens"  # the price in force at the end of the week
    assert mini["params"] == "7.6B params, from the name"
    lite = data["new_models"][1]["models"][0]
    assert (lite["name"], lite["price"]) == ("zeta/zed-2-lite", "free")
    # Net price changes: the cut with its jitter netted, the new tier, now-free; flip-flop and +1.67 % left out.
    offers = {o["subject"]: o for o in data["price_changes"]}
    assert sorted(offers) == ["mistralai/mistral-small", "qwen/qwen3-max"]
    lines = [
        (line["label"], line["tier"], line["old"], line["new"], line["percent"])
        for line in offers["qwen/qwen3-max"]["lines"]
    ]
    assert lines == [
        ("input", "", "$1.20", "$0.78 per 1M tokens", "−35%"),
        ("output", "", "$6.00", "$3.90 per 1M tokens", "−35%"),
        ("input", "prompt>=32000", "none", "$1.56 per 1M tokens", None),
    ]
    assert [(line["component"], line["direction"]) for line in offers["mistralai/mistral-small"]["lines"]] == [
        ("request", "now-free")
    ]
    assert numbers["price_changes"] == 4 and numbers["price_observations"] == 9
    assert numbers["price_noise_left_out"] == 2
    # Licence/openness: net changes only (the licence that went and came back is left out).
    assert [(s["key"], s["what"], s["old"], s["new"]) for s in data["status_changes"]] == [
        ("acme/weights-later", "licence", "LicenseRef-acme-research (non-commercial)", "Apache-2.0 (permissive)"),
        ("acme/weights-later", "weights", "API only", "open weights"),
    ]
    disputes = {d["key"]: d for d in data["disputes"]}
    assert disputes["qwen/qwen3-max"]["shown"] == "api-only"
    assert disputes["qwen/qwen3-max"]["contrary"] == "open source"
    assert disputes["qwen/qwen3-max"]["quote"] == "Qwen3-Max is open source and free to use."
    assert disputes["qwen/qwen3-max"]["source_url"] == "https://example-news.com/qwen3-max"
    assert disputes["zeta/zed-2"]["resolved"] is True
    assert [b["label"] for b in data["benchmarks"]] == ["self-reported", "reported by leaderboard"]
    # Delisted: the 405B and a free variant; the delisted-then-relisted model is left out.
    assert [d["subject"] for d in data["delisted"]] == ["acme/rocket-1:free", "meta-llama/llama-3.1-405b-instruct"]
    # The subject names the week and the three most important counts.
    assert result.subject == "tracker weekly 2026-W12: 4 new models, 4 price changes, 2 disputed claims, +6 more"
    text = (result.path / "email.txt").read_text()
    assert "input: $1.20 -> $0.78 per 1M tokens (−35%)" in text
    assert "Mistral Small" in text and "mistral-small" not in text.split("DELISTED")[1]


def test_a_rerender_from_data_json_is_byte_identical(sessions, settings_):
    with sessions.begin() as session:
        fixed_week(session)
    result = build_issue(sessions, settings_, WEEK, now=NOW)
    rendered = archive.rerender(result.path)
    assert (rendered.subject + "\n").encode() == (result.path / "subject.txt").read_bytes()
    assert rendered.html.encode() == (result.path / "email.html").read_bytes()
    assert rendered.text.encode() == (result.path / "email.txt").read_bytes()
    # Building again from the unchanged database rewrites nothing.
    before = {p.name: p.stat().st_mtime_ns for p in result.path.iterdir()}
    again = build_issue(sessions, settings_, WEEK, now=NOW)
    assert not again.written
    assert {p.name: p.stat().st_mtime_ns for p in result.path.iterdir()} == before


def test_html_has_inlined_css_and_keeps_dark_mode_and_phone_rules(sessions, settings_):
    with sessions.begin() as session:
        fixed_week(session)
    html = (build_issue(sessions, settings_, WEEK, now=NOW).path / "email.html").read_text()
    head, body = html.split("<body", 1)
    assert 'style="' in body and "max-width: 600px" in body  # inlined
    assert head.count("<style") == 1 and "prefers-color-scheme: dark" in head and "max-width: 620px" in head
    assert '<meta name="color-scheme" content="light dark">' in head
    assert 'role="presentation"' in body  # table layout


def test_a_quiet_week_is_short_and_correct(sessions, settings_):
    result = build_issue(sessions, settings_, "2026-W10", now=NOW)
    assert result.subject == "tracker weekly 2026-W10: a quiet week"
    assert result.items == 0
    text = (result.path / "email.txt").read_text()
    assert "A quiet week" in text
    for heading in ("NEW MODELS", "PRICE CHANGES", "DISPUTED", "BENCHMARK", "DELISTED", "LICENCE AND"):
        assert heading not in text
    assert len(text.splitlines()) < 20
    html = (result.path / "email.html").read_text()
    assert "A quiet week" in html and "New models" not in html


def test_default_week_is_the_last_complete_one_and_runs_and_issues_are_recorded(sessions, settings_):
    result = build_issue(sessions, settings_, now=NOW)
    assert result.week == "2026-W12"
    with sessions() as session:
        issue = session.scalars(select(NewsletterIssue)).one()
        assert issue.week == "2026-W12" and issue.subject == result.subject
        assert issue.data_hash == archive.data_hash((result.path / "data.json").read_bytes())
        run = session.scalars(select(Run).where(Run.job == "newsletter-build")).one()
        assert run.status == "success"


def test_a_week_that_has_not_begun_is_refused(sessions, settings_):
    with pytest.raises(NewsletterError, match="has not begun"):
        build_issue(sessions, settings_, "2026-W14", now=NOW)


def test_data_json_round_trips_and_rejects_unknown_shapes(sessions, settings_):
    with sessions.begin() as session:
        fixed_week(session)
    folder = build_issue(sessions, settings_, WEEK, now=NOW).path
    data = json.loads((folder / "data.json").read_text())
    context = context_from_dict(data)
    assert render_issue(context).text == (folder / "email.txt").read_text()
    data["surprise"] = 1
    (folder / "data.json").write_text(json.dumps(data))
    with pytest.raises(NewsletterError, match="unknown keys"):
        archive.read_context(folder)
