"""Benchmark: build the static site for a synthetic 10,000-model database.

Creates a SQLite database with Alembic (benchmarks/out/site-bench.db), fills it
with synthetic models shaped like the recorded OpenRouter and Hub data (listings
with descriptions, price history with cuts and prompt-length tiers, :free
variants, change events, claims with disputes, model cards, lineage), then runs
``tracker site build`` twice in child processes: a cold build into an empty
folder and a rebuild with no data change. Prints seconds, pages/s, peak RSS of
each build and the files the rebuild wrote (must be 0).

    .venv/bin/python benchmarks/bench_site.py [--models 10000] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from tracker.store.db import make_engine, upgrade
from tracker.store.tables import Claim, Dispute, Document, Event, Model, Observation, OpenRouterListing, Price

OUT = Path(__file__).resolve().parent / "out"
T0 = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
LICENSES = [
    ("Apache-2.0", "permissive"),
    ("MIT", "permissive"),
    ("LicenseRef-llama3.1", "open-weights-restricted"),
    ("LicenseRef-gemma", "open-weights-restricted"),
    ("LicenseRef-qwen", "open-weights-restricted"),
    ("LicenseRef-deepseek", "open-weights-restricted"),
    ("CC-BY-NC-4.0", "non-commercial"),
    ("LicenseRef-mrl", "non-commercial"),
    ("GPL-3.0-only", "copyleft"),
    ("LicenseRef-proprietary", "proprietary"),
]
STATUSES = ["open"] * 35 + ["gated"] * 10 + ["api-only"] * 40 + ["unknown"] * 10 + ["no-weights"] * 5
DESCRIPTION = (
    "{name} is a **{size}B** parameter model from {vendor}, tuned for *instruction following*, tool use "
    "and long documents. It supports a {ctx:,}-token context.\n\n- Strong at code and maths\n- Multilingual\n\n"
    "Read more in the [announcement](https://example.org/{key})."
)
CARD = "---\nlicense: apache-2.0\nbase_model: x\n---\n# {name}\n\n" + (
    "## Usage\n\n```python\nfrom transformers import AutoModelForCausalLM\n"
    "model = AutoModelForCausalLM.from_pretrained('{key}')\n```\n\n"
    "| Benchmark | Score |\n|---|---|\n| MMLU-Pro | 71.2 |\n| GPQA Diamond | 55.0 |\n\n"
    "The model was trained on a large corpus of text and code. " * 20
)


def generate(path: Path, count: int, seed: int = 6) -> dict[str, int]:
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    now = T0 + dt.timedelta(days=600)
    models, listings, observations, prices, events, claims, disputes, documents = [], [], [], [], [], [], [], []
    for i in range(1, count + 1):
        vendor = f"vendor{i % 200:03d}"
        key = f"{vendor}/model-{i:05d}"
        size = rng.choice([1, 3, 7, 8, 14, 32, 70, 235, 480, 1000])
        ctx = rng.choice([8192, 32768, 131072, 262144, 1048576])
        seen = T0 + dt.timedelta(days=rng.randrange(0, 500), hours=rng.randrange(24))
        lic, lic_class = rng.choice(LICENSES)
        status = rng.choice(STATUSES)
        derivative = i > 50 and rng.random() < 0.15
        hf = f"{vendor}/Model-{i:05d}" if status != "api-only" else None
        models.append(
            {
                "id": i,
                "key": key,
                "vendor": vendor,
                "name": f"{vendor.title()}: Model {i}",
                "first_seen_at": seen,
                "released_at": seen - dt.timedelta(days=rng.randrange(0, 30)),
                "is_derivative": derivative,
                "base_model_id": rng.randrange(1, i) if derivative else None,
                "base_relation": rng.choice(["quantized", "finetune", "adapter"]) if derivative else None,
                "open_weight_status": status,
                "open_weight_evidence": {"repo": hf, "gated": status == "gated", "weight_files": 4} if hf else None,
                "license_key": lic,
                "license_class": lic_class,
                "params_total": size * 10**9,
                "params_active": None,
                "params_source": "name",
                "context_length": ctx,
                "hf_repo_id": hf,
                "openrouter_id": key,
                "updated_at": seen,
            }
        )
        observations.append(
            {
                "id": i,
                "source": "openrouter",
                "subject": key,
                "observed_at": seen,
                "url": "https://openrouter.ai/api/v1/models",
                "fetched_at": seen,
                "http_status": 200,
                "content_hash": f"v1:{i:064x}",
                "payload": {"id": key},
            }
        )
        delisted = rng.random() < 0.05
        listings.append(
            {
                "id": key,
                "model_id": i,
                "base_id": key,
                "variant": None,
                "name": f"{vendor.title()}: Model {i}",
                "description": DESCRIPTION.format(name=f"Model {i}", size=size, vendor=vendor, ctx=ctx, key=key),
                "hugging_face_id": hf,
                "context_length": ctx,
                "modality": "text->text",
                "created_upstream_at": seen,
                "status": "delisted" if delisted else "listed",
                "first_seen_at": seen,
                "last_changed_at": seen,
                "delisted_at": now if delisted else None,
                "content_hash": f"v1:{i:064x}",
                "last_observation_id": i,
            }
        )
        base_in = Decimal(rng.choice(["0.05", "0.1", "0.2", "0.5", "1.2", "3", "15"]))
        events.append(_event("model_added", key, i, seen, {"name": key, "prices": {"prompt": str(base_in)}}))
        changed = rng.random() < 0.3
        cut_at = seen + dt.timedelta(days=rng.randrange(20, 90))
        for component, factor in (("prompt", Decimal(1)), ("completion", Decimal(4))):
            old = base_in * factor
            if changed:
                new = (old * Decimal("0.65")).normalize()
                prices.append(_price(key, i, component, "", None, old, seen, cut_at - dt.timedelta(days=1)))
                prices.append(_price(key, i, component, "", None, new, cut_at, None if not delisted else now))
                events.append(
                    _event(
                        "price_changed",
                        key,
                        i,
                        cut_at,
                        {
                            "component": component,
                            "old": str(old),
                            "new": str(new),
                            "old_status": "priced",
                            "new_status": "priced",
                            "percent": "-35",
                            "unit": "usd_per_mtok",
                        },
                    )
                )
            else:
                prices.append(_price(key, i, component, "", None, old, seen, None if not delisted else now))
            if rng.random() < 0.1:
                for tokens_ in (32000, 128000):
                    prices.append(_price(key, i, component, f"prompt>={tokens_}", tokens_, old * 2, seen, None))
        if rng.random() < 0.1:
            free = f"{key}:free"
            listings.append(
                {
                    **listings[-1],
                    "id": free,
                    "variant": "free",
                    "description": None,
                    "content_hash": "v1:free",
                }
            )
            for component in ("prompt", "completion"):
                prices.append({**_price(free, i, component, "", None, Decimal(0), seen, None), "status": "free"})
        if delisted:
            events.append(_event("model_delisted", key, i, now, {"name": key}))
        if rng.random() < 0.1:
            claim_id = len(claims) + 1
            claims.append(_claim(claim_id, i, "openness", status, "primary", "huggingface", None, seen))
            claims.append(
                _claim(claim_id + 1, i, "openness", "open", "press", "example-news", "It is open source.", seen)
            )
            if status != "open" and rng.random() < 0.3:
                disputes.append(
                    {
                        "model_id": i,
                        "attribute": "openness",
                        "qualifier": "",
                        "status": "open",
                        "opened_at": seen,
                        "shown_claim_id": claim_id,
                        "data": {"summary": "press says open source"},
                    }
                )
                events.append(
                    _event(
                        "claim_disputed", key, i, seen, {"attribute": "openness", "shown": status, "contrary": "open"}
                    )
                )
        if hf and rng.random() < 0.4:
            documents.append(
                {
                    "url": f"https://huggingface.co/{hf}/raw/main/README.md",
                    "kind": "card",
                    "vendor": vendor,
                    "title": hf,
                    "fetched_at": seen,
                    "content_hash": f"sha:{i}",
                    "text": CARD.format(name=f"Model {i}", key=hf),
                }
            )
    with engine.begin() as conn:
        for table, rows in (
            (Model, models),
            (Observation, observations),
            (OpenRouterListing, listings),
            (Price, prices),
            (Event, events),
            (Claim, claims),
            (Dispute, disputes),
            (Document, documents),
        ):
            for start in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[start : start + 2000])
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return {
        "models": len(models),
        "listings": len(listings),
        "prices": len(prices),
        "events": len(events),
        "claims": len(claims),
        "disputes": len(disputes),
        "cards": len(documents),
    }


def _event(kind: str, subject: str, model_id: int, at: dt.datetime, data: dict) -> dict:
    return {
        "kind": kind,
        "subject": subject,
        "model_id": model_id,
        "source": "openrouter",
        "detected_at": at,
        "data": data,
        "created_at": at,
    }


def _price(
    subject: str,
    model_id: int,
    component: str,
    tier: str,
    min_tokens: int | None,
    amount: Decimal,
    first: dt.datetime,
    last: dt.datetime | None,
) -> dict:
    return {
        "source": "openrouter",
        "subject": subject,
        "model_id": model_id,
        "component": component,
        "tier": tier,
        "min_prompt_tokens": min_tokens,
        "status": "priced",
        "usd_per_mtok": amount,
        "unit": "mtok",
        "raw": str(amount / 1_000_000),
        "first_seen_at": first,
        "last_seen_at": last,
        "url": "https://openrouter.ai/api/v1/models",
    }


def _claim(
    claim_id: int,
    model_id: int,
    attribute: str,
    value: str,
    reporter: str,
    source: str,
    quote: str | None,
    at: dt.datetime,
) -> dict:
    return {
        "id": claim_id,
        "model_id": model_id,
        "attribute": attribute,
        "qualifier": "",
        "value": value,
        "reporter": reporter,
        "source": source,
        "url": f"https://example.org/{source}/{model_id}",
        "fetched_at": at,
        "quote": quote,
        "status": "shown" if reporter == "primary" else "disputed",
        "claim_hash": f"c{claim_id}",
        "created_at": at,
    }


def run_build(db: Path, out: Path) -> dict:
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{db}",
        "TRACKER_NEWSLETTER_DIR": str(OUT / "no-newsletter"),
    }
    env.pop("TRACKER_CONFIG", None)
    tracker = Path(sys.executable).with_name("tracker")
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(tracker), "site", "build", "--out", str(out), "--json"], env=env, stdout=subprocess.PIPE
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"site build failed with status {child.returncode}")
    result = json.loads(output)
    result["wall_seconds"] = time.perf_counter() - started
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB (largest of the process and its workers)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # the build process and its rendering workers
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database and the built site in benchmarks/out/")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    db, site = OUT / "site-bench.db", OUT / "site-bench"
    shutil.rmtree(site, ignore_errors=True)
    started = time.perf_counter()
    counts = generate(db, args.models)
    print(f"synthetic database: {counts} ({time.perf_counter() - started:.1f} s)")
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) if site.exists() else 0
    for label in ("cold build", "no-change rebuild"):
        r = run_build(db, site)
        size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
        print(
            f"{label}: {r['seconds']:.2f} s in build_site ({r['wall_seconds']:.2f} s with start-up, "
            f"{r['cpu_seconds']:.1f} CPU-s), "
            f"{r['pages']} pages, {r['pages'] / r['seconds']:.0f} pages/s, peak RSS {r['peak_rss_mib']:.0f} MiB, "
            f"files written {r['written']}, unchanged {r['unchanged']}, removed {r['removed']}"
        )
    print(f"site size: {size / 2**20:.1f} MiB in {sum(1 for f in site.rglob('*') if f.is_file())} files")
    print(f"load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if not args.keep:
        shutil.rmtree(site, ignore_errors=True)
        db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
