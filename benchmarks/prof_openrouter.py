"""Where an OpenRouter crawl's CPU goes: its parts called directly, without the Scrapy engine.

The synthetic listing of ``bench_openrouter.py`` goes through the spider's callback (the body split and
decoded a page at a time), the validate and normalize pipelines and the store pipeline (its chunks and
its last transaction) into a fresh SQLite file; prints the process time of each part. ``--profile PATH``
writes a cProfile (process time) of the store part; ``--twice`` adds an unchanged re-crawl.

    .venv/bin/python benchmarks/prof_openrouter.py [--models 50000] [--chunk 2500] [--profile out.prof] [--twice]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

from bench_openrouter import DEFAULT_SNAPSHOT, synthetic_listing  # noqa: E402
from scrapy.http import Request, Response  # noqa: E402

from tracker.sources.items import ListingEnd, RawPage  # noqa: E402
from tracker.sources.pipelines import openrouter as pl  # noqa: E402
from tracker.sources.spiders.openrouter import OpenRouterSpider  # noqa: E402
from tracker.store.db import make_engine, make_sessionmaker, session_scope, upgrade  # noqa: E402
from tracker.store.runs import start_run  # noqa: E402


class Store(pl.StorePipeline):
    """The store pipeline without a crawler: the harness's sessions and run."""

    def __init__(self, sessions, run_id, chunk):
        self._sessions = sessions
        self.run_id = run_id
        self.snapshot = None
        self.failures = []
        self.ids = set()
        self.chunk = chunk
        self.stream = pl.ListingStream()
        self.crawler = SimpleNamespace(settings=SimpleNamespace(getfloat=lambda k, d: d))

    @property
    def sessions(self):
        return self._sessions


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=50_000)
    ap.add_argument("--chunk", type=int, default=2500, help="models per transaction (openrouter.store_chunk)")
    ap.add_argument("--profile")
    ap.add_argument("--twice", action="store_true")
    ap.add_argument("--cache", type=int, default=0, help="PRAGMA cache_size of the connections, in KiB")
    args = ap.parse_args()
    payload = synthetic_listing(DEFAULT_SNAPSHOT, args.models)
    body = json.dumps(payload).encode()
    del payload
    url = "http://127.0.0.1:1/api/v1/models"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/h.db")
        if args.cache:
            from sqlalchemy import event

            def on_connect(conn, _rec):
                conn.execute(f"PRAGMA cache_size=-{args.cache}")

            event.listen(engine, "connect", on_connect)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        for rnd in range(2 if args.twice else 1):
            with session_scope(sessions) as s:
                run_id = start_run(s, job="crawl", source="openrouter").id
            prof = cProfile.Profile(time.process_time) if args.profile else None
            spider = OpenRouterSpider(base_url="http://127.0.0.1:1/api/v1")
            response = Response(
                url, status=200, body=body, headers={"Content-Type": "application/json"}, request=Request(url)
            )
            validate, normalize = pl.ValidatePipeline(), pl.NormalizePipeline()
            store = Store(sessions, run_id, args.chunk)
            t = {"spider": 0.0, "validate": 0.0, "normalize": 0.0, "store": 0.0}
            c0 = time.process_time()
            items = spider.parse_models(response)
            while True:
                c = time.process_time()
                item = next(items, None)
                t["spider"] += time.process_time() - c
                if item is None:
                    break
                if isinstance(item, RawPage):
                    c = time.process_time()
                    validate.process_item(item)
                    t["validate"] += time.process_time() - c
                    c = time.process_time()
                    normalize.process_item(item)
                    t["normalize"] += time.process_time() - c
                assert isinstance(item, RawPage | ListingEnd), item
                c = time.process_time()
                if prof:
                    prof.enable()
                store.process_item(item)
                if prof:
                    prof.disable()
                t["store"] += time.process_time() - c
            c = time.process_time()
            if prof:
                prof.enable()
            summary = store.store(spider, "finished", 1)
            if prof:
                prof.disable()
            t["store_end"] = time.process_time() - c
            t["store"] += t["store_end"]
            total = time.process_time() - c0
            print(
                f"round {rnd}: " + "  ".join(f"{k} {v:.2f}" for k, v in t.items()) + f"  total {total:.2f} CPU s;"
                f" status {summary.status} new {summary.new} writes {summary.writes}"
                f" chunks {summary.extra.get('stored_chunks')} longest {summary.extra.get('longest_store_ms')} ms",
                flush=True,
            )
            if prof:
                prof.dump_stats(args.profile + f".{rnd}")


if __name__ == "__main__":
    main()
