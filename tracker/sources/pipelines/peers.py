"""Peer catalog crawls: store the fetched file when the spider closes, ``store_chunk`` entries per transaction.

Each chunk of the file's entries is its own transaction (:func:`tracker.update.peers.store_catalog_chunks`);
the last transaction supersedes the older versions of the catalog (once the file is stored whole), writes
the validators and the problems, and closes the run. A chunk that fails keeps the chunks before it and
fails the run; nothing is superseded and no validator written, so the next crawl fetches the file again.

A ``304`` remembers the fetch and stores nothing; a file that cannot be decoded is one ``crawl_errors`` row
and a failed run (stored claims of earlier versions stay); every entry that cannot be parsed is a
``crawl_errors`` row with its reason; the validators are remembered for the next conditional GET.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any

from scrapy.spiders import Spider
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import NormalizationError
from tracker.normalize.peers.types import CatalogParse
from tracker.normalize.rejection import Rejection
from tracker.peers.load import parse_file
from tracker.peers.store import CatalogIngest
from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.pipelines.store import StoreOnClose, store_failed
from tracker.sources.spiders.feeds import NotModified
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_documents import Validators, write_validators
from tracker.store.runs import finish_run, record_errors, utcnow
from tracker.store.tables import Run
from tracker.update.peers import DEFAULT_CHUNK, finish_catalog, store_catalog_chunks

logger = logging.getLogger(__name__)


class StorePipeline(StoreOnClose):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.files: list[RawRecord] = []
        self.failures: list[FetchFailure] = []
        self.not_modified: list[NotModified] = []

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawRecord):
            self.files.append(item)
        elif isinstance(item, FetchFailure):
            self.failures.append(item)
        elif isinstance(item, NotModified):
            self.not_modified.append(item)
        return item

    def source_of(self, spider: Spider) -> str:
        return str(getattr(spider, "source", "") or getattr(spider, "catalog", "catalog"))

    def store(self, spider: Spider, reason: str, requests: int) -> CrawlSummary:
        source = self.source_of(spider)
        return store_catalog_crawl(
            self.sessions,
            self.run_id,
            self.files,
            self.failures,
            self.not_modified,
            source=source,
            catalog=str(getattr(spider, "catalog", source)),
            finish_reason=reason,
            requests=requests,
            chunk=self.crawler.settings.getint("TRACKER_STORE_CHUNK", DEFAULT_CHUNK),
        )


def store_catalog_crawl(
    sessions: sessionmaker[Session],
    run_id: int | None,
    files: list[RawRecord],
    failures: list[FetchFailure],
    not_modified: list[NotModified],
    *,
    source: str,
    catalog: str,
    finish_reason: str = "finished",
    requests: int = 0,
    chunk: int = DEFAULT_CHUNK,
) -> CrawlSummary:
    """Store the fetched catalog files in chunks, then supersede, remember validators and close the run."""
    summary = CrawlSummary(source=source, run_id=run_id, requests=requests)
    errors = [Rejection(f.subject or f.url, f.reason, f.detail, f.url) for f in failures]
    validators: list[Validators] = []
    stored: list[tuple[CatalogParse, CatalogIngest, dt.datetime]] = []
    chunks = 0
    observed_at: dt.datetime | None = None
    for record in files:
        prov = record.provenance
        data = record.data
        try:
            parse = parse_file(
                catalog, data["body"], fetched_at=prov.fetched_at, last_modified=data.get("last_modified")
            )
        except NormalizationError as exc:
            errors.append(Rejection(prov.url, exc.reason, exc.detail, prov.url))
            summary.message = f"{prov.url}: {exc.reason}: {exc.detail}"[:1000]
            validators.append(_validators(record))
            continue
        try:
            result, used = store_catalog_chunks(
                sessions, parse, url=prov.url, fetched_at=prov.fetched_at, run_id=run_id, source=source, chunk=chunk
            )
        except Exception as exc:  # a database problem: the chunks stored so far stay, the run closes as failed
            logger.exception("storing a %s chunk failed", source)
            failed = store_failed(sessions, run_id, source, f"storing the crawl failed: {exc!r}", requests)
            failed.extra["stored_chunks"] = chunks
            with session_scope(sessions) as session:
                record_errors(session, errors, source=source, run_id=run_id)
            return failed
        chunks += used
        record.data = {"etag": data.get("etag"), "last_modified": data.get("last_modified")}  # the body is stored
        validators.append(_validators(record))
        stored.append((parse, result, prov.fetched_at))
        observed_at = parse.snapshot_at or prov.fetched_at
    with session_scope(sessions) as session:
        run = session.get(Run, run_id) if run_id is not None else None
        for parse, result, fetched_at in stored:
            finish_catalog(session, parse, result, fetched_at=fetched_at)
            summary.seen += result.entries + sum(result.rejected.values())
            summary.new += result.claims_new
            summary.unchanged += result.claims_known
            summary.writes += result.claims_new
            summary.rejected.update(result.rejected)
            summary.extra["catalog"] = result.counts()
        if run is not None and observed_at is not None:
            run.observed_at = observed_at
        if chunks > len(stored):
            summary.extra["stored_chunks"] = chunks
        for item in not_modified:
            validators.append(Validators(url=item.url, fetched_at=utcnow(), status=304))
            summary.extra["not_modified"] = True
        write_validators(session, validators)
        record_errors(session, errors, source=source, run_id=run_id)
        summary.errors = Counter(e.reason for e in errors)
        done = bool(not_modified) or "catalog" in summary.extra
        summary.complete = done and finish_reason == "finished"
        if not done:
            summary.status = "failed"
            summary.message = summary.message or (
                f"{errors[0].subject}: {errors[0].reason}" if errors else f"stopped ({finish_reason})"
            )
        else:
            summary.status = "success" if finish_reason == "finished" else "partial"
            if not_modified:
                summary.message = "not modified since the last crawl (304): nothing to store"
        if run is not None:
            counts = summary.to_dict()
            finish_run(session, run, **summary.run_fields(requests=requests, counts=counts))
    summary.finished_at = utcnow()
    return summary


def _validators(record: RawRecord) -> Validators:
    prov = record.provenance
    return Validators(
        url=prov.url,
        fetched_at=prov.fetched_at,
        status=prov.http_status,
        etag=record.data.get("etag"),
        last_modified=record.data.get("last_modified"),
        content_hash=prov.response_hash,
    )
