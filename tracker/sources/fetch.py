"""Fetch pages with the crawler's rules and hand their articles back, typed (``tracker check URL``).

:func:`fetch_articles` runs the ``check`` source in a crawl child (robots.txt,
User-Agent, size cap, allowed hosts, the article reader); nothing is stored.
The child sends back a :class:`FetchResult` beside its crawl summary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tracker.config import FeedSettings, Settings

#: The key of the crawl child's report that carries the :class:`FetchResult`.
RESULT_KEY = "fetched"


@dataclass(frozen=True)
class FetchedArticle:
    """One page whose article was read."""

    url: str
    title: str | None
    text: str
    published_at: dt.datetime | None
    fetched_at: dt.datetime
    content_hash: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or self.url


@dataclass(frozen=True)
class FetchProblem:
    """A page that could not be fetched or read."""

    url: str
    reason: str
    detail: str


@dataclass
class FetchResult:
    articles: list[FetchedArticle] = field(default_factory=list)
    problems: list[FetchProblem] = field(default_factory=list)


def fetch_articles(settings: Settings, urls: list[str], *, log_level: str = "WARNING") -> FetchResult:
    """Fetch ``urls`` in a crawl child; a child that dies without reporting is one problem per URL."""
    from tracker.sources.runner import _run_child

    feeds = tuple(FeedSettings(url=u, vendor=urlsplit(u).hostname or u, kind="press", type="page") for u in urls)
    data: dict[str, Any] | None = _run_child(
        dataclasses.replace(settings, feeds=feeds),
        "check",
        None,  # type: ignore[arg-type]  # nothing is stored: no run
        log_level,
        None,
    )
    result = data.get(RESULT_KEY) if data is not None else None
    if not isinstance(result, FetchResult):
        return FetchResult(
            problems=[FetchProblem(u, "crawl-failed", "the fetch process ended without reporting") for u in urls]
        )
    return result
