"""Retirements (pure): OpenRouter's ``expiration_date`` → a typed "retirement announced" event; who retires soon.

* :func:`retirement_date` reads an announced date (``2026-06-01``, or a full ISO time);
* :func:`retirement_events` compares the dates listed now with the last ones announced: a new
  date (or a moved one) is announced once; an unchanged date, or one that disappears, is not;
* :func:`retiring_after` keeps the retirements still to come on a day, soonest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tracker.events.types import RetirementAnnounced

#: A date this far beyond the observation is a placeholder (OpenRouter lists ``2098-12-31``), not a retirement.
PLACEHOLDER_AFTER = dt.timedelta(days=5 * 366)


def retirement_date(text: str | None) -> dt.date | None:
    """The date in an ``expiration_date`` value (``None`` when there is none or it cannot be read)."""
    if not text or not isinstance(text, str):
        return None
    value = text.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Listed:
    """A listing's announced retirement as the source lists it now."""

    subject: str
    model_key: str | None
    expiration_date: str | None
    url: str | None = None


def retirement_events(
    listed: Iterable[Listed], announced: Mapping[str, str], *, at: dt.datetime, source: str = "openrouter"
) -> list[RetirementAnnounced]:
    """Events for retirement dates not announced yet (``announced``: subject → the last date announced)."""
    events = []
    for item in sorted(listed, key=lambda i: i.subject):
        date = retirement_date(item.expiration_date)
        if date is None or date > at.date() + PLACEHOLDER_AFTER:
            continue
        iso = date.isoformat()
        previous = announced.get(item.subject)
        if previous == iso:
            continue
        events.append(
            RetirementAnnounced(
                subject=item.subject,
                source=source,
                detected_at=at,
                model_key=item.model_key,
                retires_on=iso,
                previous=previous,
                url=item.url,
            )
        )
    return events


@dataclass(frozen=True)
class Retiring:
    key: str
    name: str | None
    vendor: str | None
    subject: str
    retires_on: dt.date
    source: str

    def days_left(self, today: dt.date) -> int:
        return (self.retires_on - today).days


def retiring_after(items: Iterable[Retiring], today: dt.date, *, within_days: int | None = None) -> list[Retiring]:
    """Retirements on ``today`` or later (within ``within_days`` if given), soonest first, one per model."""
    kept: dict[str, Retiring] = {}
    for item in items:
        if item.retires_on < today or (within_days is not None and item.days_left(today) > within_days):
            continue
        if item.retires_on > today + PLACEHOLDER_AFTER:
            continue
        old = kept.get(item.key)
        if old is None or item.retires_on < old.retires_on:
            kept[item.key] = item
    return sorted(kept.values(), key=lambda r: (r.retires_on, r.key))
