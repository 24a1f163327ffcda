"""Fixtures for the Hub tests: the recorded Hub served on loopback, settings pointing at it.

``hub_world`` is the database after one crawl of every recorded organisation;
that crawl runs once per session and each test gets a copy (``helpers.worlds``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.corpus import FakeHub, hub_cards, hub_details
from helpers.server import FakeServer
from helpers.settings import loopback_settings
from helpers.worlds import build_pg_world, build_sqlite_world, copy_pg_world, copy_world, drop_pg_world, once_per_run

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


@dataclass(frozen=True)
class HubWorld:
    """A database holding one crawl of the whole recorded Hub, and where it was crawled from."""

    db_url: str
    #: The loopback server the crawl fetched from (stored URLs start with it).
    server_url: str
    summary: CrawlSummary


def crawl_whole_hub(db_url: str, server: FakeServer, corpus: Path) -> HubWorld:
    hub = FakeHub(server, hub_details(corpus), hub_cards(corpus)).install()
    orgs = tuple(sorted({repo_id.split("/")[0] for repo_id in hub.details}))
    settings = dataclasses.replace(
        loopback_settings(db_url, server), huggingface=HuggingFaceSettings(url=server.url, orgs=orgs)
    )
    summary = run_crawl(settings, "huggingface", trigger="test")
    assert summary.status == "success", summary.render()
    return HubWorld(db_url, server.url, summary)


@pytest.fixture(scope="session")
def _hub_world_template(tmp_path_factory, _sqlite_template, corpus) -> tuple[Path, HubWorld]:
    return once_per_run(
        tmp_path_factory,
        "hub-world",
        lambda folder: build_sqlite_world(
            _sqlite_template, folder / "hub.db", lambda url, server: crawl_whole_hub(url, server, corpus)
        ),
    )


@pytest.fixture(scope="session")
def _hub_world_pg(tmp_path_factory, _pg_schema, corpus) -> Iterator[tuple[str, HubWorld]]:
    assert _pg_schema
    built = once_per_run(
        tmp_path_factory,
        "hub-world-pg",
        lambda _folder: build_pg_world(
            _pg_schema, "world_hub", lambda url, server: crawl_whole_hub(url, server, corpus)
        ),
    )
    yield built
    drop_pg_world(_pg_schema, built[0])


@pytest.fixture
def hub_world(db_url, request) -> HubWorld:
    """``db_url`` after one successful crawl of every recorded organisation (one crawl per session)."""
    if db_url.startswith("sqlite:///"):
        template, world = request.getfixturevalue("_hub_world_template")
        copy_world(template, db_url)
    else:
        schema, world = request.getfixturevalue("_hub_world_pg")
        copy_pg_world(schema, db_url)
    return dataclasses.replace(world, db_url=db_url)
