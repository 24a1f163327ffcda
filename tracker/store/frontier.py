"""Read and write the crawl frontier and listing health (the caller owns the session).

The decisions are :mod:`tracker.normalize.frontier`'s pure functions; this module only
loads the rows they need and writes what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tracker.normalize.frontier import OWED, FrontierLog, Outcome, decide, is_due, listing_broken, listing_state
from tracker.store.bulk import in_chunks
from tracker.store.tables.frontier import FrontierUrl, SourceListing

_COLUMNS = [c.name for c in FrontierUrl.__table__.columns if c.name != "id"]


def _rows(session: Session, source: str, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for part in in_chunks(sorted(set(urls))):
        for row in session.execute(
            select(FrontierUrl.__table__).where(FrontierUrl.source == source, FrontierUrl.url.in_(part))
        ).mappings():
            out[row["url"]] = dict(row)
    return out


def owed_urls(session: Session, source: str, *, now: dt.datetime) -> list[dict[str, Any]]:
    """Pending and due-for-retry URLs of ``source``, oldest first."""
    rows = session.execute(
        select(FrontierUrl.__table__)
        .where(FrontierUrl.source == source, FrontierUrl.state.in_(OWED))
        .order_by(FrontierUrl.first_seen_at, FrontierUrl.id)
    ).mappings()
    from tracker.normalize.frontier import parse_listing_date

    out = []
    for row in rows:
        if not is_due(row, now):
            continue
        date = parse_listing_date(row["date_text"]) if row["date_text"] else None
        out.append(
            {
                "url": row["url"],
                "feed_url": row["feed_url"],
                "vendor": row["vendor"],
                "kind": row["kind"],
                "title": row["title"],
                "date_text": row["date_text"],
                "date_parsed": list(date.timetuple()[:6]) if date else None,
            }
        )
    return out


def owed_count(session: Session, source: str) -> int:
    """URLs ``source`` discovered and has not fetched yet (pending or failed, not gone)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(FrontierUrl)
            .where(FrontierUrl.source == source, FrontierUrl.state.in_(OWED))
        )
        or 0
    )


@dataclass
class FrontierResult:
    discovered: int = 0
    fetched: int = 0
    failed: int = 0
    gone: int = 0
    owed: int = 0
    #: Listings flagged broken after this crawl: url → detail.
    broken: dict[str, str] | None = None


def apply_frontier(
    session: Session,
    log: FrontierLog,
    *,
    source: str,
    listings: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    first_wait_minutes: float,
    broken_after_runs: int,
) -> FrontierResult:
    """Write what the crawl saw: new URLs pending, fetched/failed/gone states, listing health."""
    result = FrontierResult()
    urls = set(log.discovered) | set(log.outcomes) | set(log.failures)
    stored = _rows(session, source, urls)
    inserts: list[dict[str, Any]] = []
    for url, found in log.discovered.items():
        if url in stored:
            continue
        values = decide(None, Outcome("discovered", now), first_wait_minutes=first_wait_minutes)
        row = {
            "source": source,
            "url": found.url,
            "feed_url": found.feed_url,
            "vendor": found.vendor,
            "kind": found.kind,
            "title": found.title,
            "date_text": found.date_text,
            "content_hash": None,
            "reason": None,
            "http_status": None,
            "next_retry_at": None,
            "last_attempt_at": None,
            "fetched_at": None,
            **values,
        }
        stored[url] = row
        inserts.append(row)
        result.discovered += 1
    new_urls = {r["url"] for r in inserts}
    changes: dict[str, dict[str, Any]] = {}
    for url in sorted(set(log.outcomes) | set(log.failures)):
        row = stored.get(url)
        if row is None:
            continue  # a feed, a configured page or an index page: not an article of the frontier
        outcome = log.outcomes.get(url) or log.failures[url]  # fetched in the end wins over a failed try
        values = decide(row, outcome, first_wait_minutes=first_wait_minutes)
        row.update(values)
        if values and url not in new_urls:
            changes[url] = values
        if outcome.what != "failed":
            result.fetched += 1
        elif row["state"] == "gone":
            result.gone += 1
        else:
            result.failed += 1
    if inserts:
        session.execute(insert(FrontierUrl), [{k: r.get(k) for k in _COLUMNS} for r in inserts])
    _update_rows(session, source, changes)
    _apply_listings(session, log, source=source, listings=listings)
    result.owed = owed_count(session, source)
    result.broken = {
        row["url"]: row["detail"] or row["state"]
        for row in listing_rows(session, source)
        if listing_broken(row, broken_after_runs) and row["url"] in {str(f.get("url")) for f in listings}
    }
    return result


def _apply_listings(session: Session, log: FrontierLog, *, source: str, listings: Sequence[Mapping[str, Any]]) -> None:
    by_url = {str(f.get("url")): f for f in listings}
    outcomes = log.listing_outcomes(list(by_url))
    if not outcomes:
        return
    stored = {
        row["url"]: dict(row)
        for row in session.execute(
            select(SourceListing.__table__).where(SourceListing.url.in_([o.url for o in outcomes]))
        ).mappings()
    }
    for outcome in outcomes:
        old = stored.get(outcome.url)
        values = listing_state(old, outcome)
        name = by_url[outcome.url].get("name")
        if old is None:
            session.execute(
                insert(SourceListing).values(url=outcome.url, source=source, name=name, **{"problem_runs": 0, **values})
            )
        else:
            session.execute(
                update(SourceListing).where(SourceListing.url == outcome.url).values(source=source, name=name, **values)
            )


def _update_rows(session: Session, source: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
    """One ``executemany`` per set of changed columns (not a statement per URL)."""
    table = FrontierUrl.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for url, values in changes.items():
        groups.setdefault(tuple(sorted(values)), []).append({"b_url": url, **{f"v_{k}": v for k, v in values.items()}})
    for columns, params in groups.items():
        statement = (
            table.update()
            .where(table.c.source == source, table.c.url == bindparam("b_url"))
            .values({name: bindparam(f"v_{name}") for name in columns})
        )
        session.execute(statement, params)


def listing_rows(session: Session, source: str | None = None) -> list[dict[str, Any]]:
    """The stored health of every listing (of ``source``)."""
    query = select(SourceListing.__table__).order_by(SourceListing.source, SourceListing.url)
    if source is not None:
        query = query.where(SourceListing.source == source)
    return [dict(row) for row in session.execute(query).mappings()]
