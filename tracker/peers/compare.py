"""PURE: a catalog value weighed against the primary (OpenRouter) history current at the catalog's date.

The primary history of one (OpenRouter id, attribute, qualifier) is a list of :class:`Span`: a value and
the time span it was observed to hold (``last_seen_at`` None while current). At the catalog's snapshot
time ``T`` the *possible* primary values are:

* the span holding at ``T`` (``first_seen_at <= T <= last_seen_at``), or
* when ``T`` falls between two observations that differ, **both** (the change happened somewhere in the
  unobserved gap, so either is what the catalog could have copied), or
* before the first observation, the first one (the nearest the primary has); after a span that ended with
  no successor (delisted), that last span.

The verdict of a catalog value ``v``:

* ``agree`` — ``v`` equals a possible primary value;
* ``stale`` — ``v`` equals an **earlier** primary value that no longer held at ``T``: the verdict names that
  value, when it was first seen, and ``stale_since``, the first time the primary was seen with another value;
* ``wrong`` — anything else, with the difference ``v − primary`` and the percent of the primary;
* ``not-comparable`` — the primary value is not a number to compare with (OpenRouter's ``-1`` dynamic
  price of a router);
* ``other-offer`` — the catalog's offer is not the primary's (a vendor's own price vs OpenRouter's): kept as
  a claim, never weighed against OpenRouter;
* ``unlinked`` — the entry names OpenRouter ids the crosswalk does not know (kept and counted);
* ``no-primary`` — the linked model has no primary value for the attribute at all.

Values compare exactly (a catalog is a machine-readable copy, so the ledger's 2 % price tolerance for prose
and routing jitter does not apply): prices are Decimal USD per 1M tokens rounded to 7 significant digits on
both sides (float noise), context lengths are integers. One allowance: a value written with 5 or more
significant digits agrees with the primary value rounded to that many (``0.083333`` for ``0.08333333``);
prices only.
Comparability follows the shared contract (docs/claims.md):
attribute and qualifier (component and tier) must be the same, and the offer must be OpenRouter's.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal

from tracker.normalize.peers.types import OPENROUTER, CatalogEntry, CatalogParse, CatalogValue

#: Attributes a catalog can be checked on against OpenRouter.
COMPARED_ATTRIBUTES = ("price", "context_length")


class Verdict(enum.StrEnum):
    AGREE = "agree"
    STALE = "stale"
    WRONG = "wrong"
    NOT_COMPARABLE = "not-comparable"
    OTHER_OFFER = "other-offer"
    NO_PRIMARY = "no-primary"
    UNLINKED = "unlinked"


@dataclass(frozen=True, slots=True)
class Span:
    """One primary value and when it was observed to hold."""

    value: Decimal | None
    first_seen_at: dt.datetime
    #: The last observation of this value; None while it is current.
    last_seen_at: dt.datetime | None
    #: False for a value that cannot be compared (a dynamic price).
    comparable: bool = True

    def holds_at(self, at: dt.datetime) -> bool:
        return self.first_seen_at <= at and (self.last_seen_at is None or at <= self.last_seen_at)


#: (OpenRouter id, attribute, qualifier) → spans in time order.
History = Mapping[tuple[str, str, str], Sequence[Span]]


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    #: The primary value the catalog is weighed against (the current one; for ``stale``, the current one too).
    primary: Decimal | None = None
    primary_since: dt.datetime | None = None
    #: catalog − primary, and that difference as a percent of the primary (``wrong`` and ``stale``).
    difference: Decimal | None = None
    percent: Decimal | None = None
    #: For ``stale``: the earlier primary value the catalog still has, since when it no longer holds.
    matched: Decimal | None = None
    matched_since: dt.datetime | None = None
    stale_since: dt.datetime | None = None


#: A catalog value written with at least this many significant digits agrees with the primary value rounded
#: to as many digits (``0.083333`` for OpenRouter's ``0.08333333``): a repeating decimal cut short, not an error.
ROUNDED_DIGITS = 5


def same_value(catalog: Decimal, primary: Decimal | None, *, rounded: bool = True) -> bool:
    """Exact equality, or (``rounded``: prices) the primary value rounded to the catalog's own (≥ 5) digits."""
    if primary is None:
        return False
    if catalog == primary:
        return True
    if not rounded:
        return False
    digits = len(catalog.normalize().as_tuple().digits)
    if digits < ROUNDED_DIGITS or primary == 0:
        return False
    return Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(primary) == catalog


def possible_spans(spans: Sequence[Span], at: dt.datetime) -> list[Span]:
    """The primary values that may have been current at ``at`` (see the module rules)."""
    if not spans:
        return []
    holding = [s for s in spans if s.holds_at(at)]
    if holding:
        return holding
    if at < spans[0].first_seen_at:
        return [spans[0]]
    before = [s for s in spans if s.first_seen_at <= at]
    after = [s for s in spans if s.first_seen_at > at]
    return [before[-1], after[0]] if after else [before[-1]]


