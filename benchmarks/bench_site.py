"""Benchmark: build the static site for a synthetic 10,000-model database.

Creates a SQLite database with Alembic (benchmarks/out/site-bench.db), fills it
with synthetic models shaped like the recorded OpenRouter and Hub data (listings
with descriptions, price history with cuts and prompt-length tiers, :free
variants, change events, claims with disputes, model cards, lineage), then runs
``tracker site build`` in child processes: a cold build into an empty folder, a
rebuild with no data change, and a rebuild after one model's price changed (its
current prompt price closed, a new one opened and a ``price_changed`` event, as a
crawl records it). Prints seconds, CPU-s, peak RSS of each build and the files it
wrote (by folder), each beside the floor measured in the same run: rendering as
many trivial Jinja2 pages as the build has, in one process.

    .venv/bin/python benchmarks/bench_site.py [--models 10000] [--keep] [--cold-only] [--db PATH] [--in-process]
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

import jinja2
from sqlalchemy import insert, select, update

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


def change_price(db: Path, model_id: int) -> str:
    """Cut one model's current prompt price in half the way a crawl records it; returns its key."""
    engine = make_engine(f"sqlite:///{db}")
    at = T0 + dt.timedelta(days=601)
    with engine.begin() as conn:
        row = dict(
            conn.execute(
                select(Price.__table__).where(
                    Price.model_id == model_id,
                    Price.component == "prompt",
                    Price.tier == "",
                    Price.last_seen_at.is_(None),
                    Price.status == "priced",
                )
            )
            .mappings()
            .first()
            or {}
        )
        if not row:
            raise SystemExit(f"model {model_id} has no current prompt price")
        old = row["usd_per_mtok"]
        new = (old / 2).normalize()
        conn.execute(update(Price).where(Price.id == row.pop("id")).values(last_seen_at=at))
        row.update(usd_per_mtok=new, raw=str(new / 1_000_000), first_seen_at=at, last_seen_at=None)
        conn.execute(insert(Price), [row])
        data = {"component": "prompt", "old": str(old), "new": str(new), "old_status": "priced"}
        data |= {"new_status": "priced", "percent": "-50", "unit": "usd_per_mtok"}
        conn.execute(insert(Event), [_event("price_changed", row["subject"], model_id, at, data)])
    engine.dispose()
    return row["subject"]


def floor_seconds(pages: int) -> float:
    """The floor: render ``pages`` trivial Jinja2 pages (autoescaped, one variable each) in this process."""
    env = jinja2.Environment(autoescape=True)
    template = env.from_string("<!doctype html><title>{{ title }}</title><main><p>{{ body }}</p></main>")
    started = time.perf_counter()
    for i in range(pages):
        template.render(title=f"page {i}", body="a trivial page")
    return time.perf_counter() - started


