"""What a peer catalog crawl sets off, in chunks: the file's entries ``store_chunk`` at a time, each chunk
its own transaction (:func:`store_catalog_chunks`), then once per file, in the crawl's last transaction,
the decision that needs the whole file: the claims of older versions of the catalog are superseded
(:func:`finish_catalog`).

A chunk writes the aggregator claims of its entries (a claim already stored, by an earlier chunk or an
earlier crawl of the same version, is not written again: the claim hash). A crawl that dies after some
chunks keeps them; the catalog's validators are written by the last transaction only, so the next crawl
fetches the file again, skips the claims stored and supersedes the old version once it has all of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from tracker.normalize.peers.types import CatalogParse
from tracker.peers.store import CatalogIngest, Linker, ingest_catalog, supersede_versions
from tracker.store.db import session_scope
from tracker.store.runs import utcnow

#: Entries stored per transaction unless ``store_chunk`` says otherwise.
DEFAULT_CHUNK = 300


def store_catalog_chunks(
    sessions: sessionmaker[Session],
    parse: CatalogParse,
    *,
    url: str | None,
    fetched_at: dt.datetime,
    run_id: int | None,
    source: str | None,
    chunk: int = DEFAULT_CHUNK,
) -> tuple[CatalogIngest, int]:
    """Store the file's entries in chunks of ``chunk``, each in a transaction of its own; returns what they
    stored together and the number of chunks. An exception leaves the chunks before it stored."""
    chunk = max(1, chunk)
    total: CatalogIngest | None = None
    linker: Linker | None = None
    starts = range(0, len(parse.entries), chunk) if parse.entries else range(1)
    for number, start in enumerate(starts):
        part = dataclasses.replace(
            parse,
            entries=parse.entries[start : start + chunk],
            rejected=parse.rejected if number == 0 else [],
            ignored=parse.ignored if number == 0 else [],
        )
        with session_scope(sessions) as session:
            if linker is None:
                linker = Linker(session)  # the listings and repos do not change between two chunks of a file
            result = ingest_catalog(
                session,
                part,
                url=url,
                fetched_at=fetched_at,
                run_id=run_id,
                source=source,
                supersede=False,
                linker=linker,
            )
        if total is None:
            total = result
        else:
            total.merge(result)
    assert total is not None
    return total, len(starts)


def finish_catalog(session: Session, parse: CatalogParse, result: CatalogIngest, *, fetched_at: dt.datetime) -> None:
    """Supersede the claims of older versions of the catalog, once its file is stored whole."""
    result.superseded = supersede_versions(
        session, parse.catalog, now=utcnow(), current=(parse.source, parse.snapshot_at or fetched_at)
    )