def weigh(number: Decimal, spans: Sequence[Span], at: dt.datetime, *, rounded: bool = True) -> Outcome:
    """The verdict on one catalog value (``number``) given the primary ``spans`` and the catalog's time ``at``.

    ``rounded`` allows the rounding allowance (prices); counts (context lengths) compare exactly.
    """
    possible = possible_spans(spans, at)
    if not possible:
        return Outcome(Verdict.NO_PRIMARY)
    current = max((s for s in possible if s.first_seen_at <= at), key=lambda s: s.first_seen_at, default=possible[0])
    if not all(s.comparable for s in possible):
        return Outcome(Verdict.NOT_COMPARABLE, primary=current.value, primary_since=current.first_seen_at)
    if any(same_value(number, s.value, rounded=rounded) for s in possible):
        match = next(s for s in possible if same_value(number, s.value, rounded=rounded))
        return Outcome(Verdict.AGREE, primary=match.value, primary_since=match.first_seen_at)
    assert current.value is not None
    difference = number - current.value
    percent = (
        (difference / current.value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN) if current.value else None
    )
    for index in range(len(spans) - 1, -1, -1):
        earlier = spans[index]
        if earlier in possible or earlier.first_seen_at > at or not earlier.comparable:
            continue
        if same_value(number, earlier.value, rounded=rounded):
            return Outcome(
                Verdict.STALE,
                primary=current.value,
                primary_since=current.first_seen_at,
                difference=difference,
                percent=percent,
                matched=earlier.value,
                matched_since=earlier.first_seen_at,
                stale_since=spans[index + 1].first_seen_at,
            )
    return Outcome(
        Verdict.WRONG,
        primary=current.value,
        primary_since=current.first_seen_at,
        difference=difference,
        percent=percent,
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """The verdict on one value of one catalog entry."""

    catalog: str
    source: str
    key: str
    openrouter_id: str | None
    attribute: str
    qualifier: str
    catalog_value: Decimal | None
    at: dt.datetime | None
    outcome: Outcome

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict


def compare_entry(
    entry: CatalogEntry, source: str, at: dt.datetime, history: History, linked: Iterable[str]
) -> list[Comparison]:
    """Every comparable value of ``entry`` weighed against ``history``.

    ``linked`` are the OpenRouter ids of the entry that the crosswalk knows (an entry whose ids are all
    unknown is ``unlinked``: kept and counted, never matched by substring).
    """
    known = [i for i in entry.openrouter_ids if i in set(linked)]
    results = []
    for value in entry.values:
        if value.attribute not in COMPARED_ATTRIBUTES or value.number is None:
            continue

        def result(outcome: Outcome, openrouter_id: str | None, value: CatalogValue = value) -> Comparison:
            return Comparison(
                catalog=entry.catalog,
                source=source,
                key=entry.key,
                openrouter_id=openrouter_id,
                attribute=value.attribute,
                qualifier=value.qualifier,
                catalog_value=value.number,
                at=at,
                outcome=outcome,
            )

        if entry.offer != OPENROUTER:
            results.append(result(Outcome(Verdict.OTHER_OFFER), None))
            continue
        if not known:
            results.append(result(Outcome(Verdict.UNLINKED), None))
            continue
        openrouter_id = known[0]
        spans = history.get((openrouter_id, value.attribute, value.qualifier), ())
        results.append(result(weigh(value.number, spans, at, rounded=value.attribute == "price"), openrouter_id))
    return results


def compare_catalog(parse: CatalogParse, history: History, linked: Iterable[str]) -> list[Comparison]:
    """Every entry of one catalog file (its snapshot time is the comparison time)."""
    if parse.snapshot_at is None:
        raise ValueError(f"{parse.source}: no snapshot time, nothing to compare at")
    known = set(linked)
    comparisons: list[Comparison] = []
    for entry in parse.entries:
        comparisons.extend(compare_entry(entry, parse.source, parse.snapshot_at, history, known))
    return comparisons


@dataclass(frozen=True, slots=True)
class Tally:
    """Per catalog and attribute: what ``tracker catalogs`` and the catalog page show."""

    catalog: str
    attribute: str
    compared: int
    agree: int
    stale: int
    wrong: int
    unlinked: int
    not_comparable: int
    no_primary: int
    other_offer: int


def tally(comparisons: Iterable[Comparison], *, qualifiers: Mapping[str, str] | None = None) -> list[Tally]:
    """Counts per (catalog, attribute label). Prices are split by component: ``price:prompt``…

    ``compared`` = agree + stale + wrong (values that had a primary value to weigh against).
    """
    counts: dict[tuple[str, str], dict[Verdict, int]] = {}
    for c in comparisons:
        label = f"{c.attribute}:{c.qualifier}" if c.qualifier else c.attribute
        if qualifiers is not None and label not in qualifiers:
            continue
        bucket = counts.setdefault((c.catalog, label), dict.fromkeys(Verdict, 0))
        bucket[c.verdict] += 1
    rows = []
    for (catalog, label), bucket in sorted(counts.items()):
        rows.append(
            Tally(
                catalog=catalog,
                attribute=label,
                compared=bucket[Verdict.AGREE] + bucket[Verdict.STALE] + bucket[Verdict.WRONG],
                agree=bucket[Verdict.AGREE],
                stale=bucket[Verdict.STALE],
                wrong=bucket[Verdict.WRONG],
                unlinked=bucket[Verdict.UNLINKED],
                not_comparable=bucket[Verdict.NOT_COMPARABLE],
                no_primary=bucket[Verdict.NO_PRIMARY],
                other_offer=bucket[Verdict.OTHER_OFFER],
            )
        )
    return rows
