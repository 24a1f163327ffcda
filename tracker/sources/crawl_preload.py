"""What the crawl fork server imports once, so that a crawl child starts with Scrapy and the project loaded.

Imported only by the fork server of :mod:`tracker.sources.runner` (through
``set_forkserver_preload``), never by other code: importing it there also takes
the fork server out of its parent's process group and makes it ignore SIGTERM,
so that a ``timeout`` or a terminal's signal aimed at the parent's group does
not kill the server out from under running crawls (it still exits when its
parent does, and its children die with it: see ``runner``).

No Twisted reactor is installed here: each crawl child installs its own.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys


def _module_of(path: str) -> str:
    return path.rpartition(".")[0]


def _components() -> list[str]:
    """Modules of the Scrapy components a crawl loads by name (middlewares, extensions, handlers)."""
    from scrapy.settings import default_settings as defaults

    names: set[str] = set()
    for setting in (
        "DOWNLOADER_MIDDLEWARES_BASE",
        "SPIDER_MIDDLEWARES_BASE",
        "EXTENSIONS_BASE",
        "DOWNLOAD_HANDLERS_BASE",
        "ITEM_PIPELINES_BASE",
    ):
        for path in getattr(defaults, setting, {}) or {}:
            if isinstance(path, str) and "." in path:
                names.add(_module_of(path))
    for setting in (
        "SCHEDULER",
        "STATS_CLASS",
        "DUPEFILTER_CLASS",
        "SCHEDULER_PRIORITY_QUEUE",
        "SCHEDULER_MEMORY_QUEUE",
        "SCHEDULER_DISK_QUEUE",
        "DOWNLOADER",
        "LOG_FORMATTER",
        "REQUEST_FINGERPRINTER_CLASS",
        "DNS_RESOLVER",
        "DOWNLOADER_CLIENTCONTEXTFACTORY",
        "SPIDER_LOADER_CLASS",
        "ADDONS_CLASS",
    ):
        path = getattr(defaults, setting, None)
        if isinstance(path, str):
            names.add(_module_of(path))
    return sorted(names)


PROJECT = (
    "tracker.sources.runner",
    "tracker.sources.settings",
    "tracker.sources.middlewares",
    "tracker.sources.spiders.openrouter",
    "tracker.sources.spiders.huggingface",
    "tracker.sources.spiders.feeds",
    "tracker.sources.pipelines.openrouter",
    "tracker.sources.pipelines.huggingface",
    "tracker.sources.pipelines.documents",
    "tracker.store.ingest_huggingface",
    "tracker.store.ingest_documents",
)

SCRAPY = (
    "scrapy.crawler",
    "scrapy.core.engine",
    "scrapy.core.scraper",
    "scrapy.http",
    "twisted.internet.asyncioreactor",
    "twisted.web.client",
)


def preload() -> list[str]:
    """Import Scrapy, its default components and the project's crawl modules; the names that failed."""
    failed = []
    for name in (*SCRAPY, *_components(), *PROJECT):
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional component must not stop the fork server
            failed.append(name)
    return failed


def _detach_from_parent_group() -> None:
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _in_fork_server() -> bool:
    return sys.argv[:1] == ["-c"] and "multiprocessing.forkserver" in sys.modules


FAILED = preload()
if _in_fork_server():
    _detach_from_parent_group()
