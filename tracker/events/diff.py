"""The pure change decider: ``diff(previous, current) -> events``.

No I/O. Every decision is explainable from the two inputs:

* the first listing of a source (nothing known before: the first crawl, or
  backfill's first snapshot) is a **baseline**: its listings are recorded
  (``added``) but not announced — no :class:`ModelAdded` events;
* in ``current`` but not listed before → :class:`ModelAdded` (``relisted`` when
  it had been delisted);
* a listing that leaves a complete listing while a new id arrives that carries
  it on (the new one's ``canonical_slug`` is the old id, the same
  ``hugging_face_id``, or the same name — each tie unique) → one
  :class:`ModelRenamed`, not a delisting plus an addition;
* listed before, absent now → :class:`ModelDelisted`, **only** when the current
  listing is complete (a failed or partial crawl never delists) and the id is
  not among the entries that were present but rejected;
* same content hash → nothing;
* otherwise one :class:`PriceChanged` per component and tier whose status or
  exact Decimal amount differs (equal Decimals never make an event; an
  optional component at $0 and the same component omitted count as equal), and a
  :class:`ContextLengthChanged` when the context length differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from tracker.events.types import (
    AliasChanged,
    ContextLengthChanged,
    Event,
    ModelAdded,
    ModelDelisted,
    ModelRenamed,
    PriceChanged,
)
from tracker.normalize.numbers import format_decimal
from tracker.normalize.pricing import REQUIRED_COMPONENTS, PriceStatus, PriceValue, percent_change


@dataclass(frozen=True)
class ListingState:
    """What the diff needs to know about one listing."""

    id: str
    model_key: str
    content_hash: str
    name: str | None = None
    variant: str | None = None
    context_length: int | None = None
    prices: Mapping[tuple[str, str], PriceValue] = field(default_factory=dict)
    listed: bool = True
    canonical_slug: str | None = None
    hugging_face_id: str | None = None


@dataclass
class ListingDiff:
    events: list[Event] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    delisted: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: ``(old id, new id)`` pairs; the new id is also in ``added``, the old one in ``delisted``.
    renamed: list[tuple[str, str]] = field(default_factory=list)
    #: True when ``previous`` was empty: the listings are recorded, not announced.
    baseline: bool = False


def diff_listings(
    previous: Mapping[str, ListingState],
    current: Mapping[str, ListingState],
    *,
    source: str,
    detected_at: dt.datetime,
    complete: bool,
    unusable: Collection[str] = (),
) -> ListingDiff:
    """``unusable``: ids present in the listing whose entries were rejected; never delisted."""
    result = ListingDiff(baseline=not previous)
    for listing_id, now in current.items():
        before = previous.get(listing_id)
        if before is None or not before.listed:
            result.added.append(listing_id)
            if result.baseline:
                continue
            result.events.append(
                ModelAdded(
                    subject=listing_id,
                    source=source,
                    detected_at=detected_at,
                    model_key=now.model_key,
                    name=now.name,
                    variant=now.variant,
                    relisted=before is not None,
                    context_length=now.context_length,
                    prices=_base_prices(now.prices),
                )
            )
            continue
        if before.content_hash == now.content_hash:
            result.unchanged += 1
            continue
        result.changed.append(listing_id)
        result.events.extend(
            price_events(
                before.prices,
                now.prices,
                subject=listing_id,
                source=source,
                detected_at=detected_at,
                model_key=now.model_key,
            )
        )
        if before.context_length != now.context_length:
            result.events.append(
                ContextLengthChanged(
                    subject=listing_id,
                    source=source,
                    detected_at=detected_at,
                    model_key=now.model_key,
                    old=before.context_length,
                    new=now.context_length,
                )
            )
    if complete:
        gone = [
            before
            for listing_id, before in previous.items()
            if before.listed and listing_id not in current and listing_id not in unusable
        ]
        arrived = [current[i] for i in result.added if previous.get(i) is None]
        renames = match_renames(gone, arrived)
        renamed_new = {new.id: (old, by) for old, new, by in renames}
        renamed_old = {old.id for old, _new, _by in renames}
        if renames:
            result.events = [e for e in result.events if not (isinstance(e, ModelAdded) and e.subject in renamed_new)]
        for old, new, by in renames:
            result.renamed.append((old.id, new.id))
            result.events.append(
                ModelRenamed(
                    subject=new.id,
                    source=source,
                    detected_at=detected_at,
                    model_key=new.model_key,
                    old_id=old.id,
                    name=new.name,
                    by=by,
                )
            )
        for before in gone:
            result.delisted.append(before.id)
            if before.id in renamed_old:
                continue
            result.events.append(
                ModelDelisted(
                    subject=before.id,
                    source=source,
                    detected_at=detected_at,
                    model_key=before.model_key,
                    name=before.name,
                    variant=before.variant,
                )
            )
    return result


def match_renames(
    gone: Collection[ListingState], arrived: Collection[ListingState]
) -> list[tuple[ListingState, ListingState, str]]:
    """``(old, new, by)`` for listings that left while a new id carrying them on arrived.

    Ties, strongest first: the new listing's ``canonical_slug`` is the old id (or
    the two share one), the same ``hugging_face_id``, the same name and variant.
    A tie counts only when it is unique on both sides.
    """
    out: list[tuple[ListingState, ListingState, str]] = []
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    ties = (
        ("canonical_slug", lambda s: s.canonical_slug or None, lambda s: s.canonical_slug or s.id),
        ("hugging_face_id", lambda s: (s.hugging_face_id or "").lower() or None, None),
        ("name", lambda s: (s.name, s.variant) if s.name else None, None),
    )
    for by, key_new, key_old in ties:
        old_key = key_old or key_new
        olds: dict[object, list[ListingState]] = {}
        for state in gone:
            if state.id not in taken_old and old_key(state) is not None:
                olds.setdefault(old_key(state), []).append(state)
        news: dict[object, list[ListingState]] = {}
        for state in arrived:
            if state.id not in taken_new and key_new(state) is not None:
                news.setdefault(key_new(state), []).append(state)
        for key, candidates in sorted(news.items(), key=lambda kv: kv[1][0].id):
            if len(candidates) == 1 and len(olds.get(key, [])) == 1:
                old, new = olds[key][0], candidates[0]
                if old.id == new.id:
                    continue
                out.append((old, new, by))
                taken_old.add(old.id)
                taken_new.add(new.id)
    return sorted(out, key=lambda t: t[1].id)


def price_events(
    before: Mapping[tuple[str, str], PriceValue],
    now: Mapping[tuple[str, str], PriceValue],
    *,
    subject: str,
    source: str,
    detected_at: dt.datetime,
    model_key: str | None,
) -> list[PriceChanged]:
    """One event per component/tier whose status or exact amount differs."""
    events: list[PriceChanged] = []
    keys = sorted(set(before) | set(now), key=lambda k: (_tier_order(before, now, k), k[1], k[0]))
    for key in keys:
        old, new = before.get(key), now.get(key)
        if old is not None and old.same_price(new):
            continue
        if _free_or_absent(old) and _free_or_absent(new) and key[0] not in REQUIRED_COMPONENTS:
            continue  # an optional component at $0 and an omitted one mean the same
        ref = new or old
        assert ref is not None
        events.append(
            PriceChanged(
                subject=subject,
                source=source,
                detected_at=detected_at,
                model_key=model_key,
                component=ref.component,
                tier=ref.tier,
                min_prompt_tokens=ref.min_prompt_tokens,
                unit="usd_per_mtok" if ref.unit == "mtok" else f"usd_per_{ref.unit}",
                old=old.amount if old else None,
                new=new.amount if new else None,
                old_status=str(old.status) if old else "absent",
                new_status=str(new.status) if new else "absent",
                percent=percent_change(old.amount if old else None, new.amount if new else None),
                old_raw=old.raw if old else None,
                new_raw=new.raw if new else None,
            )
        )
    return events


def _free_or_absent(value: PriceValue | None) -> bool:
    return value is None or value.status == PriceStatus.FREE


def _tier_order(
    before: Mapping[tuple[str, str], PriceValue], now: Mapping[tuple[str, str], PriceValue], key: tuple[str, str]
) -> int:
    ref = now.get(key) or before.get(key)
    return ref.min_prompt_tokens or 0 if ref else 0


def _base_prices(prices: Mapping[tuple[str, str], PriceValue]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for (component, tier), value in sorted(prices.items()):
        if tier:
            continue
        out[component] = format_decimal(value.amount) if value.amount is not None else str(value.status)
    return out


def diff_aliases(
    previous: Mapping[str, str | None],
    current: Mapping[str, str | None],
    *,
    source: str,
    detected_at: dt.datetime,
) -> list[Event]:
    """Alias id → target id maps; an event when a known alias is retargeted.

    A target seen for the first time (the alias was known without one, before
    OpenRouter sent ``alias_target``) sets a value; it is not a change.
    """
    return [
        AliasChanged(subject=alias, source=source, detected_at=detected_at, old=previous[alias], new=target)
        for alias, target in sorted(current.items())
        if alias in previous and previous[alias] is not None and previous[alias] != target
    ]
