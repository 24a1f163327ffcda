"""The pure change decider: ``diff(previous, current) -> events``.

No I/O. Every decision is explainable from the two inputs:

* in ``current`` but not listed before → :class:`ModelAdded` (``relisted`` when
  it had been delisted);
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


@dataclass
class ListingDiff:
    events: list[Event] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    delisted: list[str] = field(default_factory=list)
    unchanged: int = 0


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
    result = ListingDiff()
    for listing_id, now in current.items():
        before = previous.get(listing_id)
        if before is None or not before.listed:
            result.added.append(listing_id)
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
        for listing_id, before in previous.items():
            if before.listed and listing_id not in current and listing_id not in unusable:
                result.delisted.append(listing_id)
                result.events.append(
                    ModelDelisted(
                        subject=listing_id,
                        source=source,
                        detected_at=detected_at,
                        model_key=before.model_key,
                        name=before.name,
                        variant=before.variant,
                    )
                )
    return result


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
    """Alias id → target id maps; an event when a known alias is retargeted."""
    return [
        AliasChanged(subject=alias, source=source, detected_at=detected_at, old=previous[alias], new=target)
        for alias, target in sorted(current.items())
        if alias in previous and previous[alias] != target
    ]
