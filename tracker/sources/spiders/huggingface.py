"""Hugging Face Hub: org listings (paged by ``Link``), then details and cards of changed repos.

For each watched organisation: ``GET {url}/api/models?author=ORG&limit=N&expand[]=sha…``,
following ``Link: <…>; rel="next"``. A repo that is new, or whose ``sha`` /
``lastModified`` / ``gated`` differs from what the database remembers (handed
to the spider as ``known``), gets ``GET /api/models/{repo_id}`` and then
``GET /{repo_id}/raw/main/README.md``; unchanged repos cost nothing beyond the
listing. An optional discovery pass lists recent text-generation repos of other
authors. ``HF_TOKEN`` is sent as a bearer token when set.

The spider only maps responses to items: listing pages (:class:`RawPage`),
details and cards (:class:`RawRecord`), failures (:class:`RepoFetchFailure`),
and the end of each organisation's listing (:class:`OrgListingEnd`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Response
from twisted.python.failure import Failure

from tracker.errors import NormalizationError
from tracker.normalize.huggingface import (
    KnownRepo,
    card_url,
    detail_url,
    discovery_url,
    listing_entry,
    listing_url,
    needs_fetch,
    next_link,
)
from tracker.sources.fingerprints import FingerprintSet
from tracker.sources.items import FetchFailure, ListingEnd, Provenance, RawPage, RawRecord
from tracker.sources.spiders.base import JsonDecodeFailed, TrackerSpider

PIPELINES = {
    "tracker.sources.pipelines.huggingface.ValidatePipeline": 100,
    "tracker.sources.pipelines.huggingface.NormalizePipeline": 200,
    "tracker.sources.pipelines.huggingface.StorePipeline": 300,
}
DISCOVERY = "(discovery)"
#: Cards before details before the next listing page: the listing runs at most a page ahead of the
#: details, so the queue of requests (and the repos waiting for their chunk) stays bounded by the page size.
CARD_PRIORITY = 2
DETAIL_PRIORITY = 1


@dataclass
class RepoFetchFailure(FetchFailure):
    """A listing page, detail or card that produced no usable response."""

    #: ``listing``, ``detail`` or ``card``.
    part: str = "detail"
    org: str | None = None


@dataclass
class OrgListingEnd(ListingEnd):
    """The last page of one organisation's listing (or of the discovery listing)."""

    org: str = ""
    watched: bool = True


#: ``Request.meta`` key of a card request (not remembered by :class:`HubDupeFilter`).
CARD_META = "hub_card"


class HubDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, without remembering card requests, its fingerprints in a compact set.

    A card is requested once, from its repo's detail response, and detail requests are filtered: a card
    request is never a duplicate, and remembering its fingerprint would only cost memory (two fingerprints a
    repo instead of one: about 3 MiB less peak RSS at 50,000 repos, measured). The fingerprints that are
    remembered (one a detail request) are kept in a :class:`tracker.sources.fingerprints.FingerprintSet`:
    about 20 bytes each instead of a ``bytes`` object and its ``set`` entry (~90); the same answers. With a
    job directory (``JOBDIR``: the fingerprints also go to a file) Scrapy's own set is kept.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.file is None:
            self._fingerprints = FingerprintSet()  # type: ignore[assignment]

    def request_seen(self, request: Request) -> bool:
        if request.meta.get(CARD_META):
            return False
        return super().request_seen(request)


