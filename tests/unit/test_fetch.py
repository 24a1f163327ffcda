"""`tracker check URL` fetches through `fetch_articles`: typed articles, or one problem per URL."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.config import Settings
from tracker.sources.fetch import RESULT_KEY, FetchedArticle, FetchResult, fetch_articles

URLS = ["https://news.example/a", "https://news.example/b"]


@pytest.mark.parametrize(
    "report",
    [
        None,  # the child died without a word
        {"source": "check", "status": "failed", "extra": {"articles": []}},  # a summary without the typed result
    ],
)
def test_a_fetch_that_reports_no_result_is_one_problem_per_url(monkeypatch, report):
    monkeypatch.setattr("tracker.sources.runner._run_child", lambda *args: report)
    result = fetch_articles(Settings(), URLS)
    assert result.articles == []
    assert [(p.url, p.reason) for p in result.problems] == [(u, "crawl-failed") for u in URLS]


def test_the_child_result_comes_back_as_sent_and_names_each_page_by_its_host(monkeypatch):
    article = FetchedArticle(
        url=URLS[0],
        title="A",
        text="Qwen3-Max is open.",
        published_at=None,
        fetched_at=dt.datetime.now(dt.UTC),
        content_hash="v1:x",
    )
    seen = {}

    def child(settings, source, run_id, log_level, timeout):
        seen.update(source=source, run_id=run_id, feeds=[(f.url, f.kind, f.type) for f in settings.feeds])
        return {"source": "check", RESULT_KEY: FetchResult(articles=[article])}

    monkeypatch.setattr("tracker.sources.runner._run_child", child)
    result = fetch_articles(Settings(), URLS[:1])
    assert result.articles == [article] and article.host == "news.example"
    assert seen == {"source": "check", "run_id": None, "feeds": [(URLS[0], "press", "page")]}
