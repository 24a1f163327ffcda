"""The Hub's request budget, shared by every crawl process through the database.

The Hub allows a number of requests per window for each token (anonymous: about
500 per 5 minutes). Every crawl process that talks to the Hub — any number of
workers on any number of machines — spends from one budget per token before each
request; N processes together never exceed it in any window.

The rule is a sliding log: a request may go when fewer than ``capacity``
requests were spent in the last ``window`` (plus :data:`SLACK` for the time a
request takes from the spend to the server); otherwise it waits until the
oldest of them leaves the window. A spend is one short transaction that first
takes the budget's row lock (``UPDATE request_budgets``: a row lock on Postgres,
the write lock on SQLite), then reads the clock *of the database* (on Postgres:
machines with skewed clocks still agree), the spends in the window, and writes
its own. :func:`wait_seconds` is the pure decision; :func:`spend` the step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tracker.store.tables.workers import RequestBudget, RequestSpend

#: Added to the window: a spend reaches the server a moment later, so that the server never counts more than allowed.
SLACK = dt.timedelta(seconds=0.5)


def budget_key(token: str | None) -> str:
    """The budget a token spends from: a hash, never the token (``hf:anonymous`` without one)."""
    if not token:
        return "hf:anonymous"
    return "hf:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def wait_seconds(spent: Sequence[dt.datetime], now: dt.datetime, *, capacity: int, window: dt.timedelta) -> float:
    """Seconds until one more request may go (0: now), given the times already ``spent``.

    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> wait_seconds([t, t + dt.timedelta(seconds=1)], t + dt.timedelta(seconds=2), capacity=2,
    ...              window=dt.timedelta(seconds=10))
    8.0
    """
    if capacity <= 0:
        return 0.0
    start = now - window
    inside = sorted(t for t in spent if t > start)
    if len(inside) < capacity:
        return 0.0
    frees_at = inside[len(inside) - capacity] + window
    return max((frees_at - now).total_seconds(), 0.001)


def spend(session: Session, key: str, *, capacity: int, window: dt.timedelta) -> float:
    """Spend one request from budget ``key`` if it may go now (returns 0.0), else the seconds to wait.

    Runs in the caller's transaction and commits it (the row lock must be held for as short as possible).
    """
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(ins(RequestBudget).values(key=key, updated_at=None).on_conflict_do_nothing())
    clock = func.clock_timestamp() if dialect == "postgresql" else dt.datetime.now(dt.UTC)
    session.execute(update(RequestBudget).where(RequestBudget.key == key).values(updated_at=clock))
    now = session.scalar(select(RequestBudget.updated_at).where(RequestBudget.key == key))
    assert now is not None
    span = window + SLACK
    spent = list(
        session.scalars(
            select(RequestSpend.spent_at).where(RequestSpend.budget_key == key, RequestSpend.spent_at > now - span)
        )
    )
    wait = wait_seconds(spent, now, capacity=capacity, window=span)
    if wait == 0.0:
        session.execute(insert(RequestSpend).values(budget_key=key, spent_at=now))
        session.execute(delete(RequestSpend).where(RequestSpend.budget_key == key, RequestSpend.spent_at <= now - span))
    session.commit()
    return wait
