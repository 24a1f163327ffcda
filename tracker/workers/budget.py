"""The Hub's request budget, shared by every crawl process through the database.

The Hub allows a number of requests per window for each token (anonymous: about
500 per 5 minutes). Every crawl process that talks to the Hub — any number of
workers on any number of machines — spends from one budget per token before each
request; N processes together never exceed it in any window.

The rule is a sliding log: a request may go when fewer than ``capacity``
requests were spent in the last ``window`` (plus :data:`SLACK` for the time a
request takes from the spend to the server); otherwise it waits until the
oldest of them leaves the window. A spend is one short transaction that first
takes the budget's row lock (an upsert of its ``request_budgets`` row: a row lock
on Postgres, the write lock on SQLite) and reads the clock under it — *the
database's* clock on Postgres, so machines with skewed clocks still agree — then
the newest spends of the window, and writes its own. :func:`wait_seconds` is the pure decision; :func:`spend` the step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
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
    start = now - window
    inside = sorted((t for t in spent if t > start), reverse=True)
    return wait_after(
        len(inside),
        inside[capacity - 1] if 0 < capacity <= len(inside) else None,
        now,
        capacity=capacity,
        window=window,
    )


def wait_after(
    count: int, kth_newest: dt.datetime | None, now: dt.datetime, *, capacity: int, window: dt.timedelta
) -> float:
    """:func:`wait_seconds` from what the database counts: ``count`` spends in the window (at most ``capacity``
    are counted) and the ``capacity``-th newest of them (None when fewer)."""
    if capacity <= 0 or count < capacity or kth_newest is None:
        return 0.0
    return max((kth_newest + window - now).total_seconds(), 0.001)


def spend(session: Session, key: str, *, capacity: int, window: dt.timedelta) -> float:
    """Spend one request from budget ``key`` if it may go now (returns 0.0), else the seconds to wait.

    Runs in the caller's transaction and commits it (the row lock must be held for as short as possible).
    """
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    clock = func.clock_timestamp() if dialect == "postgresql" else dt.datetime.now(dt.UTC)
    # one statement creates the row if needed, takes its lock and (Postgres: the SET runs under the row lock)
    # reads the clock
    now = session.scalar(
        ins(RequestBudget)
        .values(key=key, updated_at=clock)
        .on_conflict_do_update(index_elements=[RequestBudget.key], set_={"updated_at": clock})
        .returning(RequestBudget.updated_at)
    )
    assert now is not None
    if dialect != "postgresql":
        now = dt.datetime.now(dt.UTC)  # SQLite: the time once the write lock is held, not before waiting for it
    span = window + SLACK
    # the decision needs the newest ``capacity`` spends of the window at most: their number and the oldest
    newest = (
        select(RequestSpend.spent_at)
        .where(RequestSpend.budget_key == key, RequestSpend.spent_at > now - span)
        .order_by(RequestSpend.spent_at.desc())
        .limit(max(capacity, 1))
        .subquery()
    )
    count, oldest = session.execute(select(func.count(), func.min(newest.c.spent_at))).one()
    wait = wait_after(count, oldest, now, capacity=capacity, window=span)
    if wait == 0.0:
        session.execute(insert(RequestSpend).values(budget_key=key, spent_at=now))
        if count >= capacity // 2:  # prune now and then, not at every spend
            session.execute(
                delete(RequestSpend).where(RequestSpend.budget_key == key, RequestSpend.spent_at <= now - span)
            )
    session.commit()
    return wait
