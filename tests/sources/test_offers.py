"""OpenRouter per-provider offers: read from /endpoints, stored with history, events, incremental crawls."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.corpus import OFFER_FILES, snapshot
from helpers.db import data_counts
from helpers.server import Reply
from sqlalchemy import select

from tracker.cli.app import App
from tracker.cli.models import cmd_models
from tracker.config import Settings, SiteSettings
from tracker.errors import NormalizationError
from tracker.normalize.endpoints import ListingState, cheapest, diff_offers, offer_targets, parse_offers
from tracker.site.build import build_site
from tracker.sources.registry import enabled_sources
from tracker.sources.runner import run_crawl
from tracker.store.ingest_offers import offers_of
from tracker.store.tables import Event, Model, OpenRouterListing
from tracker.store.tables.offers import Offer as OfferRow
from tracker.urls import model_path

UTC = dt.UTC
NOW = dt.datetime(2026, 5, 17, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def endpoints(corpus: Path, name: str) -> dict:
    return json.loads((corpus / "openrouter" / "endpoints" / f"{name}.json").read_text("utf-8"))


def test_the_gpt_oss_120b_providers_with_their_quantizations_and_prices(corpus: Path):
    model_id, offers = parse_offers(endpoints(corpus, "openai__gpt-oss-120b"))
    assert model_id == "openai/gpt-oss-120b" and len(offers) == 18
    by_key = {o.key: o for o in offers}
    deepinfra = by_key["deepinfra/bf16"]
    assert (deepinfra.provider, deepinfra.quantization, deepinfra.context_length) == ("DeepInfra", "bf16", 131072)
    assert (deepinfra.price("prompt"), deepinfra.price("completion")) == (Decimal("0.039"), Decimal("0.19"))
    assert by_key["cerebras/fp16"].price("completion") is not None
    assert {o.quantization for o in offers} >= {"bf16", "fp4", "fp8", "fp16"}
    assert {by_key["deepinfra/bf16"].provider, by_key["deepinfra/turbo"].provider} == {"DeepInfra"}
    assert cheapest(offers).key == "deepinfra/bf16"
    # an older response without tags: provider and quantization make the key
    _, old = parse_offers(endpoints(corpus, "google__gemini-2.5-pro-preview--2025-05-12"))
    assert [o.key for o in old] == ["Google/unknown", "Google AI Studio/unknown"]


@pytest.mark.parametrize(
    "payload", [{}, {"data": {"id": "x/y"}}, {"data": {"id": "x/y", "endpoints": [{"pricing": {}}]}}, {"data": []}]
)
def test_a_malformed_endpoints_response_is_rejected(payload):
    with pytest.raises(NormalizationError):
        parse_offers(payload)


def test_offer_events_provider_added_removed_and_cheapest_changed(corpus: Path):
    payload = endpoints(corpus, "openai__gpt-oss-120b")
    _, before = parse_offers(payload)
    changed = copy.deepcopy(payload)
    eps = changed["data"]["endpoints"]
    removed = eps.pop(1)  # novita/fp4 leaves
    eps[0]["pricing"]["prompt"] = "0.000001"  # deepinfra/bf16 dearer: the newcomer is now the cheapest
    eps.append(dict(removed, tag="newco/fp8", provider_name="NewCo", quantization="fp8"))
    _, after = parse_offers(changed)
    events = diff_offers("openai/gpt-oss-120b", before, after, at=NOW, model_key="openai/gpt-oss-120b")
    assert [(e.kind, getattr(e, "offer", None)) for e in events] == [
        ("offer_added", "newco/fp8"),
        ("offer_removed", "novita/fp4"),
        ("cheapest_offer_changed", None),
    ]
    moved = events[-1]
    assert (moved.old_offer, moved.new_offer, moved.new_prompt) == ("deepinfra/bf16", "newco/fp8", Decimal("0.05"))
    assert diff_offers("x", before, before, at=NOW, model_key=None) == []
    assert diff_offers("x", None, before, at=NOW, model_key=None) == []  # the first read announces nothing


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("all", ["new", "changed", "stale-single", "stale-multi"]),
        ("multi", ["new", "changed", "stale-multi"]),
        ("off", []),
    ],
)
def test_which_models_a_crawl_reads(mode, expected):
    states = [
        ListingState("fresh", "fresh", "h", "h", NOW - HOUR, 5),
        ListingState("stale-single", "s", "h", "h", NOW - 48 * HOUR, 1),
        ListingState("stale-multi", "m", "h", "h", NOW - 30 * HOUR, 3),
        ListingState("changed", "c", "h2", "h1", NOW - HOUR, 1),
        ListingState("new", "n", "h"),
    ]
    got = offer_targets(states, mode=mode, now=NOW, refresh=24 * HOUR, limit=10)
    assert [s.listing_id for s in got] == expected
    assert [s.listing_id for s in offer_targets(states, mode="all", now=NOW, refresh=24 * HOUR, limit=2)] == [
        "new",
        "changed",
    ]


FILES = OFFER_FILES


def test_a_crawl_stores_the_offers_an_offer_change_is_an_event_and_an_unchanged_recrawl_writes_nothing(
    settings: Settings, server, corpus: Path, sessions, engine, tmp_path: Path
):
    responses = {name: endpoints(corpus, name) for name in FILES}
    ids = {r["data"]["id"] for r in responses.values()}
    listing = json.loads(snapshot(corpus, "2026-05-16").read_text("utf-8"))
    models = [m for m in listing["data"] if m["id"] in ids]
    server.route("/api/v1/models", Reply(200, {"data": models}, {"Content-Type": "application/json"}))
    slugs = {m["id"]: m["canonical_slug"] for m in models}

    def serve(payloads: dict[str, dict]) -> None:
        for payload in payloads.values():
            path = f"/api/v1/models/{slugs[payload['data']['id']]}/endpoints"
            server.route(path, Reply(200, payload, {"Content-Type": "application/json"}))

    serve(responses)
    on = dataclasses.replace(
        settings, openrouter=dataclasses.replace(settings.openrouter, offers="all", offers_refresh_hours=0)
    )
    assert enabled_sources(on)[:2] == ["openrouter", "offers"]
    assert run_crawl(on, "openrouter", trigger="test").status == "success"
    first = run_crawl(on, "offers", trigger="test")
    assert first.status == "success", first.render()
    assert first.extra["models_read"] == len(FILES) and not first.events  # the first read announces nothing
    with sessions() as session:
        model_id = session.scalar(
            select(OpenRouterListing.model_id).where(OpenRouterListing.id == "openai/gpt-oss-120b")
        )
        offers = offers_of(session, model_id)
    assert len(offers) == 18 and offers[0]["offer"] == "deepinfra/bf16"
    assert (offers[0]["quantization"], offers[0]["prompt_usd_per_mtok"], offers[0]["completion_usd_per_mtok"]) == (
        "bf16",
        Decimal("0.039"),
        Decimal("0.19"),
    )
    assert offers[0]["prices"]["prompt"] == ["priced", "0.039"]

    counts = data_counts(engine)
    again = run_crawl(on, "offers", trigger="test")
    assert again.status == "success" and again.extra["models_read"] == len(FILES)
    assert (again.new, again.changed, again.writes) == (0, 0, 0) and not again.events
    assert data_counts(engine) == counts  # re-crawling unchanged data writes nothing

    changed = copy.deepcopy(responses)
    eps = changed["openai__gpt-oss-120b"]["data"]["endpoints"]
    eps[0]["pricing"]["prompt"] = "0.000001"
    eps[0]["uptime_last_30m"] = 12.5  # uptime alone is no change
    gone = eps.pop(1)
    serve(changed)
    third = run_crawl(on, "offers", trigger="test")
    assert third.events == {"offer_removed": 1, "cheapest_offer_changed": 1}, third.render()
    assert (third.changed, third.delisted) == (1, 1)
    with sessions() as session:
        history = session.scalars(
            select(OfferRow).where(OfferRow.listing_id == "openai/gpt-oss-120b", OfferRow.offer == "deepinfra/bf16")
        ).all()
        removed = session.scalars(select(OfferRow).where(OfferRow.offer == gone["tag"])).one()
        event = session.scalars(select(Event).where(Event.kind == "cheapest_offer_changed")).one()
        key = session.scalar(select(Model.key).where(Model.id == event.model_id))
    assert sorted((h.prices["prompt"][1], h.last_seen_at is None) for h in history) == [("0.039", False), ("1", True)]
    assert removed.last_seen_at is not None
    assert event.data["old_offer"] == "deepinfra/bf16" and event.data["new_offer"] == "google-vertex/global"
    assert key == "openai/gpt-oss-120b"

    # the model page shows the offers table; tracker models --json carries the offers
    site = dataclasses.replace(on, site=SiteSettings(out_dir=str(tmp_path / "site"), workers=1))
    build_site(sessions, site, tmp_path / "site")
    page = (tmp_path / "site" / model_path(key) / "index.html").read_text("utf-8")
    table = page.split('id="providers"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 17  # header + the current offers
    assert "DeepInfra <code>deepinfra/turbo</code></td><td>bf16</td>" in table
    assert table.index("google-vertex/global") < table.index("deepinfra/bf16")  # cheapest first
    out = io.StringIO()
    assert cmd_models(App(settings=on, out=out), _Args()) == 0
    [row] = [r for r in json.loads(out.getvalue()) if r["key"] == key]
    assert len(row["offers"]) == 17 and row["offers"][0]["offer"] == "google-vertex/global"
    assert row["offers"][0]["prompt_usd_per_mtok"] == "0.09" and row["offers"][0]["quantization"] == "unknown"

    # incremental: unchanged listings read within the refresh interval cost no request
    lazy = dataclasses.replace(on, openrouter=dataclasses.replace(on.openrouter, offers_refresh_hours=24))
    before = len(server.requests)
    idle = run_crawl(lazy, "offers", trigger="test")
    assert idle.status == "success" and idle.extra["models_planned"] == 0
    assert not [r for r in server.requests[before:] if r.path.endswith("/endpoints")]


@dataclasses.dataclass
class _Args:
    json: bool = True
    retiring: bool = False
    as_of: dt.date | None = None
    vendor: str | None = None
    open_weights: str | None = None
    license_class: str | None = None
    include_derivatives: bool = False
    limit: int | None = None