class HuggingFaceSpider(TrackerSpider):
    name = "huggingface"
    source = "huggingface"
    #: A callback yields a handful of items; Scrapy starts CONCURRENT_ITEMS workers per callback, so keep it small.
    custom_settings: ClassVar[dict[str, Any]] = {
        "ITEM_PIPELINES": PIPELINES,
        "CONCURRENT_ITEMS": 8,
        "DUPEFILTER_CLASS": f"{__name__}.HubDupeFilter",
    }

    def __init__(
        self,
        base_url: str,
        orgs: tuple[str, ...] | list[str],
        *,
        token: str | None = None,
        discovery: bool = False,
        discovery_limit: int = 200,
        list_orgs: bool = True,
        page_size: int = 1000,
        max_card_bytes: int = 2 * 1024 * 1024,
        known: Mapping[str, KnownRepo] | Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.orgs = tuple(dict.fromkeys(o.strip() for o in orgs if o and o.strip()))
        self.watched = {o.lower() for o in self.orgs}
        self.token = token
        self.discovery = discovery
        self.discovery_limit = max(1, discovery_limit)
        #: False: the watched organisations are not listed (their own crawls do it); discovery still skips them.
        self.list_orgs = list_orgs
        self.page_size = max(1, page_size)
        self.max_card_bytes = max_card_bytes
        self._known_source = known
        self._known: Mapping[str, KnownRepo] | None = None
        self.received: dict[str, int] = {}
        #: Listing entries per organisation that could not be read (they block delisting: docs/completeness.md).
        self.rejected_entries: dict[str, int] = {}
        self.details_requested = 0
        self.cards_requested = 0
        self.listing_pages = 0

    @property
    def known(self) -> Mapping[str, KnownRepo]:
        if self._known is None:
            source = self._known_source
            self._known = source() if callable(source) else (source or {})
        return self._known

    def hub_request(self, url: str, callback: Any, *, priority: int = 0, **meta: Any) -> Request:
        headers = {"Accept": "application/json"} if "/api/" in url else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return Request(
            url,
            callback=callback,
            errback=self.on_hub_error,
            headers=headers,
            priority=priority,
            meta={"handle_httpstatus_all": True, **meta},
        )

    async def start(self) -> AsyncIterator[Any]:
        for org in self.orgs if self.list_orgs else ():
            yield self.hub_request(listing_url(self.base_url, org, self.page_size), self.parse_listing, org=org)
        if self.discovery:
            yield self.hub_request(
                discovery_url(self.base_url, self.discovery_limit), self.parse_listing, org=DISCOVERY
            )

    # ───────────── listing ─────────────

    def parse_listing(self, response: Response) -> Iterator[Any]:
        org: str = response.meta["org"]
        watched = org != DISCOVERY
        failure = self.http_failure(response, subject=org)
        if failure is not None:
            yield from self._listing_failed(response, org, failure.reason, failure.detail, failure.http_status)
            return
        try:
            payload = self.decode_json(response)
        except JsonDecodeFailed as exc:
            yield from self._listing_failed(response, org, exc.reason, exc.detail, response.status)
            return
        if not isinstance(payload, list):
            yield from self._listing_failed(response, org, "unexpected-shape", "expected a JSON list", response.status)
            return
        provenance = self.provenance(response)
        self.listing_pages += 1
        offset = self.received.get(org, 0)
        entries = []
        for raw in payload:
            if (
                not watched
                and isinstance(raw, dict)
                and str(raw.get("id", "")).split("/", 1)[0].lower() in self.watched
            ):
                continue  # a watched organisation's own listing covers it
            entries.append(raw)
        yield RawPage(
            provenance=provenance, kind="hf-listing" if watched else "hf-discovery", records=entries, offset=offset
        )
        self.received[org] = offset + len(entries)
        for raw in entries:
            try:
                entry = listing_entry(raw, watched=watched)
            except NormalizationError:
                self.rejected_entries[org] = self.rejected_entries.get(org, 0) + 1
                continue  # the pipeline records it
            if needs_fetch(entry, self.known.get(entry.id)):
                self.details_requested += 1
                yield self.hub_request(
                    detail_url(self.base_url, entry.id),
                    self.parse_detail,
                    priority=DETAIL_PRIORITY,
                    subject=entry.id,
                    watched=watched,
                )
        following = next_link(response.headers.get("Link", b"").decode("latin-1")) if watched else None
        if following:
            following = urljoin(response.url, following)
            if urlsplit(following).netloc != urlsplit(response.url).netloc:
                # never send the token elsewhere: a listing that leaves the host ends incomplete
                yield from self._listing_failed(
                    response, org, "foreign-next-link", f"next page on another host: {following[:200]}", None
                )
                return
            yield self.hub_request(following, self.parse_listing, org=org)
            return
        yield OrgListingEnd(
            provenance=provenance,
            received=self.received[org],
            complete=True,
            org=org,
            watched=watched,
            rejected=self.rejected_entries.get(org, 0),
        )

    def _listing_failed(
        self, response: Response, org: str, reason: str, detail: str, status: int | None
    ) -> Iterator[Any]:
        yield RepoFetchFailure(
            source=self.source,
            url=response.url,
            reason=reason,
            detail=detail,
            http_status=status,
            subject=org,
            part="listing",
            org=org,
        )
        yield OrgListingEnd(
            provenance=self.provenance(response),
            received=self.received.get(org, 0),
            complete=False,
            failure=f"{reason} on {response.url}",
            org=org,
            watched=org != DISCOVERY,
        )

    # ───────────── detail and card ─────────────

    def parse_detail(self, response: Response) -> Iterator[Any]:
        repo_id: str = response.meta["subject"]
        failure = self.http_failure(response, subject=repo_id)
        if failure is not None:
            yield self._repo_failure(failure, "detail")
            return
        try:
            payload = self.decode_json(response)
        except JsonDecodeFailed as exc:
            yield RepoFetchFailure(
                self.source, response.url, exc.reason, exc.detail, response.status, repo_id, part="detail"
            )
            return
        yield RawRecord(
            provenance=self.provenance(response),
            kind="hf-model",
            data={"repo_id": repo_id, "watched": response.meta.get("watched", True), "detail": payload},
        )
        self.cards_requested += 1
        yield self.hub_request(
            card_url(self.base_url, repo_id),
            self.parse_card,
            priority=CARD_PRIORITY,
            subject=repo_id,
            download_maxsize=self.max_card_bytes,
            download_warnsize=0,
            **{CARD_META: True},
        )

    def parse_card(self, response: Response) -> Iterator[Any]:
        repo_id: str = response.meta["subject"]
        failure = self.http_failure(response, subject=repo_id)
        if failure is not None:
            yield self._repo_failure(failure, "card")
            return
        yield RawRecord(
            provenance=self.provenance(response),
            kind="hf-card",
            data={"repo_id": repo_id, "body": response.body},
        )

    def _repo_failure(self, failure: FetchFailure, part: str) -> RepoFetchFailure:
        return RepoFetchFailure(
            source=failure.source,
            url=failure.url,
            reason=failure.reason,
            detail=failure.detail,
            http_status=failure.http_status,
            subject=failure.subject,
            part=part,
        )

    def on_hub_error(self, failure: Failure) -> Iterator[Any]:
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        for item in self.on_error(failure):
            if "robots.txt" in item.detail.lower():
                item.reason = "forbidden-by-robots-txt"
            if "org" in meta:
                org = meta["org"]
                yield RepoFetchFailure(**vars(item) | {"subject": org}, part="listing", org=org)
                yield OrgListingEnd(
                    provenance=self._failed_provenance(item.url),
                    received=self.received.get(org, 0),
                    complete=False,
                    failure=f"{item.reason} on {item.url}",
                    org=org,
                    watched=org != DISCOVERY,
                )
            else:
                part = "card" if item.url.endswith("/README.md") else "detail"
                yield RepoFetchFailure(**vars(item), part=part)

    def _failed_provenance(self, url: str) -> Provenance:
        return Provenance(
            source=self.source, url=url, fetched_at=dt.datetime.now(dt.UTC), http_status=0, response_hash=""
        )
