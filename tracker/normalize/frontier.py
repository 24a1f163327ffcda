"""The crawl frontier: what a blogs/press crawl discovered, fetched, failed — and still owes.

Every article URL a feed or an index page links to is a row (``tracker.store.tables.frontier``):
``pending`` → ``fetched`` (with its hash), or ``failed`` (reason, attempts, next retry with a
doubling backoff), or ``gone`` after a second 404/410 (``refused`` when robots.txt disallows it).
Each crawl fetches the pending and due-for-retry URLs even when their feed answers 304, so nothing
discovered is forgotten.

* :func:`decide` is the pure decider: (the stored row, what happened) → the row's new values;
* :class:`FrontierLog` collects what a crawl saw (feed entries, pages, 304s, failures);
* :func:`listing_state` is the pure decider for a feed or index page's health.

Writing is :mod:`tracker.store.frontier`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PENDING, FETCHED, FAILED, GONE = "pending", "fetched", "failed", "gone"
#: robots.txt does not allow it: not fetched again, not owed.
REFUSED = "refused"
#: States that are still owed (fetched by the next crawl once due).
OWED = (PENDING, FAILED)
#: The longest wait between two attempts.
MAX_BACKOFF = dt.timedelta(days=7)
GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class Outcome:
    """What happened to one article URL in a crawl."""

    #: ``discovered``, ``fetched``, ``not-modified``, ``failed``.
    what: str
    at: dt.datetime
    content_hash: str | None = None
    reason: str | None = None
    http_status: int | None = None


def backoff(attempts: int, first_wait_minutes: float) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: ``first_wait_minutes`` doubled per failed attempt, at most a week."""
    if attempts <= 0 or first_wait_minutes <= 0:
        return dt.timedelta(0)
    minutes = first_wait_minutes * 2 ** min(attempts - 1, 20)
    return min(dt.timedelta(minutes=minutes), MAX_BACKOFF)


def decide(row: Mapping[str, Any] | None, outcome: Outcome, *, first_wait_minutes: float) -> dict[str, Any]:
    """The new values of a frontier row (``row`` is None for a URL never seen before).

    Only the changed fields are returned for a known row (an empty dict: nothing to write).
    """
    if outcome.what == "discovered":
        if row is None:
            return {"state": PENDING, "attempts": 0, "gone_answers": 0, "first_seen_at": outcome.at}
        return {}
    current = dict(row or {})
    attempts = int(current.get("attempts") or 0)
    if outcome.what in ("fetched", "not-modified"):
        new: dict[str, Any] = {
            "state": FETCHED,
            "attempts": 0,
            "gone_answers": 0,
            "reason": None,
            "http_status": 304 if outcome.what == "not-modified" else 200,
            "next_retry_at": None,
            "last_attempt_at": outcome.at,
            "fetched_at": outcome.at,
        }
        if outcome.content_hash is not None:
            new["content_hash"] = outcome.content_hash
    elif outcome.what == "failed":
        attempts += 1
        gone_answers = int(current.get("gone_answers") or 0)
        gone_answers = gone_answers + 1 if outcome.http_status in GONE_STATUSES else 0
        state = GONE if gone_answers >= 2 else FAILED
        if outcome.reason == "robots-txt":
            state = REFUSED
        new = {
            "state": state,
            "attempts": attempts,
            "gone_answers": gone_answers,
            "reason": (outcome.reason or "failed")[:64],
            "http_status": outcome.http_status,
            "next_retry_at": None if state != FAILED else outcome.at + backoff(attempts, first_wait_minutes),
            "last_attempt_at": outcome.at,
        }
    else:
        raise ValueError(f"unknown frontier outcome {outcome.what!r}")
    if row is None:
        return {"first_seen_at": outcome.at, **new}
    return {k: v for k, v in new.items() if current.get(k) != v}


def is_due(row: Mapping[str, Any], now: dt.datetime) -> bool:
    """Pending, or failed and its retry time has come."""
    if row["state"] == PENDING:
        return True
    if row["state"] != FAILED:
        return False
    due = row.get("next_retry_at")
    return due is None or due <= now


# ───────────────────────────── listings ─────────────────────────────


@dataclass(frozen=True)
class ListingOutcome:
    """What a feed or index page (its first page) answered in a crawl."""

    url: str
    at: dt.datetime
    #: ``ok`` (200 with entries), ``not-modified``, ``empty`` (200, no entry), ``failed``.
    what: str
    http_status: int | None = None
    detail: str | None = None
    entries: int | None = None
    moved_to: str | None = None


