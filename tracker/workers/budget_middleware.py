"""Scrapy downloader middleware: every request to the Hub spends from the shared budget first.

Enabled when ``huggingface.budget_requests`` is above 0 (Scrapy setting
``TRACKER_HUB_BUDGET``); otherwise Scrapy drops it (``NotConfigured``) and a crawl
pays nothing. Only requests to the Hub's host spend; a request waits (without
blocking the crawl's other requests) until the budget lets it go.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from tracker.sources.database import process_sessions
from tracker.workers.budget import spend

logger = logging.getLogger(__name__)

#: Longest single sleep: the budget is asked again after it (another process may have been slower).
MAX_SLEEP_SECONDS = 5.0


class HubBudgetMiddleware:
    def __init__(self, crawler: Crawler, config: dict[str, Any], database_url: str) -> None:
        self.crawler = crawler
        self.host = str(config["host"]).lower()
        self.key = str(config["key"])
        self.capacity = int(config["requests"])
        self.window = dt.timedelta(seconds=float(config["seconds"]))
        self.database_url = database_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HubBudgetMiddleware:
        config = crawler.settings.getdict("TRACKER_HUB_BUDGET")
        if not config or int(config.get("requests", 0)) <= 0:
            raise NotConfigured  # no shared Hub budget (no message: Scrapy would log a warning per crawl)
        return cls(crawler, config, crawler.settings.get("TRACKER_DATABASE_URL"))

    def _spend(self) -> float:
        with process_sessions(self.database_url)() as session:
            return spend(session, self.key, capacity=self.capacity, window=self.window)

    async def process_request(self, request: Request) -> None:
        if (urlsplit(request.url).hostname or "").lower() != self.host:
            return None
        while True:
            wait = await asyncio.to_thread(self._spend)
            if wait == 0.0:
                return None
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("tracker/hub_budget_waits")
            await asyncio.sleep(min(wait, MAX_SLEEP_SECONDS))
