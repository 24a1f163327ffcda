"""The Hub crawl's duplicate filter filters listing and detail requests as Scrapy's does, and does not
remember card requests (each comes once, from its repo's detail response)."""

from __future__ import annotations

from scrapy import Request

from tracker.sources import fingerprints
from tracker.sources.spiders.huggingface import CARD_META, HubDupeFilter, HuggingFaceSpider


def test_details_are_filtered_cards_are_not_remembered():
    seen = HubDupeFilter()
    detail = Request("http://hub.test/api/models/org/a")
    assert seen.request_seen(detail) is False and seen.request_seen(detail.replace()) is True
    card = Request("http://hub.test/org/a/raw/main/README.md", meta={CARD_META: True})
    assert seen.request_seen(card) is False and seen.request_seen(card.replace()) is False
    assert len(seen._fingerprints) == 1  # the detail's only


def test_a_large_crawl_fetches_each_detail_once(monkeypatch):
    """Past the compact set's merges (a few per thousand requests here), every repeat is still a duplicate and
    no new request is taken for one."""
    monkeypatch.setattr(fingerprints, "PENDING", 64)
    seen = HubDupeFilter()
    urls = [f"http://hub.test/api/models/org/repo-{i}" for i in range(1000)]
    assert [seen.request_seen(Request(u)) for u in urls] == [False] * 1000
    assert all(seen.request_seen(Request(u)) for u in reversed(urls))
    assert seen.request_seen(Request("http://hub.test/api/models/org/repo-1000")) is False
    assert len(seen._fingerprints) == 1001


def test_the_hub_spider_uses_it():
    assert HuggingFaceSpider.custom_settings["DUPEFILTER_CLASS"].endswith(".HubDupeFilter")
