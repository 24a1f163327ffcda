"""Settings for tests: every source pointed at a loopback server."""

from __future__ import annotations

from helpers.server import FakeServer
from tracker.config import HttpSettings, OpenRouterSettings, Settings, SourcesSettings


def loopback_settings(db_url: str, server: FakeServer) -> Settings:
    """Settings pointing every source at the loopback ``server`` and ``db_url``."""
    return Settings(
        database_url=db_url,
        http=HttpSettings(
            allowed_hosts=("127.0.0.1", "localhost"),
            retries=2,
            timeout_seconds=3.0,
            concurrency=4,
            autothrottle=False,
            max_retry_after_seconds=5.0,
        ),
        # per-provider offers are their own source ("offers"): tests that want it turn it on
        openrouter=OpenRouterSettings(url=f"{server.url}/api/v1", offers="off"),
        # the shipped default source list points at the internet: tests that want it set a mirror
        sources=SourcesSettings(defaults=False),
    )
