"""Fixtures of the scheduling tests: settings for a short-interval scheduler, the OpenRouter corpus served."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from helpers.corpus import serve_openrouter, snapshot
from sched_helpers import only_sources

from tracker.config import ENV_VARS, NewsletterSettings, ScheduleSettings, Settings, SiteSettings


@pytest.fixture(autouse=True)
def _no_outside_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI reads only the configuration a test gives it."""
    for name in [*ENV_VARS, "TRACKER_CONFIG"]:
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def sched_settings(settings: Settings, tmp_path) -> Settings:
    """OpenRouter only (other sources disabled), site and newsletter under ``tmp_path``, short leases."""
    settings = only_sources(settings, "openrouter")
    return dataclasses.replace(
        settings,
        site=SiteSettings(out_dir=str(tmp_path / "site"), workers=1),
        newsletter=NewsletterSettings(archive_dir=str(tmp_path / "newsletter")),
        schedule=ScheduleSettings(lease_seconds=5, stop_grace_seconds=60, crawl_timeout_minutes=5),
    )


@pytest.fixture
def served(corpus, server):
    """The 2026-03-17 OpenRouter listing (345 listed ids) at ``/api/v1/models``."""
    serve_openrouter(server, snapshot(corpus, "2026-03-17"))
    return server
