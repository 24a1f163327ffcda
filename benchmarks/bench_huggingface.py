"""Benchmark: crawl synthetic Hub organisations of 10,000 / 20,000 / 50,000 repos, then re-crawl each unchanged.

Serves the org from the loopback FakeServer (listings built from the details and
paged with ``Link`` headers, details, cards) and runs the real crawl (Scrapy
child process → pipelines → SQLite), one fresh database per size. Prints, for the
first crawl and for an unchanged re-crawl: wall seconds, HTTP requests (robots.txt
not counted) split into listing pages / details / cards, requests beyond the
listing pages per 1,000 repos, rows written, the peak RSS of the crawl child
(its ``VmHWM``, polled) beside its floor — the same child's RSS when it started, before
any response — and the longest store transaction (chunks of ``--chunk`` repos) beside
its mean, in wall seconds and in CPU seconds of the storing thread (a loaded machine inflates the
wall time; the CPU figure is what the transaction itself costs).

    .venv/bin/python benchmarks/bench_huggingface.py [--repos 10000 20000 50000] [--chunk 300]
        [--page-size 1000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from helpers.corpus import FakeHub, hub_detail  # noqa: E402
from helpers.db import data_counts  # noqa: E402
from helpers.server import FakeServer, Reply  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tracker.config import HttpSettings, HuggingFaceSettings, Settings  # noqa: E402
from tracker.sources.runner import run_crawl  # noqa: E402
from tracker.store.db import make_engine, upgrade  # noqa: E402

ORG = "bench-org"
LICENSES = ["apache-2.0", "mit", "llama3.1", "gemma", "other"]
CARD = (
    "---\nlicense: {license}\n{extra}pipeline_tag: text-generation\nlibrary_name: transformers\n---\n"
    "# {name}\n\n{name} is a synthetic benchmark model with {size}B parameters.\n\n"
    "## Usage\n\n```python\nfrom transformers import AutoModelForCausalLM\n"
    "model = AutoModelForCausalLM.from_pretrained('{repo}')\n```\n"
)


def synthetic_repo(i: int) -> tuple[dict, bytes]:
    size = 1 + i % 70
    name = f"Bench-{i:05d}-{size}B" + ("-Instruct" if i % 3 else "")
    repo = f"{ORG}/{name}"
    license_id = LICENSES[i % len(LICENSES)]
    extra = "license_name: qwen-research\n" if license_id == "other" else ""
    if i % 10 == 9:
        extra += f"base_model: {ORG}/Bench-{i - 1:05d}-{1 + (i - 1) % 70}B\nbase_model_relation: quantized\n"
    sha = hashlib.sha1(repo.encode()).hexdigest()
    detail = hub_detail(
        repo,
        sha=sha,
        gated="manual" if license_id in ("llama3.1", "gemma") else False,
        tags=["transformers", "safetensors", "text-generation", f"license:{license_id}"],
        cardData={"license": license_id},
        siblings=[
            {"rfilename": f}
            for f in (
                "README.md",
                "config.json",
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors",
                "tokenizer.json",
            )
        ],
        safetensors={"parameters": {"BF16": size * 10**9}, "total": size * 10**9},
        createdAt=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00.000Z",
    )
    card = CARD.format(license=license_id, extra=extra, name=name, size=size, repo=repo).encode()
    return detail, card


def rows_digest(url: str) -> str:
    engine = make_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in ("models", "hf_repos", "claims", "crosswalk", "documents", "observations"):
            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    out = data_counts(engine)
    with engine.connect() as conn:
        out["hf_repos"] = conn.execute(text("SELECT COUNT(*) FROM hf_repos")).scalar_one()
    engine.dispose()
    return out


def _kib(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (``/proc/<pid>/stat``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssWatch:
    """Polls the crawl child's ``VmHWM`` (peak RSS) while it runs; ``start`` is its RSS when first seen.

    ``cpu`` is the child's CPU seconds (user + system) when last polled, at most a poll (50 ms) before it ended.
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self.start: int | None = None
        self.peak = 0
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def on_child(self, pid: int | None) -> None:
        if pid is not None:
            self.pid = pid

    def _poll(self) -> None:
        while not self._stop.is_set():
            pid = self.pid
            if pid is not None:
                if self.start is None:
                    self.start = _kib(pid, "VmRSS")
                self.peak = max(self.peak, _kib(pid, "VmHWM") or 0)
                cpu = _cpu_seconds(pid)
                if cpu is not None:
                    self.cpu = cpu
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def crawl(settings: Settings, server: FakeServer, hub: FakeHub) -> dict:
    server.clear_log()
    watch = RssWatch()
    started = time.perf_counter()
    summary = run_crawl(settings, "huggingface", trigger="bench", on_child=watch.on_child)
    seconds = time.perf_counter() - started
    watch.stop()
    requests = [r.path for r in server.requests if r.path != "/robots.txt"]
    return {
        "summary": summary,
        "seconds": seconds,
        "requests": len(requests),
        "listing": len(hub.listing_requests()),
        "details": len(hub.detail_requests()),
        "cards": len(hub.card_requests()),
        "rss_mib": watch.peak / 1024,
        "rss_start_mib": (watch.start or 0) / 1024,
    }


