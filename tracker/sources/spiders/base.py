"""Base spider for JSON APIs: provenance, failure items, JSON decoding.

Subclasses set ``name`` and implement ``start`` and their callbacks; they call
:meth:`decode_json` and yield :class:`RawRecord` / :class:`ListingEnd` items.
Every failure becomes a :class:`FetchFailure` item, never an exception, so
the store pipeline can record it and keep what did arrive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from tracker.events.hashing import body_hash
from tracker.perf import gc_paused
from tracker.sources.items import FetchFailure, Provenance

#: Exception names (Twisted's and Scrapy's) that mean the host could not be reached: reason ``unreachable``.
UNREACHABLE = ("ConnectionRefused", "DNSLookup", "CannotResolveHost", "ConnectError", "NoRoute")


class JsonDecodeFailed(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class TrackerSpider(Spider):
    """Common plumbing for every tracker spider."""

    #: The source name stored with every record (``openrouter``, ``huggingface``...).
    source: str = ""

    def request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        meta = kwargs.pop("meta", {})
        meta.setdefault("handle_httpstatus_all", True)
        return Request(url, callback=callback, errback=self.on_error, meta=meta, **kwargs)

    def provenance(self, response: Response) -> Provenance:
        return Provenance(
            source=self.source,
            url=response.url,
            fetched_at=dt.datetime.now(dt.UTC),
            http_status=response.status,
            response_hash=body_hash(response.body),
        )

    def http_failure(self, response: Response, subject: str | None = None) -> FetchFailure | None:
        """A failure item when ``response`` is not a 2xx, else None."""
        if 200 <= response.status < 300:
            return None
        reason = "rate-limited" if response.status == 429 else f"http-{response.status}"
        snippet = response.body[:200].decode("utf-8", "replace")
        return FetchFailure(
            source=self.source,
            url=response.url,
            reason=reason,
            detail=snippet,
            http_status=response.status,
            subject=subject,
        )

    def decode_json(self, response: Response) -> Any:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        body = response.body
        if body.lstrip()[:1] == b"<" or "html" in content_type:
            raise JsonDecodeFailed("not-json", f"got {content_type or 'no content type'} instead of JSON")
        try:
            with gc_paused():
                return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise JsonDecodeFailed("bad-json", f"{exc} ({len(body)} bytes)") from exc

    def on_error(self, failure: Failure) -> Iterator[FetchFailure]:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        exc = failure.value
        name = type(exc).__name__
        if "Timeout" in name:
            reason = "timeout"
        elif "HostNotAllowed" in name:
            reason = "host-not-allowed"
        elif any(word in name for word in UNREACHABLE):
            reason = "unreachable"
        elif "Cancelled" in name or "maxsize" in str(exc).lower():
            reason = "too-large"
        else:
            reason = "network-error"
        subject = request.meta.get("subject") if request is not None else None
        self.logger.info("%s: %s (%s)", url, reason, exc)  # Scrapy has logged the failure already
        yield FetchFailure(source=self.source, url=url, reason=reason, detail=f"{name}: {exc}"[:500], subject=subject)
