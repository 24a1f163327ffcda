"""Subscribers and their consent: ``pending`` → ``confirmed`` → ``unsubscribed``.

* ``add`` creates a *pending* subscriber (double opt-in: the address must be
  confirmed before it gets mail) or, with ``confirmed=True``, one confirmed
  elsewhere. Adding an unsubscribed address subscribes it again.
* ``confirm`` and ``unsubscribe`` change the state; unsubscribing keeps the row
  so that the opt-out is remembered.
* Addresses are validated with ``email-validator`` (syntax only, no DNS) and
  stored lower-cased in ASCII form (an IDN domain as punycode), so one person
  is one row and no address can smuggle a header into a message. Every address
  of a batch is validated before anything is written.

The caller owns the session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.deliver.errors import AddressError
from tracker.store.tables.newsletter import Subscriber

STATES = ("pending", "confirmed", "unsubscribed")


def normalize_address(text: str) -> str:
    """The canonical form of an address, or :class:`AddressError` saying what is wrong."""
    raw = text if isinstance(text, str) else str(text)
    if any(c in raw for c in "\r\n\0"):
        raise AddressError(f"invalid e-mail address {raw!r}: line breaks are not allowed")
    try:
        valid = validate_email(raw.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AddressError(f"invalid e-mail address {raw!r}: {exc}") from exc
    address = (valid.ascii_email or valid.normalized).lower()
    if len(address) > 320:
        raise AddressError(f"invalid e-mail address {raw!r}: longer than 320 characters")
    return address


def normalize_all(addresses: Iterable[str]) -> list[str]:
    """Every address normalized (duplicates dropped, order kept); all errors reported at once."""
    out: list[str] = []
    errors: list[str] = []
    for text in addresses:
        try:
            address = normalize_address(text)
        except AddressError as exc:
            errors.append(str(exc))
            continue
        if address not in out:
            out.append(address)
    if errors:
        raise AddressError("; ".join(errors))
    return out


@dataclass
class Change:
    """What a command did to one address; ``before`` is None for a new subscriber, ``after`` None when unknown."""

    email: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "before": self.before, "after": self.after, "changed": self.changed}


def _existing(session: Session, addresses: list[str]) -> dict[str, Subscriber]:
    out: dict[str, Subscriber] = {}
    for start in range(0, len(addresses), 500):
        part = addresses[start : start + 500]
        out.update({s.email: s for s in session.scalars(select(Subscriber).where(Subscriber.email.in_(part)))})
    return out


def add(
    session: Session,
    addresses: Iterable[str],
    *,
    confirmed: bool = False,
    origin: str = "cli",
    now: dt.datetime | None = None,
) -> list[Change]:
    """Subscribe ``addresses`` (pending, or confirmed with ``confirmed=True``)."""
    now = now or dt.datetime.now(dt.UTC)
    wanted = normalize_all(addresses)
    existing = _existing(session, wanted)
    changes = []
    for address in wanted:
        sub = existing.get(address)
        target = "confirmed" if confirmed else "pending"
        if sub is None:
            sub = Subscriber(
                email=address,
                status=target,
                origin=origin[:64],
                created_at=now,
                confirmed_at=now if confirmed else None,
                updated_at=now,
            )
            session.add(sub)
            changes.append(Change(address, None, target))
            continue
        before = sub.status
        if before == "confirmed" or (before == "pending" and not confirmed):
            changes.append(Change(address, before, before))
            continue
        sub.status = target
        sub.unsubscribed_at = None
        sub.confirmed_at = now if confirmed else None
        sub.updated_at = now
        changes.append(Change(address, before, target))
    session.flush()
    return changes


def _set_state(session: Session, addresses: Iterable[str], state: str, now: dt.datetime | None) -> list[Change]:
    now = now or dt.datetime.now(dt.UTC)
    wanted = normalize_all(addresses)
    existing = _existing(session, wanted)
    changes = []
    for address in wanted:
        sub = existing.get(address)
        if sub is None:
            changes.append(Change(address, None, None))
            continue
        before = sub.status
        if before != state:
            sub.status = state
            sub.updated_at = now
            if state == "confirmed":
                sub.confirmed_at, sub.unsubscribed_at = now, None
            elif state == "unsubscribed":
                sub.unsubscribed_at = now
        changes.append(Change(address, before, state))
    session.flush()
    return changes


def confirm(session: Session, addresses: Iterable[str], *, now: dt.datetime | None = None) -> list[Change]:
    return _set_state(session, addresses, "confirmed", now)


def unsubscribe(session: Session, addresses: Iterable[str], *, now: dt.datetime | None = None) -> list[Change]:
    return _set_state(session, addresses, "unsubscribed", now)


def list_subscribers(session: Session, *, status: str | None = None) -> list[dict[str, Any]]:
    query = select(Subscriber).order_by(Subscriber.email)
    if status:
        query = query.where(Subscriber.status == status)
    return [
        {
            "email": s.email,
            "status": s.status,
            "origin": s.origin,
            "created_at": s.created_at.isoformat(),
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            "unsubscribed_at": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
        }
        for s in session.scalars(query)
    ]


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Subscriber.status, func.count(Subscriber.id)).group_by(Subscriber.status))
    out = dict.fromkeys(STATES, 0)
    out.update({status: int(n) for status, n in rows})
    return out
