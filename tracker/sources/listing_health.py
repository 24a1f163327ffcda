"""The health of each feed, index page, sitemap and page the blogs and press crawls read.

One :class:`SourceLine` per configured source (the shipped defaults this configuration keeps, then
the user's ``[[feeds]]``), with what the last crawl found (``source_listings``, read by
:func:`tracker.store.frontier.listing_rows`) and the one rule of what is broken
(:func:`tracker.normalize.frontier.listing_broken`). Shown by ``tracker sources`` and by the
site's status page. Pure: the listing rows are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.config import Settings
from tracker.normalize.frontier import listing_broken
from tracker.sources.catalog import configured_feeds, default_sources

#: The shape a feed of the user's own is shown as.
_OWN_SHAPES = {"html": "page", "markdown": "page"}


@dataclass
class SourceLine:
    """One configured source and its health after the last crawl that read it."""

    name: str
    maker: str
    kind: str
    shape: str
    url: str
    verified: str | None
    enabled: bool
    #: ``ok``, ``failed``, ``empty``, ``moved``, ``gone`` or None (not crawled yet).
    state: str | None = None
    broken: bool = False
    detail: str | None = None
    checked_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def health(self) -> str:
        if self.state is None:
            return "not crawled yet"
        if self.broken and self.state in ("failed", "empty"):
            return f"BROKEN ({self.state}: {self.detail})" if self.detail else "BROKEN"
        if self.state == "ok":
            return "ok"
        return f"{self.state.upper()}" + (f" ({self.detail})" if self.detail else "")


def source_lines(settings: Settings, listings: list[dict[str, Any]], *, everything: bool = False) -> list[SourceLine]:
    """One line per configured feed (and, with ``everything``, per disabled default)."""
    by_url = {row["url"]: row for row in listings}
    defaults = {s.id: s for s in default_sources()}
    lines: list[SourceLine] = []
    for feed in configured_feeds(settings):
        default = defaults.get(feed.name or "")
        if default is not None and default.vendor == feed.vendor:
            line = SourceLine(default.id, default.maker, default.kind, default.shape, feed.url, default.verified, True)
        else:
            line = SourceLine(
                feed.name or feed.url,
                feed.vendor,
                feed.kind,
                _OWN_SHAPES.get(feed.type, feed.type),
                feed.url,
                None,
                True,
            )
        row = by_url.get(feed.url)
        if row is not None:
            line.state = row["state"]
            line.detail = row["detail"]
            line.broken = listing_broken(row, settings.sources.broken_after_runs)
            line.checked_at = row["checked_at"].isoformat() if row["checked_at"] else None
        lines.append(line)
    if everything:
        enabled = {line.name for line in lines}
        for source in default_sources():
            if source.id not in enabled:
                lines.append(
                    SourceLine(source.id, source.maker, source.kind, source.shape, source.url, source.verified, False)
                )
    return lines
