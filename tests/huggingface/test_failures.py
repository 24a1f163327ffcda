"""Bad input and rate limits: recorded per model, the crawl completes, nothing stored is lost."""

from __future__ import annotations

import json

import pytest
from helpers.corpus import hub_detail
from helpers.server import Reply
from sqlalchemy import select

from tracker.store.tables import CrawlError, Model
from tracker.store.tables.huggingface import HfRepo

BAD_CARDS = {
    "openai/gpt-oss-20b": (b"---\nlicense: [apache-2.0\n---\n# broken", "card-bad-yaml"),
    "Qwen/Qwen3-32B": (b"# Qwen3-32B\n\nA card without front matter.", "card-no-front-matter"),
    "Qwen/Qwen3-0.6B": (b"\x00\x01\x02binary\xff" * 10, "card-binary"),
    "openai/gpt-oss-120b": (b"---\nlicense: apache-2.0\n---\n" + b"big " * 50_000, "card-too-large"),
}


def errors_of(sessions, run_id):
    with sessions() as session:
        rows = session.scalars(select(CrawlError).where(CrawlError.run_id == run_id)).all()
    return {(e.subject, e.reason): e for e in rows}


def stored(sessions, repo_id):
    with sessions() as session:
        repo = session.get(HfRepo, repo_id)
        model = session.get(Model, repo.model_id) if repo is not None and repo.model_id else None
        return repo, model


def test_bad_cards_are_recorded_per_model_and_the_models_are_still_tracked(crawl_hub, hub, sessions, server):
    for repo_id, (body, _reason) in BAD_CARDS.items():
        hub.cards[repo_id] = body
    del hub.cards["Qwen/Qwen2.5-3B-Instruct"]  # 404
    summary = crawl_hub(("openai", "Qwen"), max_card_bytes=150_000)
    assert summary.status == "success", summary.render()
    assert summary.new == len([r for r in hub.details if r.split("/")[0] in ("openai", "Qwen")])
    errors = errors_of(sessions, summary.run_id)
    expected = {repo_id: reason for repo_id, (_body, reason) in BAD_CARDS.items()}
    expected["Qwen/Qwen2.5-3B-Instruct"] = "card-missing"
    for repo_id, reason in expected.items():
        assert (repo_id, reason) in errors, (repo_id, reason, sorted(errors))
        assert errors[(repo_id, reason)].url == f"{server.url}/{repo_id}/raw/main/README.md"
        repo, model = stored(sessions, repo_id)
        assert (repo.card_state, repo.card_error) == ("invalid", reason)
        assert repo.card_error_detail
        assert model is not None and model.license_key is not None  # from the API's cardData
        assert repo.license_source == "api-card-data"
    without_card = [r for r in hub.details if r.split("/")[0] in ("openai", "Qwen") and r not in hub.cards]
    assert "openai/clip-vit-base-patch32" in without_card
    assert summary.rejected == {
        "card-bad-yaml": 1,
        "card-no-front-matter": 1,
        "card-binary": 1,
        "card-too-large": 1,
        "card-missing": len(without_card),
    }
    repo, model = stored(sessions, "Qwen/Qwen2.5-3B-Instruct")
    assert (model.license_key, model.license_class) == ("LicenseRef-qwen-research", "non-commercial")
    # the readable text of a card without front matter is kept for claim extraction
    repo, _model = stored(sessions, "Qwen/Qwen3-32B")
    assert repo.card_document_id is not None
    # definitive card errors are not retried at the same sha
    server.clear_log()
    again = crawl_hub(("openai", "Qwen"), max_card_bytes=150_000)
    assert hub.card_requests() == [] and again.writes == 0


def test_a_429_mid_crawl_is_honoured_and_a_detail_that_stays_limited_is_recorded(crawl_hub, hub, server, sessions):
    limited_once = "/api/models/Qwen/Qwen3-32B"
    server.route(
        limited_once,
        Reply(429, {"error": "rate limited"}, {"RateLimit": '"api";r=0;t=1'}),
        Reply(200, json.dumps(hub.details["Qwen/Qwen3-32B"]).encode(), {"Content-Type": "application/json"}),
    )
    server.route("/api/models/Qwen/Qwen3-0.6B", Reply(429, {"error": "rate limited"}, {"Retry-After": "3600"}))
    summary = crawl_hub(("openai", "Qwen"))
    assert summary.status == "partial"
    first, second = server.requests_to(limited_once)[:2]
    assert second.time - first.time >= 0.9
    assert stored(sessions, "Qwen/Qwen3-32B")[0] is not None
    assert stored(sessions, "Qwen/Qwen3-0.6B")[0] is None
    errors = errors_of(sessions, summary.run_id)
    assert ("Qwen/Qwen3-0.6B", "rate-limited") in errors
    assert summary.errors == {"rate-limited": 1}
    assert summary.extra["rate_limit_retries"] >= 1
    # every other repo made it
    assert summary.new == len([r for r in hub.details if r.split("/")[0] in ("openai", "Qwen")]) - 1
    # the next crawl fetches the limited repo again, and only it
    hub.route_repo("Qwen/Qwen3-0.6B")
    server.clear_log()
    again = crawl_hub(("openai", "Qwen"))
    assert again.status == "success"
    assert hub.detail_requests() == ["/api/models/Qwen/Qwen3-0.6B"]
    assert stored(sessions, "Qwen/Qwen3-0.6B")[0] is not None


