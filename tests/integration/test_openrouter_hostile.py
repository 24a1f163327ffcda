"""Rare upstream faults: one bad record stays one bad record, a short listing never delists.

Seeded with the 2026-03-17 listing (345 entries, no ``total_count``), each crawl below serves
a damaged listing; the valid records are stored, the bad ones are named rejections, nothing
is delisted and the run is partial.
"""

import json

import pytest
from helpers.corpus import serve_openrouter, snapshot
from helpers.server import Reply
from sqlalchemy import func, select

from tracker.sources.runner import run_crawl
from tracker.store.health import source_health
from tracker.store.tables import CrawlError, OpenRouterListing, Price


@pytest.fixture
def listing(corpus, server, settings):
    serve_openrouter(server, snapshot(corpus, "2026-03-17"))
    first = run_crawl(settings, "openrouter", trigger="test")
    assert first.status == "success" and first.complete
    return json.loads(snapshot(corpus, "2026-03-17").read_bytes())


def counts(sessions):
    with sessions() as session:
        listed = session.scalar(
            select(func.count()).select_from(OpenRouterListing).where(OpenRouterListing.status == "listed")
        )
        open_prices = session.scalar(select(func.count()).select_from(Price).where(Price.last_seen_at.is_(None)))
    return listed, open_prices


def errors(sessions, run_id):
    with sessions() as session:
        return {(e.subject, e.reason) for e in session.scalars(select(CrawlError).where(CrawlError.run_id == run_id))}


def test_malformed_records_are_named_rejections_and_the_rest_is_stored(listing, server, settings, sessions):
    before = counts(sessions)
    data = listing["data"]
    template = data[0]
    damaged = {
        data[1]["id"]: {"pricing": {"prompt": "1e1000000", "completion": "0.1"}},
        data[2]["id"]: {"context_length": "²"},
        data[3]["id"]: {"context_length": "9" * 4301},
        data[4]["id"]: {"context_length": 2**64},
        data[5]["id"]: {"context_length": 2**31},
        data[6]["id"]: {"top_provider": {"max_completion_tokens": 10**19}},
        data[7]["id"]: {"created": -62135596800},
    }
    served = [{**entry, **damaged.get(entry["id"], {})} for entry in data]
    served.append({**template, "id": "newvendor/brand-new", "name": "New\x00 Model\u202e", "canonical_slug": None})
    server.route("/api/v1/models", Reply(200, json.dumps({"data": served})))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.status == "partial" and not summary.complete, summary.render()
    assert summary.delisted == 0 and summary.new >= 1
    assert sum(summary.rejected.values()) == len(damaged)
    named = errors(sessions, summary.run_id)
    assert {subject for subject, _reason in named} == set(damaged)
    assert (data[1]["id"], "price-out-of-range") in named
    assert (data[2]["id"], "bad-field") in named
    assert (data[4]["id"], "out-of-range") in named
    assert counts(sessions) == (before[0] + 1, before[1] + 2)  # the new model and its two prices
    with sessions() as session:
        new = session.get(OpenRouterListing, "newvendor/brand-new")
        assert new.name == "New Model"  # NUL and the right-to-left override stripped
        assert all(session.get(OpenRouterListing, repo).status == "listed" for repo in damaged)


SHORT = [
    ("no total_count", lambda d: {"data": d[:20]}),
    ("total_count null", lambda d: {"data": d[:20], "total_count": None}),
    ("total_count a string", lambda d: {"data": d[:20], "total_count": "20"}),
    (
        "unreadable ids",
        lambda d: {
            "data": d[:20] + [{**d[i], "id": i if i % 2 else None} for i in range(20, len(d))],
            "total_count": len(d),
        },
    ),
]


def test_short_listings_never_delist(listing, server, settings, sessions):
    before = counts(sessions)
    for name, build in SHORT:
        server.route("/api/v1/models", Reply(200, json.dumps(build(listing["data"]))))
        summary = run_crawl(settings, "openrouter", trigger="test")
        assert summary.status == "partial" and not summary.complete, (name, summary.render())
        assert summary.delisted == 0, name
        assert "model_delisted" not in summary.events, name
        assert counts(sessions) == before, name
    # the last one was 20 usable entries out of 345: status says so
    server.route("/api/v1/models", Reply(200, json.dumps({"data": listing["data"][:20]})))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.extra["suspicious_listing"] == "20 entries, the last complete listing had 345"
    with sessions() as session:
        (health,) = source_health(session, settings, ["openrouter"])
    assert "suspicious" in health.flags
    assert any("suspicious listing: 20 entries" in note for note in health.notes)


def test_a_listing_near_the_last_complete_size_delists_what_it_lacks(listing, server, settings, sessions):
    data = listing["data"]
    server.route("/api/v1/models", Reply(200, json.dumps({"data": data[:-10]})))  # 335 of 345: above 90 %
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.status == "success" and summary.complete
    assert summary.delisted == 10