def run_size(repos: int, args: argparse.Namespace) -> dict:
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    details, cards = {}, {}
    for i in range(repos):
        detail, card = synthetic_repo(i)
        details[detail["id"]] = detail
        cards[detail["id"]] = card
    hub = FakeHub(server, details, cards).install()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        settings = Settings(
            database_url=url,
            http=HttpSettings(
                allowed_hosts=("127.0.0.1",),
                retries=2,
                timeout_seconds=30,
                concurrency=args.concurrency,
                autothrottle=False,
            ),
            huggingface=HuggingFaceSettings(url=server.url, orgs=(ORG,), page_size=args.page_size),
            store_chunk=args.chunk,
        )
        first = crawl(settings, server, hub)
        after_first = counts(url)
        digest = rows_digest(url)
        second = crawl(dataclasses.replace(settings), server, hub)
        after_second = counts(url)
        unchanged = rows_digest(url) == digest
    server.stop()

    print(
        f"synthetic organisation: {repos:,} repos, listing page size {args.page_size}, "
        f"concurrency {args.concurrency}, store chunk {args.chunk}, SQLite"
    )
    for label, run in (("first crawl", first), ("unchanged re-crawl", second)):
        s = run["summary"]
        beyond = run["requests"] - run["listing"]
        extra = s.extra
        print(
            f"{label:>18}: {run['seconds']:7.1f} s  status {s.status}  requests {run['requests']:,} "
            f"(listing pages {run['listing']}, details {run['details']:,}, cards {run['cards']:,})  "
            f"beyond listing per 1,000 repos {beyond / repos * 1000:.2f}  rows written {s.writes:,}  "
            f"repos/s {repos / run['seconds']:,.0f}"
        )
        chunks = extra.get("stored_chunks", 0) or 1
        print(
            f"{'':>18}  peak RSS {run['rss_mib']:,.0f} MiB (floor: the child at start "
            f"{run['rss_start_mib']:,.0f} MiB)  store transactions {chunks}, longest "
            f"{extra.get('longest_store_ms', 0) / 1000:.2f} s (mean {extra.get('store_ms', 0) / chunks / 1000:.2f} s), "
            f"longest in CPU seconds of the storing thread {extra.get('longest_store_cpu_ms', 0) / 1000:.2f} s; "
            f"the last transaction (delistings decided from the seen rows, the run closed) "
            f"{extra.get('last_store_ms', 0) / 1000:.2f} s ({extra.get('last_store_cpu_ms', 0) / 1000:.2f} CPU s); "
            f"card claims extracted before the transactions {extra.get('extract_ms', 0) / 1000:.1f} s"
        )
    print(f"rows after first crawl: {after_first}")
    print(
        f"data rows changed by the re-crawl: {sum(after_second.values()) - sum(after_first.values())}, "
        f"table contents identical: {unchanged}"
    )
    print(f"load average after this size: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    return {"repos": repos, "first": first, "second": second}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, nargs="+", default=[10_000, 20_000, 50_000])
    parser.add_argument("--chunk", type=int, default=300)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    results = [run_size(repos, args) for repos in args.repos]
    peaks = [max(r["first"]["rss_mib"], r["second"]["rss_mib"]) for r in results]
    longest = max(r[k]["summary"].extra.get("longest_store_ms", 0) for r in results for k in ("first", "second"))
    longest_cpu = max(
        r[k]["summary"].extra.get("longest_store_cpu_ms", 0) for r in results for k in ("first", "second")
    )
    print(
        "peak RSS per size: "
        + ", ".join(f"{r['repos']:,}: {p:,.0f} MiB" for r, p in zip(results, peaks, strict=True))
        + f"; largest / smallest {max(peaks) / min(peaks):.2f} (aim ≤ 1.20); longest transaction {longest / 1000:.2f} s"
        f" ({longest_cpu / 1000:.2f} CPU s; aim < 2 s)"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
