"""Run one crawl in a child process and return its summary.

Scrapy's Twisted reactor cannot be restarted inside one process, so every
crawl gets a fresh ``spawn``-ed child; the parent records the run, and marks
it failed if the child dies without reporting.
"""

from __future__ import annotations

import logging
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from tracker.config import Settings
from tracker.sources.registry import spider_for
from tracker.sources.summary import CrawlSummary
from tracker.store.db import ensure_schema, make_engine, make_sessionmaker, session_scope
from tracker.store.runs import mark_stale_runs_failed, start_run

logger = logging.getLogger(__name__)


def run_crawl(
    settings: Settings,
    source: str,
    *,
    trigger: str = "cli",
    log_level: str = "WARNING",
    timeout_seconds: float | None = None,
) -> CrawlSummary:
    """Crawl ``source`` into ``settings.database_url``; never raises for source failures."""
    spider_for(source, settings)  # fail fast on an unknown source, before starting a run
    engine = make_engine(settings.database_url)
    try:
        ensure_schema(engine)
        factory = make_sessionmaker(engine)
        with session_scope(factory) as session:
            run_id = start_run(session, job="crawl", source=source, trigger=trigger).id
        data = _run_child(settings, source, run_id, log_level, timeout_seconds)
        if data is None:
            with session_scope(factory) as session:
                mark_stale_runs_failed(
                    session, run_id=run_id, message="the crawl process ended without reporting (killed or crashed)"
                )
            return CrawlSummary(
                source=source,
                run_id=run_id,
                status="failed",
                message="the crawl process ended without reporting (killed or crashed)",
            )
        return CrawlSummary.from_dict(data)
    finally:
        engine.dispose()


def _run_child(
    settings: Settings, source: str, run_id: int, log_level: str, timeout_seconds: float | None
) -> dict[str, Any] | None:
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=crawl_in_this_process, args=(settings, source, run_id, log_level, sender), name=f"tracker-crawl-{source}"
    )
    process.start()
    sender.close()
    data: dict[str, Any] | None = None
    waited = 0.0
    try:
        while True:
            if receiver.poll(0.2):
                try:
                    data = receiver.recv()
                except EOFError:
                    data = None
                break
            if not process.is_alive():
                if receiver.poll(0):
                    data = receiver.recv()
                break
            waited += 0.2
            if timeout_seconds is not None and waited > timeout_seconds:
                logger.error("crawl of %s exceeded %.0fs; terminating", source, timeout_seconds)
                process.terminate()
                break
    except KeyboardInterrupt:
        process.terminate()
        process.join(30)
        raise
    finally:
        receiver.close()
    process.join(60)
    if process.is_alive():
        process.kill()
        process.join()
    return data


def crawl_in_this_process(
    settings: Settings, source: str, run_id: int | None, log_level: str, conn: Connection | None = None
) -> dict[str, Any] | None:
    """Run the spider here (the child's entry point); sends the summary through ``conn``."""
    from scrapy.crawler import CrawlerProcess

    from tracker.sources.settings import scrapy_settings

    spider_cls, kwargs = spider_for(source, settings)
    process = CrawlerProcess(scrapy_settings(settings, run_id=run_id, log_level=log_level))
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **kwargs)
    process.start()
    summary = crawler.stats.get_value("tracker/summary") if crawler.stats else None
    if conn is not None:
        if summary is not None:
            conn.send(summary)
        conn.close()
    return summary
