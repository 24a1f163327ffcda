"""The Scrapy settings every tracker spider runs with (small and explicit)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tracker.config import Settings


def scrapy_settings(settings: Settings, *, run_id: int | None, log_level: str = "WARNING") -> dict[str, Any]:
    http = settings.http
    return {
        "BOT_NAME": "tracker",
        "USER_AGENT": http.user_agent,
        "ROBOTSTXT_OBEY": http.obey_robots_txt,
        "CONCURRENT_REQUESTS": http.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": http.concurrency,
        "DOWNLOAD_DELAY": http.delay_seconds,
        "DOWNLOAD_TIMEOUT": http.timeout_seconds,
        "DOWNLOAD_MAXSIZE": http.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": http.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        # a request that exhausted its retries is a FetchFailure in the summary: Scrapy's line goes to the debug log
        "RETRY_GIVE_UP_LOG_LEVEL": "DEBUG",
        "AUTOTHROTTLE_ENABLED": http.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(http.delay_seconds, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(http.concurrency),
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19 opens an HTTP control server (for its MCP client) in every crawl unless told not to:
        # a crawl run by the scheduler must not listen on a port that can drive it
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": log_level,
        "LOG_ENABLED": True,
        "HTTPCACHE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "EXTENSIONS": {"tracker.sources.quiet_log.QuietTracebacks": 0},
        "DOWNLOADER_MIDDLEWARES": {
            "tracker.sources.middlewares.AllowedHostsMiddleware": 50,
            "tracker.sources.middlewares.RetryAfterMiddleware": 560,
            # the Hub's budget shared by every crawl process (off unless huggingface.budget_requests > 0)
            "tracker.workers.budget_middleware.HubBudgetMiddleware": 60,
        },
        "TRACKER_HUB_BUDGET": _hub_budget(settings),
        "TRACKER_ALLOWED_HOSTS": list(http.allowed_hosts),
        "TRACKER_MAX_RETRY_AFTER": http.max_retry_after_seconds,
        "TRACKER_RETRY_AFTER_TIMES": max(http.retries, 1),
        "TRACKER_DATABASE_URL": settings.database_url,
        "TRACKER_RUN_ID": run_id,
        "TRACKER_MIN_LISTING_SHARE": settings.min_listing_share,
        "TRACKER_STORE_CHUNK": settings.store_chunk,
        "TRACKER_OPENROUTER_STORE_CHUNK": settings.openrouter.store_chunk,
    }


def _hub_budget(settings: Settings) -> dict[str, Any]:
    """The shared Hub budget for the crawl process: the Hub's host, the token's budget key (never the token)."""
    from tracker.workers.budget import budget_key

    hub = settings.huggingface
    return {
        "host": urlsplit(hub.url).hostname or "",
        "key": budget_key(hub.token),
        "requests": hub.budget_requests,
        "seconds": hub.budget_seconds,
    }
