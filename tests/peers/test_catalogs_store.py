"""Catalogs stored and weighed in the database: `tracker catalogs import`, `tracker catalogs`, a crawl with
conditional GET, and a broken file that loses nothing."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

from helpers.corpus import snapshot
from helpers.server import FakeServer, Reply
from peer_data import LITELLM_NEW, LITELLM_OLD, history, litellm
from sqlalchemy import func, select

from tracker.backfill import backfill_openrouter
from tracker.cli import build_parser
from tracker.cli.app import App
from tracker.config import PeerSettings, Settings
from tracker.peers.compare import compare_catalog, tally
from tracker.peers.report import catalog_report
from tracker.sources.registry import enabled_sources
from tracker.sources.runner import run_crawl
from tracker.store.db import session_scope
from tracker.store.runs import utcnow
from tracker.store.tables import Claim, CrawlError, Dispute, Run
from tracker.update.ledger import reconcile

SNAPSHOTS = ("2026-03-17", "2026-05-16")


def _cli(db_url: str, *argv: str) -> str:
    out = io.StringIO()
    app = App(settings=Settings(database_url=db_url), out=out)
    try:
        args = build_parser().parse_args(list(argv))
        assert int(args.func(app, args) or 0) == 0
    finally:
        app.close()
    return out.getvalue()


def _import(db_url: str, corpus: Path, which: tuple[str, str, str]) -> str:
    path, version, date = which
    return _cli(
        db_url, "catalogs", "import", "litellm", str(corpus / "peers" / path), "--version", version, "--date", date
    )


def test_imported_catalog_is_weighed_like_the_pure_comparison(corpus: Path, db_url: str, sessions) -> None:
    files = [snapshot(corpus, name) for name in SNAPSHOTS]
    assert all(s.status == "success" for s in backfill_openrouter(sessions, db_url, files, trigger="test"))
    out = _import(db_url, corpus, LITELLM_OLD)
    assert out.startswith("litellm@1.84.0: 2408 entries, 10 rejected (bad-count 10), 2317 of other offers")
    assert "89 linked, 2 unlinked" in out  # two ids are in neither snapshot
    with sessions() as session:
        [summary] = catalog_report(session)
        claims = session.scalar(select(func.count()).select_from(Claim).where(Claim.reporter == "aggregator"))
        errors = session.scalar(select(func.count()).select_from(CrawlError).where(CrawlError.source == "litellm"))
    assert errors == 10  # every unparsable entry is a crawl error with its reason
    # the store's history (prices, observations) gives the verdicts the pure builder gives for the same snapshots
    pure = history(corpus, tuple(f"models-{name}.json" for name in SNAPSHOTS))
    expected = {
        (t.attribute, t.compared, t.agree, t.stale, t.wrong)
        for t in tally(compare_catalog(litellm(corpus, LITELLM_OLD), pure, {k[0] for k in pure}))
        if t.compared
    }
    assert {(t.attribute, t.compared, t.agree, t.stale, t.wrong) for t in summary.tallies if t.compared} == expected
    prompt = next(t for t in summary.tallies if t.attribute == "price:prompt")
    # with 03-17 and 05-16 stored, a price that changed between them agrees with either (the catalog's 05-14
    # falls in the gap): fewer wrong than against 05-16 alone (34), and the two routers are not comparable
    assert (prompt.compared, prompt.stale, prompt.wrong, prompt.not_comparable) == (87, 0, 33, 2)

    # the claims ledger leaves catalog values to the catalog page: no dispute for a stale catalog price
    with session_scope(sessions) as session:
        assert reconcile(session, now=utcnow()).opened == 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Dispute)) == 0
        statuses = set(session.scalars(select(Claim.status).where(Claim.reporter == "aggregator")))
    assert statuses == {"unchecked"}

    # the same version again writes nothing
    again = _import(db_url, corpus, LITELLM_OLD)
    assert again.endswith("; 0 new claims\n")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Claim).where(Claim.reporter == "aggregator")) == claims

    text = _cli(db_url, "catalogs")
    assert "litellm@1.84.0 (data of 2026-05-14)" in text
    assert "deepseek/deepseek-chat price:prompt: catalog 0.14, OpenRouter 0.32" in text
    data = json.loads(_cli(db_url, "catalogs", "--json"))
    chat = next(d for d in data[0]["disagreements"] if d["openrouter_id"] == "deepseek/deepseek-chat")
    assert chat["catalog_value"] == "0.14" and chat["primary_value"] == "0.32"
    assert chat["catalog_url"].startswith("file://") and chat["primary_url"].startswith("https://openrouter.ai/")

    # the newer release has no OpenRouter entries: it becomes the latest version, with nothing compared
    _import(db_url, corpus, LITELLM_NEW)
    text = _cli(db_url, "catalogs")
    assert "litellm@1.110.2" in text and "no entry of OpenRouter's offer: nothing to compare" in text
    older = _cli(db_url, "catalogs", "--source", "litellm@1.84.0")
    assert "price:prompt" in older  # the older version's claims are still there, superseded (the ledger skips them)
    with sessions() as session:
        extras = session.scalars(select(Claim.extra).where(Claim.source == "litellm@1.84.0")).all()
    assert len(extras) == claims and all(e["superseded_by"].startswith("litellm@1.110.2") for e in extras)


SMALL = {
    "sample_spec": {"input_cost_per_token": 0.0},
    "openrouter/qwen/qwen3-max": {
        "litellm_provider": "openrouter",
        "input_cost_per_token": 1.2e-06,
        "output_cost_per_token": 6e-06,
        "max_input_tokens": 262144,
    },
    "openrouter/vendor/unknown-model": {"litellm_provider": "openrouter", "input_cost_per_token": 1e-06},
    "openrouter/broken": {"litellm_provider": "openrouter", "input_cost_per_token": "n/a"},
}


def test_crawl_uses_conditional_get_and_a_broken_file_loses_nothing(
    corpus: Path, settings: Settings, server: FakeServer, sessions
) -> None:
    backfill_openrouter(sessions, settings.database_url, [snapshot(corpus, "2026-03-17")], trigger="test")
    headers = {"Content-Type": "application/json", "ETag": '"v1"', "Last-Modified": "Mon, 16 Mar 2026 08:00:00 GMT"}
    server.route(
        "/litellm.json",
        Reply(200, json.dumps(SMALL).encode(), headers),
        Reply(304, b"", {"ETag": '"v1"'}),
        Reply(200, b"<html>maintenance</html>", {"Content-Type": "text/html"}),
    )
    crawl_settings = dataclasses.replace(settings, peers=PeerSettings(litellm_url=f"{server.url}/litellm.json"))
    assert "litellm" not in enabled_sources(crawl_settings)  # peers are crawled on demand unless enabled
    assert "litellm" in enabled_sources(dataclasses.replace(crawl_settings, peers=PeerSettings(enabled=True)))

    first = run_crawl(crawl_settings, "litellm", trigger="test")
    assert first.status == "success", first.render()
    assert first.rejected == {"not-a-number": 1}
    with sessions() as session:
        [summary] = catalog_report(session)
        rows = session.execute(
            select(Claim.mention, Claim.model_id, Claim.extra).where(Claim.reporter == "aggregator")
        ).all()
    assert summary.source.startswith("litellm@2026-03-16.")
    linked = {r.mention: r for r in rows}
    assert linked["openrouter/qwen/qwen3-max"].model_id is not None
    assert linked["openrouter/qwen/qwen3-max"].extra["link"] == "openrouter-id"
    assert linked["openrouter/vendor/unknown-model"].model_id is None  # unlinked: kept, counted
    assert summary.run_counts["unlinked"] == 1
    prompt = next(t for t in summary.tallies if t.attribute == "price:prompt")
    assert (prompt.compared, prompt.unlinked) == (1, 1)

    second = run_crawl(crawl_settings, "litellm", trigger="test")
    assert second.status == "success" and "not modified" in (second.message or "")
    conditional = server.requests_to("/litellm.json")[1]
    assert conditional.headers.get("if-none-match") == '"v1"'
    assert conditional.headers.get("if-modified-since") == "Mon, 16 Mar 2026 08:00:00 GMT"

    third = run_crawl(crawl_settings, "litellm", trigger="test")
    assert third.status == "failed" and "not-json" in (third.message or "")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Claim).where(Claim.reporter == "aggregator")) == len(
            rows
        )
        reasons = set(session.scalars(select(CrawlError.reason).where(CrawlError.source == "litellm")))
        statuses = list(session.scalars(select(Run.status).where(Run.source == "litellm").order_by(Run.id)))
    assert {"not-a-number", "not-json"} <= reasons
    assert statuses == ["success", "success", "failed"]


def test_enabled_peer_catalogs_are_scheduled_each_on_its_own_interval() -> None:
    from tracker.schedule.plan import plan

    quiet = {spec.name for spec in plan(Settings())}
    assert not any("litellm" in name for name in quiet)  # off by default
    specs = {spec.name: spec.description for spec in plan(Settings(peers=PeerSettings(enabled=True)))}
    assert specs["crawl:litellm"] == "crawl litellm every 720 min"
    assert specs["crawl:modelsdev"] == "crawl modelsdev every 720 min"
    assert specs["crawl:genaiprices"] == "crawl genaiprices every 1440 min"
    assert specs["crawl:epoch"] == "crawl epoch every 1440 min"
