"""Scrapy's tracebacks go to the log at debug level only; what failed is in the crawl summary.

An offline ``tracker run`` used to print some two hundred lines of Twisted
tracebacks (robots.txt, retries) to stderr. The crawl already records each
failure with a reason (``unreachable``, ``timeout``…) in ``crawl_errors`` and
the summary, so the error lines stay one line each; their tracebacks are kept
only when the log level is ``DEBUG`` (``tracker -vv``). The lines that only repeat a
download failure (robots.txt that could not be fetched, a request that gave up retrying)
are debug lines themselves: offline, stderr shows tracker's own summary and nothing else.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler


class TracebacksAtDebug(logging.Filter):
    """Drop the traceback of a Scrapy / Twisted record unless the handler shows debug output."""

    def __init__(self, handler: logging.Handler) -> None:
        super().__init__()
        self.handler = handler

    def filter(self, record: logging.LogRecord) -> bool:
        noisy = record.name.startswith(("scrapy", "twisted", "py.warnings"))
        if record.exc_info and noisy and self.handler.level > logging.DEBUG:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


def quiet_root_handlers() -> None:
    """Put :class:`TracebacksAtDebug` on every root log handler that lacks it."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TracebacksAtDebug) for f in handler.filters):
            handler.addFilter(TracebacksAtDebug(handler))


class QuietTracebacks:
    """A Scrapy extension: the filter goes on the root handlers once the engine starts.

    (Scrapy replaces its root handler after the extensions are built, so it is not done in ``__init__``.)
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietTracebacks:
        extension = cls()
        demote_download_errors()
        crawler.signals.connect(quiet_root_handlers, signal=signals.engine_started)
        return extension


#: Scrapy loggers whose ERROR lines repeat a download failure the crawl records itself (a ``FetchFailure``).
DOWNLOAD_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


class DownloadErrorsAtDebug(logging.Filter):
    """Turn a download-failure record of :data:`DOWNLOAD_LOGGERS` into a debug record.

    The failed request is in the crawl summary with its reason (``unreachable``, ``timeout``…);
    its Scrapy line is shown only with ``tracker -vv``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            record.levelno = logging.DEBUG
            record.levelname = logging.getLevelName(logging.DEBUG)
        return True


def demote_download_errors() -> None:
    """Put :class:`DownloadErrorsAtDebug` on each of :data:`DOWNLOAD_LOGGERS` (once)."""
    for name in DOWNLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, DownloadErrorsAtDebug) for f in logger.filters):
            logger.addFilter(DownloadErrorsAtDebug())
