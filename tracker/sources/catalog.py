"""The shipped default source list and the feeds a crawl reads (defaults + the user's own).

The list lives in ``tracker/sources/data/default_sources.toml`` (reviewed by hand, like the
licence table). Each entry is a :class:`DefaultSource`; :func:`configured_feeds` turns the
enabled ones into :class:`~tracker.config.FeedSettings` and adds the user's ``[[feeds]]``
(a user feed with the same URL as a default replaces it). Pure: no Scrapy, no database.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tracker.config import FeedSettings, Settings
from tracker.errors import ConfigError

DATA_FILE = Path(__file__).with_name("data") / "default_sources.toml"

#: How each shape is fetched (the feeds spider's ``type``).
SHAPES = {"feed": "feed", "github-releases": "feed", "index": "index", "sitemap": "sitemap", "changelog": "page"}
KINDS = ("vendor", "press")
_HOOKS = (
    "link_selector",
    "link_pattern",
    "item_selector",
    "date_selector",
    "next_selector",
    "follow_pattern",
    "since",
)
_VERIFIED = re.compile(r"^verified in .+, \d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DefaultSource:
    """One reviewed entry of the default list."""

    id: str
    maker: str
    vendor: str
    kind: str
    shape: str
    url: str
    #: ``verified in <where>, <date>``.
    verified: str
    link_selector: str | None = None
    link_pattern: str | None = None
    item_selector: str | None = None
    date_selector: str | None = None
    next_selector: str | None = None
    #: Sitemaps: which sitemaps of an index to follow, and the oldest ``lastmod`` taken.
    follow_pattern: str | None = None
    since: str | None = None

    def feed(self, mirror: str | None = None) -> FeedSettings:
        return FeedSettings(
            url=mirrored(self.url, mirror),
            vendor=self.vendor,
            kind=self.kind,
            type=SHAPES[self.shape],
            name=self.id,
            link_selector=self.link_selector,
            link_pattern=_mirrored_pattern(self.link_pattern, self.url, mirror),
            item_selector=self.item_selector,
            date_selector=self.date_selector,
            next_selector=self.next_selector,
            follow_pattern=_mirrored_pattern(self.follow_pattern, self.url, mirror),
            since=self.since,
        )


def parse_sources(data: dict[str, object], where: str = "default source list") -> tuple[DefaultSource, ...]:
    """Validate and read a source list (``[[source]]`` tables); a bad entry is a one-line ConfigError."""
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{where}: no [[source]] entries")
    out: list[DefaultSource] = []
    seen: set[str] = set()
    fields = set(DefaultSource.__dataclass_fields__)
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: source {number} is not a table")
        name = entry.get("id") or f"source {number}"
        unknown = sorted(set(entry) - fields)
        missing = sorted(f for f in ("id", "maker", "vendor", "kind", "shape", "url", "verified") if not entry.get(f))
        if unknown or missing:
            raise ConfigError(
                f"{where}: {name}: "
                + "; ".join(
                    ([f"unknown field(s) {', '.join(unknown)}"] if unknown else [])
                    + ([f"missing {', '.join(missing)}"] if missing else [])
                )
            )
        source = DefaultSource(**{k: str(v) for k, v in entry.items()})
        if source.id in seen:
            raise ConfigError(f"{where}: duplicate id {source.id!r}")
        seen.add(source.id)
        if source.kind not in KINDS:
            raise ConfigError(f"{where}: {source.id}: kind must be vendor or press, not {source.kind!r}")
        if source.shape not in SHAPES:
            raise ConfigError(f"{where}: {source.id}: shape must be one of {', '.join(SHAPES)}, not {source.shape!r}")
        if urlsplit(source.url).scheme != "https":
            raise ConfigError(f"{where}: {source.id}: the URL must be https, not {source.url!r}")
        if not _VERIFIED.match(source.verified):
            raise ConfigError(f"{where}: {source.id}: verified must read 'verified in <where>, <YYYY-MM-DD>'")
        for hook in ("link_pattern", "follow_pattern"):
            try:
                re.compile(getattr(source, hook) or "")
            except re.error as exc:
                raise ConfigError(f"{where}: {source.id}: {hook} is not a regular expression: {exc}") from exc
        if source.since and not re.match(r"^\d{4}-\d{2}-\d{2}$", source.since):
            raise ConfigError(f"{where}: {source.id}: since must be a date like 2025-01-31, not {source.since!r}")
        out.append(source)
    return tuple(out)


@functools.cache
def default_sources() -> tuple[DefaultSource, ...]:
    """The shipped list (read once per process)."""
    with DATA_FILE.open("rb") as fh:
        return parse_sources(tomllib.load(fh))


def mirrored(url: str, mirror: str | None) -> str:
    """``https://host/path?q`` → ``{mirror}/host/path?q`` (``sources.mirror``); unchanged without a mirror."""
    if not mirror:
        return url
    parts = urlsplit(url)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return f"{mirror.rstrip('/')}/{parts.netloc}{rest}"


def _mirrored_pattern(pattern: str | None, url: str, mirror: str | None) -> str | None:
    """A link pattern anchored on the source's origin follows the mirror too."""
    if not pattern or not mirror:
        return pattern
    parts = urlsplit(url)
    origin = re.escape(f"{parts.scheme}://{parts.netloc}")
    anchored = "^" + origin
    if pattern.startswith(anchored):
        return "^" + re.escape(f"{mirror.rstrip('/')}/{parts.netloc}") + pattern[len(anchored) :]
    loose = "^" + f"{parts.scheme}://{parts.netloc}".replace(".", r"\.")
    if pattern.startswith(loose):
        return "^" + re.escape(f"{mirror.rstrip('/')}/{parts.netloc}") + pattern[len(loose) :]
    return pattern


def enabled_defaults(settings: Settings) -> tuple[DefaultSource, ...]:
    """The default sources this configuration crawls."""
    if not settings.sources.defaults:
        return ()
    known = {s.id for s in default_sources()}
    unknown = sorted(set(settings.sources.disable) - known)
    if unknown:
        raise ConfigError(f"sources.disable: unknown default source(s) {', '.join(unknown)} (see `tracker sources`)")
    return tuple(s for s in default_sources() if s.id not in settings.sources.disable)


def configured_feeds(settings: Settings) -> tuple[FeedSettings, ...]:
    """Every feed, index and page the blogs and press crawls read: enabled defaults, then the user's own."""
    own = {feed.url: feed for feed in settings.feeds}
    feeds = [s.feed(settings.sources.mirror) for s in enabled_defaults(settings)]
    feeds = [f for f in feeds if f.url not in own]
    return (*feeds, *settings.feeds)
