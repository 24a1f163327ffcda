"""Source name → spider class and its arguments, built from settings.

Add a source by adding a builder here (imports stay lazy: Scrapy is only
imported in the crawl child process).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker.config import Settings
from tracker.errors import ConfigError


def _openrouter(settings: Settings) -> tuple[type, dict[str, Any]]:
    from tracker.sources.spiders.openrouter import OpenRouterSpider

    return OpenRouterSpider, {"base_url": settings.openrouter.url}


SOURCES: dict[str, Callable[[Settings], tuple[type, dict[str, Any]]]] = {
    "openrouter": _openrouter,
}


def enabled_sources(settings: Settings) -> list[str]:
    """The sources ``tracker run`` crawls, in order."""
    names = []
    for name in SOURCES:
        section = getattr(settings, name, None)
        if section is None or getattr(section, "enabled", True):
            names.append(name)
    return names


def spider_for(source: str, settings: Settings) -> tuple[type, dict[str, Any]]:
    try:
        builder = SOURCES[source]
    except KeyError as exc:
        raise ConfigError(f"unknown source {source!r}; known sources: {', '.join(SOURCES)}") from exc
    return builder(settings)
