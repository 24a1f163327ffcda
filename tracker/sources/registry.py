"""Source name → spider class and its arguments, built from settings.

Add a source by adding a builder here (imports stay lazy: Scrapy is only
imported in the crawl child process).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from tracker.config import FEED_TYPES, Settings
from tracker.errors import ConfigError
from tracker.sources.catalog import configured_feeds


def _openrouter(settings: Settings) -> tuple[type, dict[str, Any]]:
    from tracker.sources.spiders.openrouter import OpenRouterSpider

    return OpenRouterSpider, {"base_url": settings.openrouter.url}


def _offers(settings: Settings) -> tuple[type, dict[str, Any]]:
    from functools import partial

    from tracker.normalize.endpoints import MODES
    from tracker.sources.database import read_offer_targets
    from tracker.sources.spiders.offers import OffersSpider

    section = settings.openrouter
    if section.offers not in MODES:
        raise ConfigError(f"openrouter.offers must be one of {', '.join(MODES)}, not {section.offers!r}")
    return OffersSpider, {
        "base_url": section.url,
        "targets": partial(
            read_offer_targets,
            settings.database_url,
            mode=section.offers,
            refresh_hours=section.offers_refresh_hours,
            limit=section.offers_per_crawl,
        ),
    }


def _huggingface(settings: Settings) -> tuple[type, dict[str, Any]]:
    from functools import partial

    from tracker.sources.database import read_known_repos
    from tracker.sources.spiders.huggingface import HuggingFaceSpider

    hf = settings.huggingface
    return HuggingFaceSpider, {
        "base_url": hf.url,
        "orgs": hf.orgs,
        "token": hf.token,
        "discovery": hf.discovery,
        "discovery_limit": hf.discovery_limit,
        "page_size": hf.page_size,
        "max_card_bytes": hf.max_card_bytes,
        # read lazily, in the crawl process, when the first listing page arrives
        "known": partial(read_known_repos, settings.database_url),
    }


def _feeds(settings: Settings, kind: str) -> tuple[type, dict[str, Any]]:
    from functools import partial

    from tracker.sources.database import read_owed, read_validators
    from tracker.sources.spiders.feeds import BlogsSpider, PressSpider

    feeds = configured_feeds(settings)
    for feed in feeds:
        if feed.kind not in FEED_KINDS.values() or feed.type not in FEED_TYPES:
            raise ConfigError(f"feed {feed.url}: kind must be vendor or press and type one of {', '.join(FEED_TYPES)}")
    source = next(name for name, k in FEED_KINDS.items() if k == kind)
    return BlogsSpider if kind == "vendor" else PressSpider, {
        "feeds": [dataclasses.asdict(f) for f in feeds if f.kind == kind],
        "validators": partial(read_validators, settings.database_url),
        # the owed article URLs of the crawl's own feeds (a feed no longer configured owes nothing)
        "owed": partial(read_owed, settings.database_url, source, tuple(f.url for f in feeds if f.kind == kind)),
        "retry_minutes": settings.sources.retry_minutes,
        "broken_after_runs": settings.sources.broken_after_runs,
        "max_page_bytes": settings.http.max_page_bytes,
    }


def _check(settings: Settings) -> tuple[type, dict[str, Any]]:
    """``tracker check URL``: the configured feeds are the pages to fetch (not stored by the crawl)."""
    from tracker.sources.spiders.feeds import CheckSpider

    return CheckSpider, {
        "feeds": [dataclasses.asdict(f) | {"type": "page"} for f in settings.feeds],
        "conditional": False,
        "collect_only": True,
        "max_page_bytes": settings.http.max_page_bytes,
    }


def _catalog(settings: Settings, source: str) -> tuple[type, dict[str, Any]]:
    """A peer catalog (issue 16): one file, conditional GET, parsed by ``tracker.normalize.peers``."""
    from functools import partial

    from tracker.sources.database import read_validators
    from tracker.sources.spiders.peers import CatalogSpider

    catalog, url_field = PEER_SOURCES[source]
    return CatalogSpider, {
        "catalog": catalog,
        "source": source,
        "url": getattr(settings.peers, url_field),
        "validators": partial(read_validators, settings.database_url),
    }


#: Peer catalogs: crawl source → (catalog, the ``[peers]`` setting holding its URL); crawled when ``peers.enabled``,
#: each every ``schedule.<source>_interval_minutes``.
PEER_SOURCES = {
    "modelsdev": ("models.dev", "modelsdev_url"),
    "litellm": ("litellm", "litellm_url"),
    "genaiprices": ("genai-prices", "genai_prices_url"),
    "epoch": ("epoch", "epoch_url"),
}

#: Feed-driven sources and the kind of feeds each one crawls.
FEED_KINDS = {"blogs": "vendor", "press": "press"}

SOURCES: dict[str, Callable[[Settings], tuple[type, dict[str, Any]]]] = {
    "openrouter": _openrouter,
    "offers": _offers,
    "huggingface": _huggingface,
    "blogs": lambda settings: _feeds(settings, "vendor"),
    "press": lambda settings: _feeds(settings, "press"),
    **{name: (lambda settings, name=name: _catalog(settings, name)) for name in PEER_SOURCES},
}
#: Run only on demand (``tracker check``), never by ``tracker run``, the schedule or ``tracker crawl``.
ON_DEMAND: dict[str, Callable[[Settings], tuple[type, dict[str, Any]]]] = {"check": _check}


def enabled_sources(settings: Settings) -> list[str]:
    """The sources ``tracker run`` crawls, in order."""
    names = []
    for name in SOURCES:
        if name in PEER_SOURCES:
            if settings.peers.enabled:
                names.append(name)
            continue
        if name in FEED_KINDS:  # crawled when feeds of its kind are configured (the default list counts)
            if any(feed.kind == FEED_KINDS[name] for feed in configured_feeds(settings)):
                names.append(name)
            continue
        if name == "offers":  # OpenRouter's per-provider offers, after its listing
            if settings.openrouter.enabled and settings.openrouter.offers != "off":
                names.append(name)
            continue
        section = getattr(settings, name, None)
        if section is None or getattr(section, "enabled", True):
            names.append(name)
    return names


def spider_for(source: str, settings: Settings) -> tuple[type, dict[str, Any]]:
    try:
        builder = SOURCES[source] if source in SOURCES else ON_DEMAND[source]
    except KeyError as exc:
        raise ConfigError(f"unknown source {source!r}; known sources: {', '.join(SOURCES)}") from exc
    return builder(settings)
