"""The site's status page (``status/``): every source's health, as ``tracker status`` and ``tracker sources`` show it.

:func:`load_status` reads what both commands read — :func:`tracker.store.health.source_health`
(the crawl sources: last run, result, URLs still owed, flags) and
:func:`tracker.sources.listing_health.source_lines` (each feed, index page, sitemap and page, with
the one rule of what is broken) — as of the newest crawl recorded, so a build from the same
database is the same page. :func:`status_page` turns that into the page's context (pure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.config import Settings
from tracker.site.contexts import Page
from tracker.sources.listing_health import SourceLine, source_lines
from tracker.sources.registry import enabled_sources
from tracker.store.frontier import listing_rows
from tracker.store.health import SourceHealth, source_health
from tracker.store.tables import Run

PATH = "status/"
#: Words for the result of a crawl source's last crawl (``SourceHealth.result``).
RESULTS = {"ok": "ok", "partial": "partial", "failed": "failed", "never": "never crawled"}


@dataclass(frozen=True)
class StatusData:
    """What the status page shows, read from the database (see :func:`load_status`)."""

    #: The newest crawl's end (or start): the time the health is computed at. None: nothing crawled yet.
    as_of: dt.datetime | None
    sources: tuple[SourceHealth, ...]
    listings: tuple[SourceLine, ...]


@dataclass(frozen=True)
class CrawlRow:
    """One crawl source (``openrouter``, ``blogs``…)."""

    source: str
    enabled: bool
    #: ``ok``, ``partial``, ``failed`` or ``never``; ``result_label`` in words.
    result: str
    result_label: str
    last_run_at: dt.datetime | None
    last_success_at: dt.datetime | None
    items: str
    #: Article URLs discovered and not fetched yet (blogs and press).
    owed: int
    flags: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ListingRow:
    """One feed, index page, sitemap or page of the blogs and press crawls."""

    name: str
    maker: str
    kind: str
    shape: str
    url: str
    #: ``url`` when it is an http(s) address (else it is shown as text, not linked).
    link: str | None
    verified: str
    #: ``ok``, ``failed``, ``empty``, ``moved``, ``gone`` or ``never``.
    state: str
    health: str
    broken: bool
    checked_at: dt.datetime | None


@dataclass(frozen=True)
class StatusPage(Page):
    as_of: dt.datetime | None = None
    crawls: tuple[CrawlRow, ...] = ()
    #: Listings flagged as broken (404/410, moved, failing or empty for several crawls), listed first.
    broken: tuple[ListingRow, ...] = ()
    vendor_listings: tuple[ListingRow, ...] = ()
    press_listings: tuple[ListingRow, ...] = ()
    owed: int = 0


def _newest_run(session: Session) -> dt.datetime | None:
    value = session.execute(
        select(func.max(func.coalesce(Run.finished_at, Run.started_at))).where(Run.job == "crawl")
    ).scalar_one_or_none()
    if isinstance(value, str):  # an aggregate bypasses the column type on SQLite
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def load_status(session: Session, settings: Settings) -> StatusData:
    """The health ``tracker status`` and ``tracker sources`` show, as of the newest crawl (read-only)."""
    as_of = _newest_run(session)
    now = as_of or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    health = source_health(session, settings, enabled_sources(settings), now=now)
    lines = source_lines(settings, listing_rows(session))
    return StatusData(as_of=as_of, sources=tuple(health), listings=tuple(lines))


def _web(url: str) -> str | None:
    return url if url.startswith(("https://", "http://")) else None


def _checked(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _crawl_row(health: SourceHealth) -> CrawlRow:
    run = health.last_run
    items = (
        f"{run.items_seen} seen, {run.items_new} new, {run.items_changed} changed, {run.errors} errors"
        if run is not None
        else "—"
    )
    return CrawlRow(
        source=health.source,
        enabled=health.enabled,
        result=health.result,
        result_label=RESULTS[health.result] + (f", {health.owed} owed" if health.owed else ""),
        last_run_at=(run.finished_at or run.started_at) if run is not None else None,
        last_success_at=health.last_success_at,
        items=items,
        owed=health.owed,
        flags=tuple(health.flags),
        notes=tuple(health.notes),
    )


def _listing_row(line: SourceLine) -> ListingRow:
    return ListingRow(
        name=line.name,
        maker=line.maker,
        kind=line.kind,
        shape=line.shape,
        url=line.url,
        link=_web(line.url),
        verified=line.verified or "your own configuration",
        state=line.state or "never",
        health=line.health,
        broken=line.broken,
        checked_at=_checked(line.checked_at),
    )


def status_page(data: StatusData) -> StatusPage:
    """The status page's context (pure)."""
    rows = [_listing_row(line) for line in data.listings if line.enabled]
    return StatusPage(
        path=PATH,
        title="Source status",
        section="status",
        as_of=data.as_of,
        crawls=tuple(_crawl_row(h) for h in data.sources),
        broken=tuple(r for r in rows if r.broken),
        vendor_listings=tuple(r for r in rows if r.kind == "vendor"),
        press_listings=tuple(r for r in rows if r.kind == "press"),
        owed=sum(h.owed for h in data.sources),
    )
