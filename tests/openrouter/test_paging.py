"""A paged OpenRouter listing is followed whatever the spelling of its ``links`` key (the body is scanned
for ``links`` only when it can hold one)."""

import json

import pytest
from helpers.corpus import snapshot
from helpers.server import Reply
from sqlalchemy import func, select

from tracker.sources.runner import run_crawl
from tracker.store.tables import OpenRouterListing


@pytest.mark.parametrize("key", ['"links"', '"\\u006cinks"', '"link\\u0073"', '"\\u006Cinks"'])
def test_a_paged_listing_is_followed_however_its_links_key_is_spelled(corpus, server, settings, sessions, key):
    payload = json.loads(snapshot(corpus, "2026-03-17").read_bytes())
    first = {"data": payload["data"][:100], "total_count": 345, "links": {"next": "/api/v1/models?page=2"}}
    server.route("/api/v1/models", Reply(200, json.dumps(first).replace('"links"', key)))
    server.route("/api/v1/models?page=2", Reply(200, json.dumps({"data": payload["data"][100:], "total_count": 345})))
    summary = run_crawl(settings, "openrouter", trigger="test")
    assert summary.status == "success", summary.render()
    assert (summary.new, summary.complete) == (345, True)
    with sessions() as session:
        listed = select(func.count()).select_from(OpenRouterListing).where(OpenRouterListing.status == "listed")
        assert session.execute(listed).scalar_one() == 345
