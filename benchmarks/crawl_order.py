"""The final state after crawling the corpus sources in every order: counts per order, and whether they agree.

    .venv/bin/python benchmarks/crawl_order.py [--orders N] [--again] [--keep DIR] [--corpus DIR]

For each order of the three source kinds (OpenRouter snapshot, every recorded
Hub organisation, a few vendor feeds and the press; ``tests/helpers/crawl_order.py``)
a fresh SQLite database is crawled through the real crawl path on one loopback
server; the script prints the counts of each order's canonical dump (models,
claims per source and status, disputes per status) and the rows that differ
from the first order. ``--again`` crawls every source once more afterwards
(a clean re-crawl must not change the picture either). The figure: the number
of orders whose dump differs from the first order's (0 when the state is order
independent).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
CORPUS = (ROOT.parent / "shared" / "corpus").resolve()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=6, help="how many of the six orders to run")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the shared corpus (default: beside the checkout)")
    parser.add_argument("--keep", type=Path, help="keep each order's database in this folder")
    parser.add_argument("--again", action="store_true", help="crawl every source once more after each order")
    args = parser.parse_args()

    from helpers.crawl_order import KINDS, ORDERS, OrderServer, canonical, crawl_in_order, differences
    from helpers.server import FakeServer, Reply

    from tracker.store.db import make_engine, upgrade

    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    dumps = []
    try:
        world = OrderServer.install(server, args.corpus)
        with tempfile.TemporaryDirectory() as scratch:
            tmp = args.keep or Path(scratch)
            tmp.mkdir(parents=True, exist_ok=True)
            for number, order in enumerate(ORDERS[: args.orders]):
                (tmp / f"order{number}.db").unlink(missing_ok=True)
                url = f"sqlite:///{tmp / f'order{number}.db'}"
                engine = make_engine(url)
                upgrade(engine)
                started = time.perf_counter()
                crawl_in_order(world.settings(url), order)
                if args.again:
                    crawl_in_order(world.settings(url), KINDS)
                seconds = time.perf_counter() - started
                dump = canonical(engine, server.url)
                engine.dispose()
                dumps.append((order, dump))
                figures = "  ".join(f"{k}={v}" for k, v in dump.figures().items())
                print(f"{' → '.join(order):<40} {seconds:5.1f} s  {figures}", flush=True)
    finally:
        server.stop()
    first_order, first = dumps[0]
    differing = 0
    for order, dump in dumps[1:]:
        diff = differences(first, dump, limit=8)
        if diff:
            differing += 1
            print(f"\n{' → '.join(order)} differs from {' → '.join(first_order)}:")
            for line in diff:
                print(f"  {line[:220]}")
    print(f"\norders whose final state differs from the first order's: {differing} of {len(dumps) - 1}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
