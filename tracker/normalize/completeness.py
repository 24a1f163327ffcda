"""When a listing is complete enough to delist what it lacks (pure; see docs/completeness.md).

A listing that arrived in full (every page fetched and parsed) still proves
nothing about what it lacks unless it is *complete by rule*:

1. **The API states a total** (the listing carries a ``total_count`` key): the
   total must be an integer equal to the number of entries received, and at
   most ``1 − min_share`` of the entries may be unreadable (rejected without
   a readable id: such an entry could be any model).
2. **The API states no total** (OpenRouter's older responses, every Hugging
   Face organisation listing): no entry may have been rejected, and the
   listing may not be smaller than ``min_share`` (default 90 %) of the last
   complete listing of the same source (or organisation) — except that losing
   a single entry is always allowed (an organisation of three repos that
   deletes one is not a cut listing). The very first listing has nothing to
   delist and is complete.

Anything else is **partial**: what arrived is stored, nothing is delisted or
marked removed. A partial listing well below the last complete one is also
**suspicious** (``tracker status`` says so): the upstream may be cutting it
short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The share of the last complete listing a listing without a total must reach.
DEFAULT_MIN_SHARE = 0.9
#: Entries a listing may lose whatever its size (small organisations delete repos too).
ALWAYS_ALLOWED_DROP = 1


@dataclass(frozen=True, slots=True)
class ListingCount:
    """What one listing delivered."""

    #: Entries received, usable or not.
    received: int
    #: Entries rejected (unreadable, invalid, duplicates).
    rejected: int = 0
    #: Rejected entries without a readable id (a subset of ``rejected``).
    unidentified: int = 0
    #: The listing carried a ``total_count`` key (whatever its value).
    total_given: bool = False
    total_count: Any = None
    #: Entries of the last complete listing of the same source / organisation, if any.
    previous: int | None = None


@dataclass(frozen=True, slots=True)
class Completeness:
    complete: bool
    #: Why it is not complete (one line), None when it is.
    reason: str | None = None
    #: Partial and well below the last complete listing.
    suspicious: bool = False


def judge_listing(count: ListingCount, *, min_share: float = DEFAULT_MIN_SHARE) -> Completeness:
    """Whether ``count`` proves a complete listing (the module's rule)."""
    received = count.received
    short = (
        count.previous is not None
        and received < min_share * count.previous
        and count.previous - received > ALWAYS_ALLOWED_DROP
    )
    if count.total_given:
        total = count.total_count
        if isinstance(total, bool) or not isinstance(total, int):
            return Completeness(False, f"total_count is {_shown(total)}, not a number", short)
        if total != received:
            return Completeness(False, f"received {received} of total_count {total}", short)
        if count.unidentified > (1 - min_share) * received:
            return Completeness(False, f"{count.unidentified} of {received} entries have no readable id", short)
        return Completeness(True)
    if count.rejected:
        return Completeness(False, f"no total_count and {count.rejected} of {received} entries rejected", short)
    if short:
        return Completeness(
            False,
            f"suspicious listing: {received} entries, the last complete listing had {count.previous}",
            True,
        )
    return Completeness(True)


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    return f"{type(value).__name__} {str(value)[:40]!r}"