def test_a_card_that_stays_rate_limited_is_retried_next_crawl(crawl_hub, hub, server, sessions):
    assert crawl_hub(("openai",)).status == "success"
    hub.details["openai/gpt-oss-20b"] = {**hub.details["openai/gpt-oss-20b"], "sha": "5" * 40}
    server.route("/openai/gpt-oss-20b/raw/main/README.md", Reply(429, b"slow down", {"Retry-After": "3600"}))
    summary = crawl_hub(("openai",))
    assert summary.status == "partial"
    assert summary.extra.get("deferred") == 1
    repo, _ = stored(sessions, "openai/gpt-oss-20b")
    assert repo.sha != "5" * 40  # kept as stored, so the next crawl tries again
    hub.route_repo("openai/gpt-oss-20b")
    server.clear_log()
    assert crawl_hub(("openai",)).status == "success"
    assert hub.card_requests() == ["/openai/gpt-oss-20b/raw/main/README.md"]
    assert stored(sessions, "openai/gpt-oss-20b")[0].sha == "5" * 40


def test_a_failed_listing_keeps_everything_and_removes_nothing(crawl_hub, hub, server, sessions):
    assert crawl_hub(("openai", "Qwen")).status == "success"
    hub.remove("openai/gpt-oss-20b")
    original = hub.server.routes["/api/models"]

    def listing(request):
        if "author=openai" in request.path:
            return Reply(500, b"Internal Server Error", {"Content-Type": "text/plain"})
        return original(request)

    server.route("/api/models", listing)
    summary = crawl_hub(("openai", "Qwen"))
    assert summary.status == "partial" and not summary.complete
    assert summary.delisted == 0
    assert stored(sessions, "openai/gpt-oss-20b")[0].status == "listed"
    assert ("openai", "http-500") in errors_of(sessions, summary.run_id)


def test_unusable_listing_entries_and_details_are_rejected_and_recorded(crawl_hub, hub, server, sessions):
    hub.add(hub_detail("openai/../../etc"))
    hub.add(hub_detail("openai/renamed-model"))
    server.route("/api/models/openai/renamed-model", Reply(200, hub_detail("elsewhere/other")))
    hub.add(hub_detail("openai/html-detail"))
    server.route(
        "/api/models/openai/html-detail", Reply(200, "<html>maintenance</html>", {"Content-Type": "text/html"})
    )
    summary = crawl_hub(("openai",))
    errors = errors_of(sessions, summary.run_id)
    assert ("openai/../../etc", "invalid-id") in errors
    assert ("openai/renamed-model", "id-mismatch") in errors
    assert ("openai/html-detail", "not-json") in errors
    assert stored(sessions, "openai/gpt-oss-120b")[0] is not None
    assert summary.status == "partial"


@pytest.mark.parametrize("status", [404, 500])
def test_a_detail_error_does_not_touch_the_stored_repo(crawl_hub, hub, server, sessions, status):
    assert crawl_hub(("openai",)).status == "success"
    before = stored(sessions, "openai/gpt-oss-120b")[0]
    hub.details["openai/gpt-oss-120b"] = {**hub.details["openai/gpt-oss-120b"], "sha": "4" * 40}
    server.route("/api/models/openai/gpt-oss-120b", Reply(status, {"error": "nope"}))
    summary = crawl_hub(("openai",))
    after = stored(sessions, "openai/gpt-oss-120b")[0]
    assert (after.sha, after.content_hash, after.status) == (before.sha, before.content_hash, "listed")
    assert ("openai/gpt-oss-120b", f"http-{status}") in errors_of(sessions, summary.run_id)


def test_a_next_link_to_another_host_is_not_followed(crawl_hub, hub, server, sessions):
    original = server.routes["/api/models"]

    def listing(request):
        reply = original(request)
        if "author=openai" in request.path:
            reply.headers["Link"] = '<http://elsewhere.example/api/models?author=openai&cursor=2>; rel="next"'
        return reply

    server.route("/api/models", listing)
    summary = crawl_hub(("openai",), token="hf_secret")
    assert summary.status == "partial" and not summary.complete
    assert ("openai", "foreign-next-link") in errors_of(sessions, summary.run_id)
    assert stored(sessions, "openai/gpt-oss-120b")[0] is not None  # what the page listed is kept


def test_a_partial_first_crawl_is_still_a_baseline(crawl_hub, hub, server, sessions):
    original = server.routes["/api/models"]

    def listing(request):
        if "author=google" in request.path and "cursor=" in request.path:
            return Reply(500, b"boom", {"Content-Type": "text/plain"})
        return original(request)

    server.route("/api/models", listing)
    first = crawl_hub(("google",), page_size=3)
    assert first.status == "partial" and first.new == 3
    server.route("/api/models", original)
    second = crawl_hub(("google",), page_size=3)
    assert second.status == "success" and second.new > 0
    assert "model_released" not in second.events  # repos that existed before the first complete crawl
    hub.add(hub_detail("google/gemma-5-1b-it"), b"---\nlicense: gemma\n---\n# Gemma 5")
    third = crawl_hub(("google",), page_size=3)
    assert third.events.get("model_released") == 1
