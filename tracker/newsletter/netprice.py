"""Net price changes over a week — pure, no I/O.

OpenRouter routes to the cheapest provider, so a listed price jitters by a few
percent from day to day and often flips back. The price history keeps every
observation; the digest reports only what changed *over the week*: per offer
(``subject``) × component × tier, the price in force when the week began
against the price in force when it ended.

Rules, for the :class:`PriceStep` list of one offer/component/tier in time order:

* start = the first step's old value (what held before the week's first
  change); end = the last step's new value;
* start equal to end (same status and exact amount) → a flip-flop, left out;
* both ends priced and the relative move strictly under ``threshold_percent``
  → noise, left out (a move of exactly the threshold is reported);
* any change of status (priced ↔ free / dynamic / unknown, a component or
  tier appearing or disappearing) is always reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tracker.normalize.pricing import percent_change

PRICED = "priced"
ABSENT = "absent"


@dataclass(frozen=True)
class PriceStep:
    """One observed change of one component and tier of one offer (a ``price_changed`` event)."""

    subject: str
    component: str
    tier: str
    at: dt.datetime
    old_status: str
    old: Decimal | None
    new_status: str
    new: Decimal | None
    #: ``usd_per_mtok``, ``usd_per_request``, ...
    unit: str = "usd_per_mtok"
    min_prompt_tokens: int | None = None
    #: The model the offer belongs to (for links), when known.
    model_key: str | None = None


@dataclass(frozen=True)
class NetChange:
    """The change of one offer/component/tier between the week's start and end."""

    subject: str
    component: str
    tier: str
    min_prompt_tokens: int | None
    unit: str
    old_status: str
    old: Decimal | None
    new_status: str
    new: Decimal | None
    #: Percent change, two decimals; None when a side is not a positive price.
    percent: Decimal | None
    #: How many observed changes the net change sums up.
    steps: int
    model_key: str | None = None

    @property
    def direction(self) -> str:
        """``cut``, ``increase``, ``now-free``, ``no-longer-free``, ``added``, ``removed`` or ``status``."""
        if self.old_status == PRICED and self.new_status == PRICED and self.old is not None and self.new is not None:
            return "cut" if self.new < self.old else "increase"
        if self.old_status == ABSENT:
            return "added"
        if self.new_status == ABSENT:
            return "removed"
        if self.new_status == "free":
            return "now-free"
        if self.old_status == "free" and self.new_status == PRICED:
            return "no-longer-free"
        return "status"


def _same(status_a: str, amount_a: Decimal | None, status_b: str, amount_b: Decimal | None) -> bool:
    return status_a == status_b and amount_a == amount_b


def is_noise(old: Decimal, new: Decimal, threshold_percent: Decimal) -> bool:
    """True when a priced → priced move is strictly under the threshold (exact arithmetic)."""
    if old == 0:
        return new == 0
    return abs(new - old) * 100 < threshold_percent * abs(old)


def net_change(steps: list[PriceStep], threshold_percent: Decimal) -> NetChange | None:
    """The net change of one offer/component/tier (``steps`` in time order), or None when left out."""
    if not steps:
        return None
    first, last = steps[0], steps[-1]
    if _same(first.old_status, first.old, last.new_status, last.new):
        return None
    both_priced = first.old_status == PRICED and last.new_status == PRICED
    if both_priced and first.old is not None and last.new is not None:
        if is_noise(first.old, last.new, threshold_percent):
            return None
        percent = percent_change(first.old, last.new)
    else:
        percent = None
    return NetChange(
        subject=first.subject,
        component=first.component,
        tier=first.tier,
        min_prompt_tokens=last.min_prompt_tokens if last.min_prompt_tokens is not None else first.min_prompt_tokens,
        unit=last.unit,
        old_status=first.old_status,
        old=first.old,
        new_status=last.new_status,
        new=last.new,
        percent=percent,
        steps=len(steps),
        model_key=last.model_key or first.model_key,
    )


def net_changes(steps: Iterable[PriceStep], threshold_percent: Decimal) -> list[NetChange]:
    """Net changes of every offer/component/tier in ``steps``.

    ``steps`` may come in any order: each group is ordered by time, ties kept in
    input order (pass them oldest first, e.g. by event id, to order same-instant
    steps). The result is sorted by subject, tier threshold, tier and component.
    """
    groups: dict[tuple[str, str, str], list[PriceStep]] = defaultdict(list)
    for step in steps:
        groups[(step.subject, step.tier, step.component)].append(step)
    out = []
    for key in sorted(groups, key=lambda k: (k[0], groups[k][0].min_prompt_tokens or 0, k[1], k[2])):
        ordered = sorted(groups[key], key=lambda s: s.at)
        change = net_change(ordered, threshold_percent)
        if change is not None:
            out.append(change)
    return out
