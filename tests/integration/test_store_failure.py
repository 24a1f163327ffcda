"""A store step that raises closes its run as failed and says why, for every source."""

from __future__ import annotations

from scrapy import Spider
from scrapy.utils.test import get_crawler

from tracker.sources.pipelines.documents import StorePipeline as DocumentsStore
from tracker.sources.pipelines.huggingface import StorePipeline as HubStore
from tracker.sources.pipelines.openrouter import StorePipeline as OpenRouterStore
from tracker.store.runs import start_run
from tracker.store.tables import Run


def test_a_failing_store_closes_the_run_as_failed_for_every_source(sessions, db_url, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tracker.sources.pipelines.openrouter.store_listing", broken)
    monkeypatch.setattr("tracker.sources.pipelines.huggingface.store_hub_crawl", broken)
    monkeypatch.setattr("tracker.sources.pipelines.documents.store_documents_crawl", broken)
    for pipeline_cls, source in ((OpenRouterStore, "openrouter"), (HubStore, "huggingface"), (DocumentsStore, "press")):
        with sessions() as session:
            run_id = start_run(session, job="crawl", source=source, trigger="test").id
            session.commit()
        crawler = get_crawler(Spider, {"TRACKER_DATABASE_URL": db_url, "TRACKER_RUN_ID": run_id})
        crawler.stats.set_value("downloader/request_count", 3)
        pipeline = pipeline_cls.from_crawler(crawler)
        spider = Spider(name=source)
        spider.source = source
        pipeline.spider_closed(spider, "finished")

        summary = crawler.stats.get_value("tracker/summary")
        assert (summary["source"], summary["status"], summary["requests"]) == (source, "failed", 3)
        assert "storing the crawl failed" in summary["message"] and "disk full" in summary["message"]
        with sessions() as session:
            run = session.get(Run, run_id)
            assert (run.status, run.requests) == ("failed", 3) and "disk full" in run.error_message