def listing_state(row: Mapping[str, Any] | None, outcome: ListingOutcome) -> dict[str, Any]:
    """A listing's new health: ``ok``, ``failed``, ``empty``, ``moved`` or ``gone``, with the problem streak."""
    problems = int((row or {}).get("problem_runs") or 0)
    values: dict[str, Any] = {"checked_at": outcome.at, "http_status": outcome.http_status, "moved_to": None}
    if outcome.what in ("ok", "not-modified"):
        values.update(state="ok", problem_runs=0, detail=None, last_ok_at=outcome.at)
        if outcome.moved_to:
            values.update(state="moved", moved_to=outcome.moved_to, detail=f"now answers at {outcome.moved_to}")
        if outcome.entries is not None:
            values["entries"] = outcome.entries
        return values
    state = "empty" if outcome.what == "empty" else "failed"
    if outcome.http_status in GONE_STATUSES:
        state = "gone"
    values.update(state=state, problem_runs=problems + 1, detail=(outcome.detail or state)[:1000])
    if outcome.entries is not None:
        values["entries"] = outcome.entries
    return values


def listing_broken(row: Mapping[str, Any], broken_after_runs: int) -> bool:
    """A listing to flag: gone (404/410) or moved at once, failing or empty for ``broken_after_runs`` crawls."""
    if row["state"] in ("gone", "moved"):
        return True
    return row["state"] in ("failed", "empty") and int(row.get("problem_runs") or 0) >= max(1, broken_after_runs)


# ───────────────────────────── what a crawl saw ─────────────────────────────


@dataclass
class Discovered:
    url: str
    feed_url: str
    vendor: str | None
    kind: str
    title: str | None
    date_text: str | None


@dataclass
class FrontierLog:
    """Collected by the store pipeline during a crawl; applied when it closes."""

    discovered: dict[str, Discovered] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    #: Failures by URL (applied to frontier rows only; feeds are listings).
    failures: dict[str, Outcome] = field(default_factory=dict)
    listings: dict[str, ListingOutcome] = field(default_factory=dict)

    def entry(self, feed: Mapping[str, Any], link: str, title: str | None, date_text: str | None) -> None:
        self.discovered.setdefault(
            link,
            Discovered(
                url=link[:2048],
                feed_url=str(feed.get("url") or ""),
                vendor=feed.get("vendor"),
                kind=str(feed.get("kind") or "vendor"),
                title=title,
                date_text=date_text[:128] if date_text else None,
            ),
        )

    def page(self, url: str, at: dt.datetime, content_hash: str | None) -> None:
        self.outcomes[url] = Outcome("fetched", at, content_hash=content_hash)

    def not_modified(self, url: str, part: str, at: dt.datetime) -> None:
        if part == "page":
            self.outcomes[url] = Outcome("not-modified", at)
        else:
            self.listings.setdefault(url, ListingOutcome(url, at, "not-modified", http_status=304))

    def failed(self, url: str, at: dt.datetime, reason: str, http_status: int | None, detail: str | None) -> None:
        self.failures[url] = Outcome("failed", at, reason=reason, http_status=http_status)
        self.listings.setdefault(
            url, ListingOutcome(url, at, "failed", http_status=http_status, detail=f"{reason}: {detail or ''}"[:1000])
        )

    def listing(self, feed: Mapping[str, Any], url: str, at: dt.datetime, status: int, entries: int) -> None:
        configured = str(feed.get("url") or url)
        if configured in self.listings and self.listings[configured].what in ("ok", "empty"):
            return  # a later page of the same index
        moved = url if url != configured else None
        what = "ok" if entries else "empty"
        detail = None if entries else "answered with no entry"
        self.listings[configured] = ListingOutcome(
            configured, at, what, http_status=status, detail=detail, entries=entries, moved_to=moved
        )

    def listing_outcomes(self, configured: Sequence[str]) -> list[ListingOutcome]:
        """The outcomes of the configured listings (first pages) only."""
        return [self.listings[url] for url in configured if url in self.listings]


_ORDINAL = re.compile(r"(\d{1,2})(st|nd|rd|th)\b")


_SPACES = re.compile(r"\s+")
_FORMATS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m/%d/%Y",
    "%a, %d %b %Y %H:%M:%S %z",
)


def parse_listing_date(text: str | None) -> dt.datetime | None:
    """A date as an index page writes it → an aware UTC datetime (``None`` when unreadable).

    A date without a time is taken as midnight UTC; an ISO time without an offset as UTC.
    """
    if not text:
        return None
    value = _ORDINAL.sub(r"\1", _SPACES.sub(" ", text).strip())
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in _FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)
