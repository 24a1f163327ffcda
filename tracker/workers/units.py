"""PURE: the units of crawl work a configuration has, and the settings that crawl one unit.

A unit is the smallest piece of a crawl that stores on its own and never needs
another unit's data to decide anything (its completeness decision included):

* ``huggingface:org:<org>`` one watched Hub organisation (its listing decides its delistings);
* ``openrouter``  the OpenRouter listing; ``offers`` the per-provider offers batch;
* ``blogs``, ``press``  the feed crawls, one unit each (their owed article URLs are per
  source, not per feed, so a feed is not a unit yet: docs/scaling.md);
* each peer catalog (``modelsdev``, ``litellm``…).

The Hub's discovery listing is not a unit yet (a discovery-only crawl would mark
watched repos as unwatched): `tracker crawl huggingface` with discovery on does it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tracker.config import Settings
from tracker.errors import ConfigError

HUB_ORG_PREFIX = "huggingface:org:"


@dataclass(frozen=True)
class Unit:
    """One unit of crawl work: its key (also its task lock) and the crawl source that does it."""

    key: str
    source: str
    #: The Hub organisation of a ``huggingface:org:`` unit.
    org: str | None = None


def units_of(settings: Settings, source: str) -> list[Unit]:
    """The units of ``source`` under ``settings`` (a Hub crawl: one per watched organisation)."""
    if source == "huggingface":
        orgs = dict.fromkeys(o.strip() for o in settings.huggingface.orgs if o and o.strip())
        return [Unit(key=f"{HUB_ORG_PREFIX}{org}", source=source, org=org) for org in orgs]
    return [Unit(key=source, source=source)]


def parse_unit(key: str, known_sources: tuple[str, ...] | list[str]) -> Unit:
    """The unit named by ``key`` (as stored in a task's arguments); ConfigError when it names nothing known."""
    if key.startswith(HUB_ORG_PREFIX):
        org = key.removeprefix(HUB_ORG_PREFIX).strip()
        if not org or "/" in org:
            raise ConfigError(f"unit {key!r}: not a Hub organisation")
        return Unit(key=key, source="huggingface", org=org)
    if key not in known_sources:
        raise ConfigError(f"unit {key!r}: unknown source; known: {', '.join(known_sources)}")
    return Unit(key=key, source=key)


def unit_settings(settings: Settings, unit: Unit) -> Settings:
    """``settings`` narrowed to ``unit``: a Hub organisation's crawl lists that organisation only, no discovery."""
    if unit.org is None:
        return settings
    hub = dataclasses.replace(settings.huggingface, orgs=(unit.org,), discovery=False)
    return dataclasses.replace(settings, huggingface=hub)
