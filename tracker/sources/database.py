"""The crawl process's database: one engine per process, one session factory handed to every step.

A crawl child reads what the spider compares with (known Hub repos, HTTP
validators) before the crawl and stores the crawl when the spider closes; both
go through the factory of :func:`process_sessions`, built once per process (a
forked child builds its own: connections are never shared across processes).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from tracker.store.db import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from tracker.normalize.huggingface import KnownRepo

_FACTORIES: dict[tuple[int, str], sessionmaker[Session]] = {}


def process_sessions(database_url: str) -> sessionmaker[Session]:
    """This process's session factory for ``database_url`` (its engine is created on first use)."""
    key = (os.getpid(), database_url)
    factory = _FACTORIES.get(key)
    if factory is None:
        factory = make_sessionmaker(make_engine(database_url))
        _FACTORIES[key] = factory
    return factory


def release_connections(database_url: str) -> None:
    """Close this process's pooled connections to ``database_url`` (the factory stays usable)."""
    factory = _FACTORIES.get((os.getpid(), database_url))
    if factory is not None:
        engine = factory.kw.get("bind")
        if engine is not None:
            engine.dispose()


def read_known_repos(database_url: str) -> dict[str, KnownRepo]:
    """What the Hub spider compares listings with (read in the crawl process when the first listing arrives)."""
    from tracker.store.ingest_huggingface import known_repos

    with process_sessions(database_url)() as session:
        return known_repos(session)


def read_validators(database_url: str) -> dict[str, tuple[str | None, str | None]]:
    """``url → (etag, last_modified)`` for the conditional GETs of a feeds crawl."""
    from tracker.store.ingest_documents import load_validators

    with process_sessions(database_url)() as session:
        return load_validators(session)


def read_owed(database_url: str, source: str, feed_urls: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The article URLs ``source``'s crawl owes now (its spider reads this when it starts).

    With ``feed_urls``, only those of these feeds (and those no feed names): a crawl of one feed (a
    worker's unit) fetches what its own feed owes, never what another feed's crawl may fetch at once.
    """
    import datetime as dt

    from tracker.store.frontier import owed_urls

    with process_sessions(database_url)() as session:
        owed = owed_urls(session, source, now=dt.datetime.now(dt.UTC))
    if feed_urls is None:
        return owed
    wanted = set(feed_urls)
    return [row for row in owed if not row.get("feed_url") or row["feed_url"] in wanted]


def read_offer_targets(database_url: str, *, mode: str, refresh_hours: float, limit: int) -> list[dict[str, str]]:
    """The models whose per-provider offers this crawl reads (the crawl child calls this when it starts)."""
    import datetime as dt

    from tracker.normalize.endpoints import offer_targets
    from tracker.store.ingest_offers import listing_states

    with process_sessions(database_url)() as session:
        targets = offer_targets(
            listing_states(session),
            mode=mode,
            now=dt.datetime.now(dt.UTC),
            refresh=dt.timedelta(hours=refresh_hours),
            limit=limit,
        )
    return [{"listing_id": t.listing_id, "path": t.path} for t in targets]
