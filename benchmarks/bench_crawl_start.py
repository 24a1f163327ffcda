"""Benchmark: what a crawl child costs to start (issue 11 item 8).

Crawls a 2-model OpenRouter listing (the first two models of a corpus snapshot,
served on loopback) N times through the real Scrapy stack, with children forked
by the preloaded fork server and with children spawned afresh (the old way,
``TRACKER_CRAWL_SPAWN=1``); then the floor: a child that does nothing, started
each way, in the same run.

    .venv/bin/python benchmarks/bench_crawl_start.py [--crawls 5]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from helpers.server import FakeServer, Reply  # noqa: E402
from helpers.settings import loopback_settings  # noqa: E402

from tracker.sources import runner  # noqa: E402
from tracker.store.db import make_engine, upgrade  # noqa: E402

SNAPSHOT = REPO.parent / "shared" / "corpus" / "openrouter" / "models-2026-08-22.json"


def _noop() -> None:
    pass


def use(method: str) -> None:
    """Start crawl children with ``method`` (``forkserver`` or ``spawn``) from now on."""
    if method == "spawn":
        os.environ["TRACKER_CRAWL_SPAWN"] = "1"
    else:
        os.environ.pop("TRACKER_CRAWL_SPAWN", None)
    runner._context = None  # the runner picks its start method once per process


def time_crawls(settings, crawls: int) -> list[float]:
    times = []
    for _ in range(crawls):
        started = time.perf_counter()
        summary = runner.run_crawl(settings, "openrouter", trigger="bench")
        times.append(time.perf_counter() - started)
        assert summary.status == "success", summary.render()
    return times


def time_noop(method: str, count: int) -> list[float]:
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["tracker.sources.crawl_preload"])
    times = []
    for _ in range(count):
        started = time.perf_counter()
        process = ctx.Process(target=_noop)
        process.start()
        process.join()
        times.append(time.perf_counter() - started)
    return times


def line(label: str, times: list[float]) -> str:
    return f"{label:<46} median {statistics.median(times):6.2f} s   min {min(times):6.2f} s   (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawls", type=int, default=5)
    args = parser.parse_args()
    payload = json.loads(SNAPSHOT.read_bytes())
    payload["data"] = payload["data"][:2]
    if "total_count" in payload:
        payload["total_count"] = 2
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    server.route("/api/v1/models", Reply(200, json.dumps(payload).encode(), {"Content-Type": "application/json"}))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        settings = loopback_settings(url, server)
        results = {}
        for method in ("forkserver", "spawn"):
            use(method)
            runner.prepare_crawl_processes()
            first = time_crawls(settings, 1)  # the fork server's own start-up (imports) is paid here once
            results[method] = (first, time_crawls(settings, args.crawls))
        floors = {method: time_noop(method, args.crawls) for method in ("forkserver", "spawn")}
    server.stop()
    print(f"2-model OpenRouter crawl through Scrapy, {args.crawls} crawls each (after one warm-up crawl):")
    for method, (first, times) in results.items():
        print(line(f"  crawl, child from {method}", times) + f"   first {first[0]:.2f} s")
    print("floor: a child that does nothing")
    for method, times in floors.items():
        print(line(f"  no-op child from {method}", times))
    fork, spawn = (statistics.median(results[m][1]) for m in ("forkserver", "spawn"))
    print(f"a crawl from the fork server takes {fork / spawn:.0%} of a spawned one ({spawn - fork:.2f} s saved)")


if __name__ == "__main__":
    main()
