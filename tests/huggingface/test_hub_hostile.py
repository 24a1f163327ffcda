"""Rare Hub faults: one bad repo stays one bad repo, a cut organisation listing removes nothing."""

from __future__ import annotations

import json

from helpers.corpus import hub_detail
from sqlalchemy import func, select

from tracker.store.health import source_health
from tracker.store.tables import CrawlError
from tracker.store.tables.huggingface import HfRepo


def repos(sessions, org):
    with sessions() as session:
        return dict(
            session.execute(select(HfRepo.id, HfRepo.status).where(func.lower(HfRepo.org) == org.lower())).all()
        )


def errors(sessions, run_id):
    with sessions() as session:
        return {(e.subject, e.reason) for e in session.scalars(select(CrawlError).where(CrawlError.run_id == run_id))}


def test_one_bad_repo_is_a_named_rejection_and_the_rest_is_stored(crawl_hub, hub, sessions):
    hub.add(hub_detail("google/huge-total", safetensors={"parameters": {"BF16": 10**20}, "total": 10**20}))
    hub.add(hub_detail("Qwen/year-one", lastModified="0001-01-01T00:00:00.000Z"))
    hub.add(hub_detail("Qwen/nul-name", pipeline_tag="text\x00-generation"))
    summary = crawl_hub(("google", "Qwen"))
    named = errors(sessions, summary.run_id)
    assert ("google/huge-total", "out-of-range") in named
    assert ("Qwen/year-one", "out-of-range") in named
    assert summary.status == "partial" and not summary.complete  # Qwen's listing had an unreadable entry
    assert summary.delisted == 0
    google, qwen = repos(sessions, "google"), repos(sessions, "Qwen")
    assert len(google) == 12 and "google/huge-total" not in google
    assert len(qwen) == 7 and "Qwen/year-one" not in qwen  # 6 recorded + the one with a NUL
    with sessions() as session:
        assert session.get(HfRepo, "Qwen/nul-name").pipeline_tag == "text-generation"


def test_a_cut_organisation_listing_removes_nothing_and_is_suspicious(crawl_hub, hub, server, sessions, settings):
    first = crawl_hub(("google",))
    assert first.status == "success" and first.complete
    assert len(repos(sessions, "google")) == 12
    original = server.routes["/api/models"]

    def cut(request):
        reply = original(request)
        if "author=google" in request.path:
            reply.body = json.dumps(json.loads(reply.body)[:1]).encode()
        return reply

    server.route("/api/models", cut)
    summary = crawl_hub(("google",))
    assert summary.status == "partial" and not summary.complete
    assert summary.delisted == 0 and "model_removed" not in summary.events
    assert set(repos(sessions, "google").values()) == {"listed"}
    assert summary.extra["suspicious_listing"] == "google: 1 repos, the last complete listing had 12"
    with sessions() as session:
        (health,) = [h for h in source_health(session, settings, ["huggingface"]) if h.source == "huggingface"]
    assert "suspicious" in health.flags
    # the listing comes back whole: complete again, and an absent repo is then removed
    server.route("/api/models", original)
    hub.remove("google/mt5-small")  # 11 of 12: above 90 % of the last complete listing
    again = crawl_hub(("google",))
    assert again.status == "success" and again.complete and again.delisted == 1
