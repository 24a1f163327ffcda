"""PURE: the units of crawl work a configuration has, and the settings that crawl one unit.

A unit is the smallest piece of a crawl that stores on its own and never needs
another unit's data to decide anything (its completeness decision included):

* ``huggingface:org:<org>`` one watched Hub organisation (its listing decides its delistings);
* ``openrouter``  the OpenRouter listing; ``offers`` the per-provider offers batch;
* ``blogs:feed:<url>``, ``press:feed:<url>``  one configured feed (or index page, sitemap, page):
  its crawl reads that feed, fetches the article URLs that feed still owes (the frontier rows
  naming it) and judges that feed's health; ``blogs`` / ``press`` when no feed is configured;
* each peer catalog (``modelsdev``, ``litellm``…).

The Hub's discovery listing is not a unit yet (a discovery-only crawl would mark
watched repos as unwatched): `tracker crawl huggingface` with discovery on does it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from tracker.config import FeedSettings, Settings
from tracker.errors import ConfigError

HUB_ORG_PREFIX = "huggingface:org:"
#: The feed crawls: a unit per configured feed (``blogs:feed:<url>``).
FEED_SOURCES = {"blogs": "vendor", "press": "press"}
FEED_MARK = ":feed:"


@dataclass(frozen=True)
class Unit:
    """One unit of crawl work: its key (also its task lock) and the crawl source that does it."""

    key: str
    source: str
    #: The Hub organisation of a ``huggingface:org:`` unit.
    org: str | None = None
    #: The feed of a ``blogs:feed:`` or ``press:feed:`` unit (its URL, or a very long one's hash: :func:`feed_name`).
    feed: str | None = None


def units_of(settings: Settings, source: str) -> list[Unit]:
    """The units of ``source`` under ``settings`` (a Hub crawl: one per watched organisation)."""
    if source == "huggingface":
        orgs = dict.fromkeys(o.strip() for o in settings.huggingface.orgs if o and o.strip())
        return [Unit(key=f"{HUB_ORG_PREFIX}{org}", source=source, org=org) for org in orgs]
    if source in FEED_SOURCES:
        urls = dict.fromkeys(f.url for f in _feeds(settings) if f.kind == FEED_SOURCES[source])
        if urls:
            return [
                Unit(key=f"{source}{FEED_MARK}{feed_name(url)}", source=source, feed=feed_name(url)) for url in urls
            ]
    return [Unit(key=source, source=source)]


#: A feed URL longer than this is named by its hash in the unit's key (``unit_runs.unit`` holds 300 characters).
LONGEST_FEED_NAME = 250


def feed_name(url: str) -> str:
    """How a unit key names a feed: its URL, or ``sha256:<16 hex>`` of a very long one."""
    if len(url) <= LONGEST_FEED_NAME:
        return url
    return "sha256:" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _feeds(settings: Settings) -> tuple[FeedSettings, ...]:
    from tracker.sources.catalog import configured_feeds

    return configured_feeds(settings)


def parse_unit(key: str, known_sources: tuple[str, ...] | list[str]) -> Unit:
    """The unit named by ``key`` (as stored in a task's arguments); ConfigError when it names nothing known."""
    if key.startswith(HUB_ORG_PREFIX):
        org = key.removeprefix(HUB_ORG_PREFIX).strip()
        if not org or "/" in org:
            raise ConfigError(f"unit {key!r}: not a Hub organisation")
        return Unit(key=key, source="huggingface", org=org)
    source, mark, url = key.partition(FEED_MARK)
    if mark and source in FEED_SOURCES:
        if not url.startswith(("http://", "https://", "sha256:")):
            raise ConfigError(f"unit {key!r}: not a feed URL")
        return Unit(key=key, source=source, feed=url)
    if key not in known_sources:
        raise ConfigError(f"unit {key!r}: unknown source; known: {', '.join(known_sources)}")
    return Unit(key=key, source=key)


def unit_settings(settings: Settings, unit: Unit) -> Settings:
    """``settings`` narrowed to ``unit``: a Hub organisation's crawl lists that organisation only, no discovery;
    a feed's crawl reads that feed only (ConfigError when the configuration no longer has it)."""
    if unit.feed is not None:
        kind = FEED_SOURCES[unit.source]
        found = [f for f in _feeds(settings) if feed_name(f.url) == unit.feed and f.kind == kind]
        if not found:
            raise ConfigError(f"unit {unit.key!r}: no such {unit.source} feed is configured")
        sources = dataclasses.replace(settings.sources, defaults=False)
        return dataclasses.replace(settings, feeds=(found[-1],), sources=sources)
    if unit.org is None:
        return settings
    hub = dataclasses.replace(settings.huggingface, orgs=(unit.org,), discovery=False)
    return dataclasses.replace(settings, huggingface=hub)
