"""Downloader middlewares: a host allow-list and Retry-After–aware retries."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from tracker.sources.ratelimit import retry_delay

logger = logging.getLogger(__name__)


class HostNotAllowed(IgnoreRequest):
    """The request's host is not in ``TRACKER_ALLOWED_HOSTS``."""


class AllowedHostsMiddleware:
    """Refuse requests to hosts outside the allow-list (tests: loopback only)."""

    def __init__(self, hosts: list[str]) -> None:
        self.hosts = {h.lower() for h in hosts}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AllowedHostsMiddleware:
        return cls(crawler.settings.getlist("TRACKER_ALLOWED_HOSTS"))

    def process_request(self, request: Request) -> None:
        if not self.hosts:
            return None
        host = (urlsplit(request.url).hostname or "").lower()
        if host not in self.hosts:
            raise HostNotAllowed(f"host {host!r} is not in the allowed hosts {sorted(self.hosts)}")
        return None


class RetryAfterMiddleware:
    """Retry 429 (and 503 with a delay header) after the delay the server asks for.

    Delays longer than ``TRACKER_MAX_RETRY_AFTER`` are not waited for: the
    response goes on to the spider, which records the record as rate-limited.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_delay = crawler.settings.getfloat("TRACKER_MAX_RETRY_AFTER", 120.0)
        self.max_times = crawler.settings.getint("TRACKER_RETRY_AFTER_TIMES", 3)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in (429, 503) or request.meta.get("dont_retry"):
            return response
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        delay = retry_delay(headers)
        if delay is None:
            if response.status == 503:
                return response  # the ordinary RetryMiddleware handles a plain 503
            delay = 1.0
        attempts = request.meta.get("retry_after_times", 0)
        stats = self.crawler.stats
        if attempts >= self.max_times or delay > self.max_delay:
            if stats:
                stats.inc_value("tracker/rate_limited_gave_up")
            logger.warning(
                "giving up on %s after %d rate-limit retries (asked to wait %.0fs)", request.url, attempts, delay
            )
            return response
        if stats:
            stats.inc_value("tracker/rate_limited_retries")
        logger.info("rate limited on %s: waiting %.1fs before retry %d", request.url, delay, attempts + 1)
        await asyncio.sleep(delay)
        retry: Request = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = attempts + 1
        return retry


def header_map(response: Response) -> dict[str, Any]:
    return {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
