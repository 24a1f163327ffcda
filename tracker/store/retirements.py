"""Announce retirements after an OpenRouter store and list who retires (the caller owns the session)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.events.types import Event
from tracker.normalize.retirements import (
    Listed,
    Retiring,
    retirement_date,
    retirement_events,
    retiring_after,
)
from tracker.store.events import insert_events
from tracker.store.tables import Event as EventRow
from tracker.store.tables import Model, OpenRouterListing


def announced_retirements(session: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for subject, data in session.execute(
        select(EventRow.subject, EventRow.data)
        .where(EventRow.kind == "retirement_announced")
        .order_by(EventRow.detected_at, EventRow.id)
    ):
        out[subject] = (data or {}).get("retires_on")
    return out


def announce_retirements(
    session: Session, observed_at: dt.datetime, *, run_id: int | None
) -> tuple[dict[str, int], list[Event]]:
    """``retirement_announced`` for every listed OpenRouter model whose ``expiration_date`` is new or moved.

    Idempotent: a date already announced is not announced again. Returns (counts, events) like the
    other after-store steps.
    """
    rows = session.execute(
        select(OpenRouterListing.id, OpenRouterListing.expiration_date, Model.key)
        .outerjoin(Model, Model.id == OpenRouterListing.model_id)
        .where(OpenRouterListing.status == "listed", OpenRouterListing.expiration_date.is_not(None))
    ).all()
    if not rows:
        return {"writes": 0}, []
    listed = [Listed(subject, key, expiration) for subject, expiration, key in rows]
    events: list[Event] = list(retirement_events(listed, announced_retirements(session), at=observed_at))
    return {"writes": insert_events(session, events, run_id=run_id)}, events


def retiring(session: Session, today: dt.date, *, within_days: int | None = None) -> list[Retiring]:
    """Listed models with a retirement date on ``today`` or later, soonest first."""
    items = []
    for subject, expiration, key, name, vendor in session.execute(
        select(OpenRouterListing.id, OpenRouterListing.expiration_date, Model.key, Model.name, Model.vendor)
        .join(Model, Model.id == OpenRouterListing.model_id)
        .where(OpenRouterListing.status == "listed", OpenRouterListing.expiration_date.is_not(None))
    ):
        date = retirement_date(expiration)
        if date is not None:
            items.append(Retiring(key, name, vendor, subject, date, "openrouter"))
    vendor_dates = vendor_retirements(session)
    if vendor_dates:
        for model_id, key, name, vendor in session.execute(
            select(Model.id, Model.key, Model.name, Model.vendor).where(Model.id.in_(sorted(vendor_dates)))
        ):
            items.append(Retiring(key, name, vendor, key, vendor_dates[model_id], "vendor"))
    return retiring_after(items, today, within_days=within_days)


def retiring_dicts(session: Session, today: dt.date, *, within_days: int | None = None) -> list[dict[str, Any]]:
    return [
        {
            "key": r.key,
            "name": r.name,
            "vendor": r.vendor,
            "openrouter_id": r.subject,
            "retires_on": r.retires_on.isoformat(),
            "days_left": r.days_left(today),
            "source": r.source,
        }
        for r in retiring(session, today, within_days=within_days)
    ]


def vendor_retirements(session: Session) -> dict[int, dt.date]:
    """The last retirement date a vendor post announced, by model id."""
    out: dict[int, dt.date] = {}
    for model_id, data in session.execute(
        select(EventRow.model_id, EventRow.data)
        .where(EventRow.kind == "retirement_announced", EventRow.source != "openrouter", EventRow.model_id.is_not(None))
        .order_by(EventRow.detected_at, EventRow.id)
    ):
        date = retirement_date((data or {}).get("retires_on"))
        if date is not None:
            out[model_id] = date
    return out
