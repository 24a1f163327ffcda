"""Benchmark: crawl a synthetic Hub organisation of 20,000 repos, then re-crawl it unchanged.

Serves the org from the loopback FakeServer (listings built from the details and
paged with ``Link`` headers, details, cards) and runs the real crawl (Scrapy
child process → pipelines → SQLite). Prints, for the first crawl and for an
unchanged re-crawl: wall seconds, HTTP requests (robots.txt not counted) split
into listing pages / details / cards, requests beyond the listing pages per
1,000 repos, rows written, and the peak RSS of the crawl processes.

    .venv/bin/python benchmarks/bench_huggingface.py [--repos 20000] [--page-size 1000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import resource
import sys
import tempfile
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


def crawl(settings: Settings, server: FakeServer, hub: FakeHub) -> dict:
    server.clear_log()
    started = time.perf_counter()
    summary = run_crawl(settings, "huggingface", trigger="bench")
    seconds = time.perf_counter() - started
    requests = [r.path for r in server.requests if r.path != "/robots.txt"]
    return {
        "summary": summary,
        "seconds": seconds,
        "requests": len(requests),
        "listing": len(hub.listing_requests()),
        "details": len(hub.detail_requests()),
        "cards": len(hub.card_requests()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b"", {}))
    details, cards = {}, {}
    for i in range(args.repos):
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
        )
        first = crawl(settings, server, hub)
        after_first = counts(url)
        digest = rows_digest(url)
        second = crawl(dataclasses.replace(settings), server, hub)
        after_second = counts(url)
        unchanged = rows_digest(url) == digest
    server.stop()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(
        f"synthetic organisation: {args.repos:,} repos, listing page size {args.page_size}, "
        f"concurrency {args.concurrency}, SQLite"
    )
    for label, run in (("first crawl", first), ("unchanged re-crawl", second)):
        s = run["summary"]
        beyond = run["requests"] - run["listing"]
        print(
            f"{label:>18}: {run['seconds']:7.1f} s  status {s.status}  requests {run['requests']:,} "
            f"(listing pages {run['listing']}, details {run['details']:,}, cards {run['cards']:,})  "
            f"beyond listing per 1,000 repos {beyond / args.repos * 1000:.2f}  rows written {s.writes:,}  "
            f"repos/s {args.repos / run['seconds']:,.0f}"
        )
    print(f"rows after first crawl: {after_first}")
    print(
        f"data rows changed by the re-crawl: {sum(after_second.values()) - sum(after_first.values())}, "
        f"table contents identical: {unchanged}"
    )
    print(f"peak RSS of a crawl process: {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
