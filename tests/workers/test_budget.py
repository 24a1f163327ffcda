"""The shared Hub budget in the database: concurrent spenders together never exceed it (SQLite and Postgres)."""

import datetime as dt
import threading
import time

from sqlalchemy import func, select

from tracker.store.db import make_engine, make_sessionmaker
from tracker.store.tables.workers import RequestSpend
from tracker.workers.budget import SLACK, spend

CAPACITY = 4
WINDOW = dt.timedelta(seconds=0.2)
SPENDERS = 3
EACH = 4


def _spend_all(factory, key, times, waits):
    for _ in range(EACH):
        while True:
            with factory() as session:
                wait = spend(session, key, capacity=CAPACITY, window=WINDOW)
            if wait == 0.0:
                times.append(time.monotonic())
                break
            waits.append(wait)
            time.sleep(wait)


def most_in_any_window(times, seconds):
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


def test_concurrent_spenders_share_one_budget_and_wait_for_room(db_url):
    engines = [make_engine(db_url) for _ in range(SPENDERS)]  # one connection pool each, like separate processes
    times: list[float] = []
    waits: list[float] = []
    try:
        threads = [
            threading.Thread(target=_spend_all, args=(make_sessionmaker(e), "hf:test", times, waits)) for e in engines
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        with make_sessionmaker(engines[0])() as session:
            kept = session.scalar(select(func.count()).select_from(RequestSpend))
            other = spend(session, "hf:another-token", capacity=CAPACITY, window=WINDOW)
    finally:
        for engine in engines:
            engine.dispose()
    assert len(times) == SPENDERS * EACH
    # every request went, none beyond the budget in any window (the slack covers the way to the server)
    assert most_in_any_window(times, WINDOW.total_seconds()) <= CAPACITY
    # and the budget held them back: 12 requests at 4 per window span more than two windows
    assert waits
    assert max(times) - min(times) >= 2 * (WINDOW + SLACK).total_seconds() * 0.9
    assert kept <= CAPACITY  # spends older than the window are deleted
    assert other == 0.0  # another token has its own budget
