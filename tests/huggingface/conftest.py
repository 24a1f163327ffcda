"""Fixtures for the Hub tests: the recorded Hub served on loopback, settings pointing at it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from helpers.corpus import FakeHub, hub_cards, hub_details

from tracker.config import HuggingFaceSettings, Settings
from tracker.sources.runner import run_crawl
from tracker.sources.summary import CrawlSummary


@pytest.fixture
def hub(corpus, server) -> FakeHub:
    """Every recorded detail and card of the corpus, served like the Hub."""
    return FakeHub(server, hub_details(corpus), hub_cards(corpus)).install()


@pytest.fixture
def all_orgs(hub) -> tuple[str, ...]:
    """Every organisation of the served repos."""
    return tuple(sorted({repo_id.split("/")[0] for repo_id in hub.details}))


@pytest.fixture
def hf_settings(settings, server) -> Callable[..., Settings]:
    """Settings whose ``[huggingface]`` section points at the loopback server."""

    def make(orgs: tuple[str, ...], **more) -> Settings:
        return dataclasses.replace(settings, huggingface=HuggingFaceSettings(url=server.url, orgs=orgs, **more))

    return make


@pytest.fixture
def crawl_hub(hf_settings, all_orgs) -> Callable[..., CrawlSummary]:
    """Crawl the served Hub (every corpus organisation unless told otherwise)."""

    def crawl(orgs: tuple[str, ...] | None = None, **more) -> CrawlSummary:
        return run_crawl(hf_settings(orgs or all_orgs, **more), "huggingface", trigger="test")

    return crawl
