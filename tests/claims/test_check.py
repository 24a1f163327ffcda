"""``tracker check``: the seed articles about Qwen3-Max, checked against OpenRouter and the Hub."""

from __future__ import annotations

import json

import pytest
from helpers.db import data_counts
from helpers.server import Reply
from sqlalchemy import select

from tracker.cli import main
from tracker.store.tables import Claim, Document, Model

SEEDS = (
    "000_c6dc48e131f9fde4.txt",
    "001_ce9375d93a126e2f.txt",
    "002_f8a82aa700dfb7a4.txt",
    "003_6ba69d8e4af22b21.txt",
    "004_d69d3dd2a683e24d.txt",
)


@pytest.fixture
def cli_env(stocked, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", stocked)
    monkeypatch.setenv("TRACKER_ALLOWED_HOSTS", "127.0.0.1,localhost")
    monkeypatch.setenv("TRACKER_HTTP_RETRIES", "0")
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return stocked


def check_json(capsys, *args):
    capsys.readouterr()
    code = main(["check", "--json", *map(str, args)])
    out = capsys.readouterr().out
    return code, json.loads(out)


def claims_of(report, model, attribute):
    return [c for c in report["claims"] if c["model"] == model and c["attribute"] == attribute]


def test_each_seed_open_source_is_disputed_and_api_only_is_consistent(cli_env, corpus, capsys):
    seeds = corpus / "press" / "seeds"
    reports = {}
    for name in SEEDS:
        code, [report] = check_json(capsys, seeds / name)
        assert code == 0
        assert report["source"] == name and report["url"] == name  # no URL: the file name is the source
        reports[name] = report

    # "Alibaba just released Qwen3-Max. A trillion parameters. Open source. Free to use."
    [opened] = claims_of(reports["000_c6dc48e131f9fde4.txt"], "qwen/qwen3-max", "openness")
    assert (opened["value"], opened["verdict"]) == ("open", "disputed")
    assert opened["held"]["value"] == "api-only" and opened["held"]["reporter"] == "primary API"
    assert "Open source" in opened["quote"]
    # "…one of the most impressive open-source models ever" about Qwen-Max, which is API-only too
    [qwen_max] = claims_of(reports["001_ce9375d93a126e2f.txt"], "qwen/qwen-max", "openness")
    assert (qwen_max["value"], qwen_max["verdict"]) == ("open", "disputed")
    # "closed-source with API access only" / "will not be available in an open-source version"
    for name in ("002_f8a82aa700dfb7a4.txt", "003_6ba69d8e4af22b21.txt"):
        [closed] = claims_of(reports[name], "qwen/qwen3-max", "openness")
        assert (closed["value"], closed["verdict"]) == ("api-only", "consistent"), name
    # every open-source claim about Qwen3-Max (whatever it is called) is disputed, every API-only one consistent
    for report in reports.values():
        for claim in report["claims"]:
            if claim["model"] == "qwen/qwen3-max" and claim["attribute"] == "openness":
                assert claim["verdict"] == ("disputed" if claim["value"] == "open" else "consistent")
    # 256,000 tokens in the press vs 262,144 from the API: within tolerance
    [context] = claims_of(reports["002_f8a82aa700dfb7a4.txt"], "qwen/qwen3-max", "context_length")
    assert (context["value"], context["verdict"], context["held"]["value"]) == ("256000", "consistent", "262144")
    # the invented Apache-2.0 "Qwen 3 (72B)" names no model
    invented = reports["004_d69d3dd2a683e24d.txt"]["claims"]
    licence = [c for c in invented if c["attribute"] == "license"]
    assert licence and all(c["verdict"] == "unknown model" and c["model"] is None for c in licence)
    assert {c["mention"] for c in licence} == {"Qwen 3 (72B)"}


def test_text_output_shows_each_claim_beside_what_the_tracker_holds(cli_env, corpus, capsys):
    capsys.readouterr()
    assert main(["check", str(corpus / "press" / "seeds" / "000_c6dc48e131f9fde4.txt")]) == 0
    out = capsys.readouterr().out
    assert "DISPUTED" in out and "qwen/qwen3-max: openness = open" in out
    assert "article: “Open source.”" in out
    assert "tracker: api-only — openrouter (primary API)" in out


def test_checked_claims_are_stored_as_press_claims_once(cli_env, corpus, capsys, engine, sessions):
    seed = corpus / "press" / "seeds" / "000_c6dc48e131f9fde4.txt"
    check_json(capsys, seed)
    counts = data_counts(engine)
    with sessions() as session:
        qwen = session.scalars(select(Model).where(Model.key == "qwen/qwen3-max")).one()
        press = session.scalars(select(Claim).where(Claim.url == seed.name)).all()
        doc = session.scalars(select(Document).where(Document.url == seed.name)).one()
    assert press and {c.reporter for c in press} == {"press"} and {c.source for c in press} == {seed.name}
    assert all(c.document_id == doc.id and c.quote for c in press)
    opened = next(c for c in press if c.attribute == "openness")
    assert (opened.model_id, opened.status) == (qwen.id, "disputed")
    code, [again] = check_json(capsys, seed)
    assert code == 0 and again["new_document"] is False
    assert data_counts(engine) == counts  # checking the same article twice stores nothing new


def test_no_store_changes_nothing(cli_env, corpus, capsys, engine):
    before = data_counts(engine)
    code, [report] = check_json(capsys, "--no-store", corpus / "press" / "seeds" / "000_c6dc48e131f9fde4.txt")
    assert code == 0 and report["stored"] is False
    assert any(c["verdict"] == "disputed" for c in report["claims"])
    assert data_counts(engine) == before


def test_a_url_is_fetched_with_the_crawler_rules(cli_env, corpus, content, server, capsys):
    urls = content.serve_seeds()
    server.route(
        "/robots.txt", Reply(200, b"User-agent: *\nDisallow: /press/seeds/004", {"Content-Type": "text/plain"})
    )
    code, reports = check_json(capsys, urls["002_f8a82aa700dfb7a4.txt"], urls["004_d69d3dd2a683e24d.txt"])
    assert code == 1  # one input could not be checked
    [report] = [r for r in reports if "claims" in r]
    assert report["url"] == urls["002_f8a82aa700dfb7a4.txt"] and report["source"] == "127.0.0.1"
    [closed] = claims_of(report, "qwen/qwen3-max", "openness")
    assert closed["verdict"] == "consistent"
    [refused] = [r for r in reports if "error" in r]
    assert refused["input"] == urls["004_d69d3dd2a683e24d.txt"] and refused["error"] == "robots-txt"
    fetched = server.requests_to("/press/seeds/002_f8a82aa700dfb7a4.txt")
    assert fetched and fetched[0].headers["user-agent"].startswith("tracker/")
    assert not server.requests_to("/press/seeds/004_d69d3dd2a683e24d.txt")  # robots.txt said no


def test_a_missing_file_or_a_page_without_article_is_reported(cli_env, tmp_path, capsys):
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    code, reports = check_json(capsys, tmp_path / "nope.md", empty)
    assert code == 1
    assert {(r["input"], r["error"]) for r in reports} == {
        (str(tmp_path / "nope.md"), "not-found"),
        (str(empty), "no-article"),
    }
