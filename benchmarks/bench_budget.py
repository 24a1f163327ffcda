"""Benchmark: what the shared Hub budget costs per request (issue 17 item 3).

Each Hub request of a crawl with ``huggingface.budget_requests`` set first spends
from the budget in the database (one short transaction under the budget's row
lock). This measures N spends by each of P concurrent spenders (threads with a
connection pool each, as separate crawl processes would have) with a budget
large enough never to wait, beside the floor measured in the same run: the same
number of bare round trips (``SELECT 1`` + commit) and of one-row writes (an UPDATE of
the budget's row + commit: the lock every spend takes) by the same spenders. The budget
is the Hub's anonymous allowance in size (500 per 300 s) and the run spends 450
of it, so every spend reads a window as full as a real one gets.

    TRACKER_DATABASE_URL=postgresql://… .venv/bin/python benchmarks/bench_budget.py [--spends 150] [--spenders 3]

Without TRACKER_DATABASE_URL it runs on a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, text

from tracker.store.db import make_engine, make_sessionmaker, upgrade
from tracker.store.tables.workers import RequestBudget, RequestSpend
from tracker.workers.budget import spend

#: The Hub's anonymous allowance: about 500 requests per 5 minutes.
CAPACITY = 500


def timed(spenders: int, each: int, work: Callable[[object], None], url: str) -> float:
    engines = [make_engine(url) for _ in range(spenders)]
    factories = [make_sessionmaker(e) for e in engines]

    def run(factory: object) -> None:
        for _ in range(each):
            work(factory)

    threads = [threading.Thread(target=run, args=(f,)) for f in factories]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    for engine in engines:
        engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spends", type=int, default=150, help="per spender")
    parser.add_argument("--spenders", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("TRACKER_DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        session.execute(delete(RequestSpend).where(RequestSpend.budget_key == "hf:bench"))
        session.execute(delete(RequestBudget).where(RequestBudget.key == "hf:bench"))
        session.commit()
    engine.dispose()
    total = args.spends * args.spenders
    if total >= CAPACITY:
        parser.error(f"spends × spenders must stay under the budget ({CAPACITY}) so that nothing waits")

    def one_spend(factory: object) -> None:
        with factory() as session:  # type: ignore[operator]
            assert spend(session, "hf:bench", capacity=CAPACITY, window=dt.timedelta(seconds=300)) == 0.0

    def round_trip(factory: object) -> None:
        with factory() as session:  # type: ignore[operator]
            session.execute(text("SELECT 1"))
            session.commit()

    def write_trip(factory: object) -> None:
        with factory() as session:  # type: ignore[operator]
            session.execute(text("UPDATE request_budgets SET updated_at = updated_at WHERE key = 'hf:bench'"))
            session.commit()

    floor = timed(args.spenders, args.spends, round_trip, url)
    write_floor = timed(args.spenders, args.spends, write_trip, url)
    budget = timed(args.spenders, args.spends, one_spend, url)
    dialect = url.split(":", 1)[0]
    print(f"{dialect}: {args.spenders} spenders × {args.spends} requests")
    print(f"  shared budget spend: {budget / total * 1000:.2f} ms per request ({total / budget:,.0f} spends/s)")
    print(f"  floor (SELECT 1 + commit): {floor / total * 1000:.2f} ms per request ({total / floor:,.0f}/s)")
    print(
        f"  floor (one-row UPDATE + commit): {write_floor / total * 1000:.2f} ms per request "
        f"({total / write_floor:,.0f}/s)"
    )
    print(f"  budget / read floor: {budget / floor:.1f}×, budget / write floor: {budget / write_floor:.1f}×")


if __name__ == "__main__":
    main()
