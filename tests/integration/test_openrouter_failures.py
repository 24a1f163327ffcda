"""Bad input: the crawl completes with bad entries rejected, or fails with one clear message.

Nothing stored earlier is lost and nothing is delisted after a failed or partial fetch.
"""

import json
from decimal import Decimal

import pytest
from helpers.corpus import serve_openrouter, snapshot
from helpers.db import data_counts
from helpers.server import Reply
from sqlalchemy import func, select

from tracker.sources.runner import run_crawl
from tracker.store.tables import CrawlError, OpenRouterListing, Price, Run


@pytest.fixture
def seeded(corpus, server, settings, engine):
    """A database holding the 2026-03-17 listing."""
    serve_openrouter(server, snapshot(corpus, "2026-03-17"))
    assert run_crawl(settings, "openrouter", trigger="test").status == "success"
    server.clear_log()
    return data_counts(engine)


def listed(sessions):
    with sessions() as session:
        return session.execute(
            select(func.count()).select_from(OpenRouterListing).where(OpenRouterListing.status == "listed")
        ).scalar_one()


def assert_failed_and_nothing_lost(summary, engine, sessions, seeded, reason):
    assert summary.status == "failed"
    assert reason in summary.message
    assert data_counts(engine) == seeded
    assert listed(sessions) == 345
    with sessions() as session:
        run = session.get(Run, summary.run_id)
        assert run.status == "failed" and reason in run.error_message
        assert session.scalars(select(CrawlError.reason).where(CrawlError.run_id == summary.run_id)).all()


def test_http_500_is_retried_then_fails_cleanly(server, settings, engine, sessions, seeded):
    server.route("/api/v1/models", Reply(500, b"Internal Server Error", {"Content-Type": "text/plain"}))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert len(server.requests_to("/api/v1/models")) == 1 + settings.http.retries
    assert_failed_and_nothing_lost(summary, engine, sessions, seeded, "http-500")


def test_429_with_retry_after_is_honoured(corpus, server, settings, engine, sessions, seeded):
    body = snapshot(corpus, "2026-03-17").read_bytes()
    server.route(
        "/api/v1/models",
        Reply(429, {"error": {"message": "Rate limited", "code": 429}}, {"Retry-After": "1"}),
        Reply(200, body),
    )
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.status == "success", summary.render()
    first, second = server.requests_to("/api/v1/models")
    assert second.time - first.time >= 0.9
    assert data_counts(engine) == seeded


def test_429_beyond_the_patience_limit_fails_with_a_message(server, settings, engine, sessions, seeded):
    server.route("/api/v1/models", Reply(429, {"error": {"message": "Rate limited"}}, {"Retry-After": "3600"}))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert_failed_and_nothing_lost(summary, engine, sessions, seeded, "rate-limited")


def test_timeout(server, settings, engine, sessions, seeded):
    server.route("/api/v1/models", Reply(200, b"{}", delay=settings.http.timeout_seconds + 2))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert_failed_and_nothing_lost(summary, engine, sessions, seeded, "timeout")


def test_truncated_json(corpus, server, settings, engine, sessions, seeded):
    body = snapshot(corpus, "2026-03-17").read_bytes()
    server.route("/api/v1/models", Reply(200, body[: len(body) // 2]))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert_failed_and_nothing_lost(summary, engine, sessions, seeded, "bad-json")


def test_connection_dropped_mid_body(corpus, server, settings, engine, sessions, seeded):
    body = snapshot(corpus, "2026-03-17").read_bytes()
    server.route("/api/v1/models", Reply(200, body, truncate=len(body) // 3))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.status == "failed"
    assert data_counts(engine) == seeded and listed(sessions) == 345


def test_html_error_page_instead_of_json(server, settings, engine, sessions, seeded):
    page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    server.route("/api/v1/models", Reply(200, page, {"Content-Type": "text/html"}))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert_failed_and_nothing_lost(summary, engine, sessions, seeded, "not-json")


def test_garbage_entries_are_rejected_and_good_models_stored(corpus, server, settings, engine, sessions, seeded):
    payload = json.loads(snapshot(corpus, "2026-03-17").read_bytes())
    good = payload["data"]
    template = good[0]
    garbage = [
        {**template, "id": "evil/../../etc/passwd"},
        {**template, "id": "x/abc-price", "pricing": {"prompt": "abc", "completion": "0.1"}},
        {**template, "id": "x/negative", "pricing": {"prompt": "-0.5", "completion": "0.1"}},
        {k: v for k, v in {**template, "id": "x/no-pricing"}.items() if k != "pricing"},
        "not even an object",
    ]
    # qwen/qwen3-max arrives broken: present but unusable, so it keeps its state and is not delisted
    broken_known = {**next(m for m in good if m["id"] == "qwen/qwen3-max"), "pricing": {"prompt": "abc"}}
    good = [m for m in good if m["id"] != "qwen/qwen3-max"]
    payload["data"] = good[:-5] + garbage + [broken_known]
    # the listing states its total: complete by rule although entries were rejected (docs/completeness.md)
    payload["total_count"] = len(payload["data"])
    server.route("/api/v1/models", Reply(200, json.dumps(payload)))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert dict(summary.rejected) == {
        "invalid-id": 1,
        "unparsable-price": 2,
        "negative-price": 1,
        "missing-pricing": 1,
        "not-an-object": 1,
    }
    with sessions() as session:
        reasons = session.scalars(select(CrawlError.reason).where(CrawlError.run_id == summary.run_id)).all()
    assert sorted(reasons) == sorted(summary.rejected.elements())
    assert summary.status == "success"
    # a complete listing that lacks five ids does delist them: they are absent, not broken
    assert summary.delisted == 5
    with sessions() as session:
        qwen = session.get(OpenRouterListing, "qwen/qwen3-max")
        assert qwen.status == "listed"
        prompt = session.scalars(
            select(Price).where(
                Price.subject == "qwen/qwen3-max", Price.component == "prompt", Price.last_seen_at.is_(None)
            )
        ).one()
        assert prompt.usd_per_mtok == Decimal("0.78")


def test_a_failed_crawl_never_delists(server, settings, engine, sessions, seeded):
    server.route("/api/v1/models", Reply(200, {"data": []}))
    server.route("/api/v1/models", Reply(503, b"maintenance"))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.status == "failed"
    assert listed(sessions) == 345


def test_incomplete_paged_listing_stores_but_does_not_delist(corpus, server, settings, engine, sessions, seeded):
    payload = json.loads(snapshot(corpus, "2026-03-17").read_bytes())
    first_page = {"data": payload["data"][:100], "total_count": 345, "links": {"next": "/api/v1/models?page=2"}}
    server.route("/api/v1/models", Reply(200, json.dumps(first_page)))
    server.route("/api/v1/models?page=2", Reply(500, b"boom"))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.status == "partial"
    assert summary.delisted == 0
    assert listed(sessions) == 345
