"""Retirements: OpenRouter's expiration_date becomes an event, a model-page flag, a home-page list, a digest section."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from helpers.corpus import snapshot
from sqlalchemy import select

from tracker.backfill import backfill_openrouter
from tracker.cli.app import App
from tracker.cli.models import cmd_models
from tracker.config import NewsletterSettings, Settings, SiteSettings
from tracker.newsletter.build import build_issue
from tracker.normalize.retirements import Listed, Retiring, retirement_date, retirement_events, retiring_after
from tracker.site.build import build_site
from tracker.store.retirements import announce_retirements
from tracker.store.tables import Event, Model
from tracker.urls import model_path

UTC = dt.UTC
AT = dt.datetime(2026, 5, 16, 22, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-01", dt.date(2026, 6, 1)),
        ("2026-06-01T00:00:00Z", dt.date(2026, 6, 1)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retirement_dates(text, expected):
    assert retirement_date(text) == expected


def test_a_retirement_is_announced_once_and_again_when_it_moves():
    listed = [
        Listed("a/one", "a/one", "2026-06-01"),
        Listed("a/two", "a/two", "2026-05-30"),
        Listed("a/none", "a/none", None),
        Listed("z/placeholder", "z/placeholder", "2098-12-31"),  # OpenRouter's "no date" placeholder
    ]
    first = retirement_events(listed, {}, at=AT)
    assert [(e.subject, e.retires_on, e.previous) for e in first] == [
        ("a/one", "2026-06-01", None),
        ("a/two", "2026-05-30", None),
    ]
    assert retirement_events(listed, {"a/one": "2026-06-01", "a/two": "2026-05-30"}, at=AT) == []
    moved = retirement_events([Listed("a/one", "a/one", "2026-07-01")], {"a/one": "2026-06-01"}, at=AT)
    assert [(e.retires_on, e.previous) for e in moved] == [("2026-07-01", "2026-06-01")]


def test_who_retires_soon():
    items = [
        Retiring("b", "B", None, "b", dt.date(2026, 6, 1), "openrouter"),
        Retiring("a", "A", None, "a", dt.date(2026, 5, 30), "openrouter"),
        Retiring("a", "A", None, "a:free", dt.date(2026, 7, 1), "openrouter"),
        Retiring("past", "P", None, "p", dt.date(2026, 5, 1), "openrouter"),
    ]
    today = dt.date(2026, 5, 16)
    assert [(r.key, r.retires_on.day) for r in retiring_after(items, today)] == [("a", 30), ("b", 1)]
    assert [r.key for r in retiring_after(items, today, within_days=13)] == []
    assert [r.key for r in retiring_after(items, today, within_days=14)] == ["a"]
    assert [r.key for r in retiring_after(items, today, within_days=16)] == ["a", "b"]


def test_an_expiration_date_in_a_snapshot_is_shown_on_the_model_page_the_home_page_and_the_digest(
    settings: Settings, corpus: Path, sessions, db_url: str, tmp_path: Path
):
    [summary] = backfill_openrouter(sessions, db_url, [snapshot(corpus, "2026-05-16")], trigger="test")
    assert summary.status == "success" and summary.events["retirement_announced"] == 3, summary.render()
    with sessions() as session:
        events = {e.subject: e for e in session.scalars(select(Event).where(Event.kind == "retirement_announced"))}
        key = session.scalar(select(Model.key).where(Model.id == events["google/gemini-2.0-flash-001"].model_id))
        again = announce_retirements(session, AT + dt.timedelta(hours=1), run_id=None)
    assert events["google/gemini-2.0-flash-001"].data["retires_on"] == "2026-06-01"
    assert events["mistralai/mistral-7b-instruct-v0.1"].data["retires_on"] == "2026-05-30"
    assert again == ({"writes": 0}, [])  # announced once

    configured = dataclasses.replace(
        settings,
        site=SiteSettings(out_dir=str(tmp_path / "site"), workers=1),
        newsletter=NewsletterSettings(archive_dir=str(tmp_path / "newsletter")),
    )
    out = tmp_path / "site"
    build_site(sessions, configured, out)
    page = (out / model_path(key) / "index.html").read_text("utf-8")
    assert 'id="retiring">retiring 2026-06-01<' in page
    home = (out / "index.html").read_text("utf-8")
    retiring = home.split('id="retiring-soon"')[1].split("</section>")[0]
    assert 'retiring <time datetime="2026-06-01">2026-06-01</time> (16 days)' in retiring
    assert retiring.index("2026-05-30") < retiring.index("2026-06-01")  # soonest first

    issue = build_issue(sessions, configured, "2026-W20")
    text = (Path(issue.path) / "email.txt").read_text("utf-8")
    section = text.split("RETIRING")[1]
    assert "(google/gemini-2.0-flash-001): retiring 2026-06-01" in section
    assert "2026-05-30" in section
    html = (Path(issue.path) / "email.html").read_text("utf-8")
    assert ">Retiring</h2>" in html and "retiring 2026-06-01" in html

    buffer = io.StringIO()
    args = _Args(json=True, retiring=True, as_of=dt.date(2026, 5, 16))
    assert cmd_models(App(settings=configured, out=buffer), args) == 0
    rows = json.loads(buffer.getvalue())
    assert [(r["openrouter_id"], r["retires_on"], r["days_left"]) for r in rows] == [
        ("mistralai/mistral-7b-instruct-v0.1", "2026-05-30", 14),
        ("google/gemini-2.0-flash-001", "2026-06-01", 16),
        ("google/gemini-2.0-flash-lite-001", "2026-06-01", 16),
    ]


@dataclasses.dataclass
class _Args:
    json: bool
    retiring: bool
    as_of: dt.date | None
    vendor: str | None = None
    open_weights: str | None = None
    license_class: str | None = None
    include_derivatives: bool = False
    limit: int | None = None


def test_a_vendor_deprecation_table_and_sentence_give_retirement_dates(corpus: Path):
    from tracker.normalize.retirements import deprecation_statements

    text = (corpus / "blogs" / "mistral" / "2025-10-03-mistral-docs-models-overview.md").read_text("utf-8")
    found = {s.mentions: s for s in deprecation_statements(text, published=dt.datetime(2025, 10, 3, tzinfo=UTC))}
    saba = found[("Mistral Saba 2502", "mistral-saba-2502")]
    assert saba.retires_on == dt.date(2025, 9, 30) and "| Mistral Saba 2502 |" in saba.quote
    assert found[("Magistral Small 1.0", "magistral-small-2506")].retires_on == dt.date(2025, 11, 30)
    assert not any("Codestral Mamba" in m[0] for m in found)  # 2525/06/06 is a placeholder
    assert not any("Mathstral" in m[0] for m in found)  # no date given
    [said] = deprecation_statements("Note: GPT-4.5 Preview will be shut down on July 14, 2025, in the API.")
    assert (said.mentions, said.retires_on) == (("GPT-4.5 Preview",), dt.date(2025, 7, 14))
    assert deprecation_statements("We retired nothing. The model will be great on July 14, 2025.") == []


def test_a_vendor_docs_page_that_states_a_retirement_announces_it(settings: Settings, server, corpus: Path, sessions):
    from helpers.server import Reply

    from tracker.config import FeedSettings
    from tracker.sources.runner import run_crawl
    from tracker.store.identity import ensure_models

    with sessions.begin() as session:
        ensure_models(
            session,
            [("mistralai/magistral-small-2506", "mistralai", "Magistral Small 2506")],
            seen_at=dt.datetime(2025, 9, 1, tzinfo=UTC),
        )
    body = (corpus / "blogs" / "mistral" / "2025-10-03-mistral-docs-models-overview.md").read_bytes()
    server.route("/robots.txt", Reply(404, b"", {}))
    server.route("/docs/models/", Reply(200, body, {"Content-Type": "text/markdown; charset=utf-8"}))
    page = FeedSettings(url=f"{server.url}/docs/models/", vendor="mistral", type="markdown")
    first = run_crawl(dataclasses.replace(settings, feeds=(page,)), "blogs", trigger="test")
    assert first.events["retirement_announced"] == 1, first.render()
    with sessions() as session:
        [event] = session.scalars(select(Event).where(Event.kind == "retirement_announced")).all()
    assert event.subject == "mistralai/magistral-small-2506" and event.source == "blogs"
    assert event.data["retires_on"] == "2025-11-30" and event.data["url"] == page.url
    assert "| Magistral Small 1.0 |" in event.data["quote"]
    again = run_crawl(dataclasses.replace(settings, feeds=(page,)), "blogs", trigger="test")
    assert "retirement_announced" not in again.events  # announced once
    buffer = io.StringIO()
    args = _Args(json=True, retiring=True, as_of=dt.date(2025, 10, 1))
    assert cmd_models(App(settings=settings, out=buffer), args) == 0
    assert [(r["key"], r["retires_on"], r["source"]) for r in json.loads(buffer.getvalue())] == [
        ("mistralai/magistral-small-2506", "2025-11-30", "vendor")
    ]