def by_folder(paths: list[str]) -> str:
    counts: dict[str, int] = {}
    for path in paths:
        top = path.split("/", 1)[0] if "/" in path else path
        counts[top] = counts.get(top, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def written_since(site: Path, before: dict[str, int]) -> list[str]:
    return sorted(
        rel
        for p in site.rglob("*")
        if p.is_file() and (rel := p.relative_to(site).as_posix()) and before.get(rel) != p.stat().st_mtime_ns
    )


def mtimes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def run_build(db: Path, out: Path) -> dict:
    """``tracker site build`` in a child process; its result plus wall time, peak RSS and CPU time."""
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
    result["system_seconds"] = usage.ru_stime  # the kernel's part (mostly creating the files)
    return result


def run_in_process(db: Path, out: Path) -> dict:
    """``build_site`` called in this process (no start-up): its result plus wall time, the CPU time of
    this process and of its page workers separately, and this process's peak RSS."""
    import resource

    from tracker.config import load_settings
    from tracker.site.build import build_site
    from tracker.store.db import make_sessionmaker

    env = {"TRACKER_DATABASE_URL": f"sqlite:///{db}", "TRACKER_NEWSLETTER_DIR": str(OUT / "no-newsletter")}
    settings = load_settings(None, env=env)
    engine = make_engine(env["TRACKER_DATABASE_URL"])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, started = time.process_time(), time.perf_counter()
    try:
        result = build_site(make_sessionmaker(engine), settings, out).to_dict()
    finally:
        engine.dispose()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["wall_seconds"] = time.perf_counter() - started
    result["main_cpu_seconds"] = time.process_time() - cpu
    result["worker_cpu_seconds"] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    result["cpu_seconds"] = result["main_cpu_seconds"] + result["worker_cpu_seconds"]
    result["system_seconds"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_stime + after.ru_stime - children.ru_stime
    )  # of this process since it started, and of the workers
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def startup_cpu() -> float:
    """CPU seconds of ``tracker site build --help`` in a child process: the start-up every build pays
    (imports, settings), which ``build_site``'s own figure does not include."""
    tracker = Path(sys.executable).with_name("tracker")
    child = subprocess.Popen([str(tracker), "site", "build", "--help"], stdout=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(child.pid, 0)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database and the built site in benchmarks/out/")
    parser.add_argument("--cold-only", action="store_true", help="only the cold build (for the memory figure)")
    parser.add_argument("--db", type=Path, help="use this database (made by an earlier --keep run) as it is")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the database and the site")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="call build_site in this process (no start-up; CPU of this process and of the workers apart)",
    )
    args = parser.parse_args()
    args.out.mkdir(exist_ok=True, parents=True)
    db, site = args.out / "site-bench.db", args.out / "site-bench"
    # The last run's site is moved aside and deleted only after the builds: on ext4 the kernel frees a
    # deleted tree of ~11,000 files in the background for tens of seconds, and files created meanwhile
    # cost several times their usual kernel time (measured: 11,400 pages 1.5 s of system time in a
    # quiet file system, 16 s right after deleting such a tree), which a cold build would pay for.
    old_site = args.out / f"site-bench.old-{os.getpid()}"
    if site.exists():
        site.rename(old_site)
    started = time.perf_counter()
    if args.db:
        db = args.out / "site-bench-copy.db"
        shutil.copyfile(args.db, db)
        print(f"database: a copy of {args.db}")
    else:
        counts = generate(db, args.models)
        print(f"synthetic database: {counts} ({time.perf_counter() - started:.1f} s)")
    startup = 0.0 if args.in_process else startup_cpu()
    if not args.in_process:
        print(f"start-up (tracker site build --help): {startup:.1f} CPU-s")
    runs = [("cold build", None), ("no-change rebuild", None), ("one price changed", args.models // 2 or 1)]
    for label, changed in runs[:1] if args.cold_only else runs:
        key = change_price(db, changed) if changed else None
        before = mtimes(site) if site.exists() else {}
        r = run_in_process(db, site) if args.in_process else run_build(db, site)
        floor = floor_seconds(max(r["pages"], 1))
        written = written_since(site, before)
        print(
            f"{label}{f' ({key})' if key else ''}: {r['seconds']:.2f} s in build_site "
            f"({r['wall_seconds']:.2f} s with start-up, {r['cpu_seconds']:.1f} CPU-s, "
            f"{r['cpu_seconds'] - startup:.1f} beyond start-up, {r['system_seconds']:.1f} of it system), "
            f"{r['pages']} pages, {r['rendered']} rendered, peak RSS {r['peak_rss_mib']:.0f} MiB, "
            f"files written {r['written']}, unchanged {r['unchanged']}, removed {r['removed']}; "
            f"floor: {r['pages']} trivial Jinja2 pages {floor:.2f} s → {r['seconds'] / floor:.1f}× floor"
        )
        if args.in_process:
            print(f"    CPU-s: {r['main_cpu_seconds']:.2f} this process, {r['worker_cpu_seconds']:.2f} page workers")
        if before:
            print(f"    written: {by_folder(written)}")
            if len(written) <= 40:
                print("    " + " ".join(written))
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    print(f"site size: {size / 2**20:.1f} MiB in {sum(1 for f in site.rglob('*') if f.is_file())} files")
    print(f"load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    shutil.rmtree(old_site, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(site, ignore_errors=True)
        db.unlink(missing_ok=True)
    elif args.db:
        db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
