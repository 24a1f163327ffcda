"""Peer catalog crawls: store the fetched file when the spider closes (one transaction).

A ``304`` remembers the fetch and stores nothing; a file that cannot be decoded is one ``crawl_errors`` row
and a failed run (stored claims of earlier versions stay); every entry that cannot be parsed is a
``crawl_errors`` row with its reason; the validators are remembered for the next conditional GET.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from scrapy.spiders import Spider

from tracker.errors import NormalizationError
from tracker.normalize.rejection import Rejection
from tracker.peers.load import parse_file, store_parse
from tracker.sources.items import FetchFailure, RawRecord
from tracker.sources.pipelines.store import StoreOnClose
from tracker.sources.spiders.feeds import NotModified
from tracker.sources.summary import CrawlSummary
from tracker.store.db import session_scope
from tracker.store.ingest_documents import Validators, write_validators
from tracker.store.runs import finish_run, record_errors, utcnow
from tracker.store.tables import Run

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
        catalog = str(getattr(spider, "catalog", source))
        summary = CrawlSummary(source=source, run_id=self.run_id, requests=requests)
        with session_scope(self.sessions) as session:
            run = session.get(Run, self.run_id) if self.run_id is not None else None
            errors = [Rejection(f.subject or f.url, f.reason, f.detail, f.url) for f in self.failures]
            validators: list[Validators] = []
            for record in self.files:
                prov = record.provenance
                data = record.data
                validators.append(
                    Validators(
                        url=prov.url,
                        fetched_at=prov.fetched_at,
                        status=prov.http_status,
                        etag=data.get("etag"),
                        last_modified=data.get("last_modified"),
                        content_hash=prov.response_hash,
                    )
                )
                try:
                    parse = parse_file(
                        catalog, data["body"], fetched_at=prov.fetched_at, last_modified=data.get("last_modified")
                    )
                except NormalizationError as exc:
                    errors.append(Rejection(prov.url, exc.reason, exc.detail, prov.url))
                    summary.message = f"{prov.url}: {exc.reason}: {exc.detail}"[:1000]
                    continue
                if run is not None:
                    run.observed_at = parse.snapshot_at or prov.fetched_at
                result = store_parse(
                    session, parse, url=prov.url, fetched_at=prov.fetched_at, run_id=self.run_id, source=source
                )
                summary.seen += result.entries + sum(result.rejected.values())
                summary.new += result.claims_new
                summary.unchanged += result.claims_known
                summary.writes += result.claims_new
                summary.rejected.update(result.rejected)
                summary.extra["catalog"] = result.counts()
            for item in self.not_modified:
                validators.append(Validators(url=item.url, fetched_at=utcnow(), status=304))
                summary.extra["not_modified"] = True
            write_validators(session, validators)
            record_errors(session, errors, source=source, run_id=self.run_id)
            summary.errors = Counter(e.reason for e in errors)
            stored = bool(self.not_modified) or "catalog" in summary.extra
            summary.complete = stored and reason == "finished"
            if not stored:
                summary.status = "failed"
                summary.message = summary.message or (
                    f"{errors[0].subject}: {errors[0].reason}" if errors else f"stopped ({reason})"
                )
            else:
                summary.status = "success" if reason == "finished" else "partial"
                if self.not_modified:
                    summary.message = "not modified since the last crawl (304): nothing to store"
            if run is not None:
                counts = summary.to_dict()
                finish_run(session, run, **summary.run_fields(requests=requests, counts=counts))
        summary.finished_at = utcnow()
        return summary
