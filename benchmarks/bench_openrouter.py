"""Benchmark: ingest a synthetic 50,000-model OpenRouter listing.

Prints, for a first crawl and for an unchanged re-crawl through the real
Scrapy stack (loopback server → spider → pipelines → SQLite): wall time,
models/s, the crawl child's peak RSS (its ``VmHWM``, polled) beside its RSS when it
started, the longest store transaction and rows written; then two floors measured
in the same run — the same rows written with plain ``sqlite3.executemany`` (the
fastest the database can take them) and a naive ORM loop (one SELECT and flush per
model, one commit: the slow way). Each figure is also given in CPU seconds (the crawl child's user +
system time, polled from ``/proc``; the floors' own process time), which a loaded machine inflates far less,
with user and system apart, and the bytes each wrote to the disk (``write_bytes`` of ``/proc/<pid>/io``).

Both sides are timed to the same durable state: the crawl's time ends when its child has exited (its last
commit, WAL checkpoints and connection close done), and the floor's time includes its ``conn.close()`` as
well as its commit. In WAL mode the floor's one checkpoint runs inside that commit (the automatic checkpoint
of the commit that crosses ``wal_autocheckpoint`` pages; measured: the close alone takes ~0.1 s), so the
close changes the floor little; the floor keeps the crawl's connection settings (WAL, ``synchronous=NORMAL``,
the same page cache), never weaker ones, so it stays the fastest honest way to the same rows.

    .venv/bin/python benchmarks/bench_openrouter.py [--models 50000] [--snapshot PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from bench_huggingface import RssWatch, _cpu_seconds, _kib  # noqa: E402
from helpers.db import data_counts  # noqa: E402
from helpers.server import FakeServer, Reply  # noqa: E402

from tracker.config import HttpSettings, OpenRouterSettings, Settings  # noqa: E402
from tracker.events.hashing import content_hash  # noqa: E402
from tracker.normalize.numbers import format_decimal  # noqa: E402
from tracker.normalize.openrouter import snapshot_from_payload  # noqa: E402
from tracker.sources.pipelines.openrouter import STORE_CACHE_MIB  # noqa: E402
from tracker.sources.runner import run_crawl  # noqa: E402
from tracker.store.db import make_engine, upgrade  # noqa: E402
from tracker.store.runs import utcnow  # noqa: E402

DEFAULT_SNAPSHOT = REPO.parent / "shared" / "corpus" / "openrouter" / "models-2026-08-22.json"


def synthetic_listing(snapshot: Path, count: int) -> dict:
    base = [m for m in json.loads(snapshot.read_bytes())["data"] if not m["id"].startswith("~")]
    data = []
    copy = 0
    while len(data) < count:
        for entry in base:
            if len(data) >= count:
                break
            if copy == 0:
                data.append(entry)
                continue
            vendor, name = entry["id"].split("/", 1)
            name, _, variant = name.partition(":")
            new_id = f"{vendor}/{name}-copy{copy}" + (f":{variant}" if variant else "")
            data.append({**entry, "id": new_id, "canonical_slug": new_id.split(":")[0], "hugging_face_id": ""})
        copy += 1
    return {"data": data}


def _user_system(pid: int) -> tuple[float, float] | None:
    """User and system CPU seconds of ``pid`` so far (``/proc/<pid>/stat``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _schedstat(pid: int) -> tuple[float, float] | None:
    """Seconds the main thread of ``pid`` has run and has waited for a core (``/proc/<pid>/task/<pid>/schedstat``)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/schedstat", encoding="ascii") as stat:
            ran, waited = stat.read().split()[:2]
    except (OSError, ValueError):
        return None
    return int(ran) / 1e9, int(waited) / 1e9


def _write_bytes(pid: int | str = "self") -> int | None:
    """Bytes ``pid`` caused to be written to the disk so far (``write_bytes`` of ``/proc/<pid>/io``)."""
    try:
        with open(f"/proc/{pid}/io", encoding="ascii") as io:
            for line in io:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class CrawlWatch(RssWatch):
    """:class:`RssWatch` plus the child's user and system seconds apart, its disk writes, and how long its
    main thread (Scrapy's reactor, the store) ran and waited for a core, polled alike: the rest of the crawl's
    wall time is time that thread was blocked (disk, network, locks) or the parent's part."""

    def __init__(self) -> None:
        self.user = self.system = 0.0
        self.ran = self.queued = 0.0
        self.written = 0
        super().__init__()

    def _poll(self) -> None:
        while not self._stop.is_set():
            pid = self.pid
            if pid is not None:
                if self.start is None:
                    self.start = _kib(pid, "VmRSS")
                self.peak = max(self.peak, _kib(pid, "VmHWM") or 0)
                cpu = _cpu_seconds(pid)
                times = _user_system(pid)
                written = _write_bytes(pid)
                sched = _schedstat(pid)
                if sched is not None:
                    self.ran, self.queued = sched
                if cpu is not None and times is not None:
                    self.cpu = cpu
                    self.user, self.system = times
                if written is not None:
                    self.written = written
            time.sleep(0.05)


def crawl(settings: Settings, label: str, count: int, engine) -> dict:
    before = data_counts(engine)
    watch = CrawlWatch()
    started = time.perf_counter()
    summary = run_crawl(settings, "openrouter", trigger="benchmark", on_child=watch.on_child)
    seconds = time.perf_counter() - started
    watch.stop()
    after = data_counts(engine)
    written = sum(after.values()) - sum(before.values())
    assert summary.status == "success", summary.render()
    result = {
        "label": label,
        "seconds": round(seconds, 2),
        "cpu": watch.cpu,
        "models_per_s": round(count / seconds),
        "rows_added": written,
        "writes_reported": summary.writes,
        "new": summary.new,
        "changed": summary.changed,
        "rss_mib": watch.peak / 1024,
        "blocked": seconds - watch.ran - watch.queued,
    }
    print(
        f"{label:<22} {seconds:7.2f} s  (CPU {watch.cpu:6.2f} s: user {watch.user:.2f}, system {watch.system:.2f}; "
        f"disk writes {watch.written / 2**20:.0f} MiB; main thread ran {watch.ran:.2f} s, waited for a core "
        f"{watch.queued:.2f} s, blocked or outside the child {seconds - watch.ran - watch.queued:.2f} s)  "
        f"{count / seconds:9.0f} models/s  "
        f"rows added {written:>8}  "
        f"(new {summary.new}, changed {summary.changed}, writes {summary.writes})  "
        f"peak RSS {watch.peak / 1024:.0f} MiB "
        f"(the child at start {(watch.start or 0) / 1024:.0f} MiB)  store transactions "
        f"{summary.extra.get('stored_chunks')}, longest {summary.extra.get('longest_store_ms', 0) / 1000:.2f} s"
    )
    return result


def naive_orm_floor(url: str, payload: dict, sample: int) -> dict:
    """One SELECT and one flush per model (listing and prices), one commit at the end, over the first
    ``sample`` models (a per-model loop runs at a steady rate; the whole listing would take many minutes)."""
    from sqlalchemy.orm import Session

    from tracker.store.ingest_openrouter import _listing_row, _price_row
    from tracker.store.tables import OpenRouterListing, Price

    now = utcnow()
    snap = snapshot_from_payload({"data": payload["data"][:sample]}, observed_at=now)
    engine = make_engine(url)
    started, times_started = time.perf_counter(), os.times()
    rows = 0
    with Session(engine) as session:
        for m in snap.models:
            if session.get(OpenRouterListing, m.id) is None:
                digest = content_hash(m.meaningful())
                session.add(OpenRouterListing(**_listing_row(m, digest, None, None, now), first_seen_at=now))
                for p in m.prices:
                    session.add(Price(**_price_row(p, subject=m.id, model_id=None, url=None, obs_id=None, now=now)))
                rows += 1 + len(m.prices)
            session.flush()
        session.commit()
    seconds, times = time.perf_counter() - started, os.times()
    user, system = times.user - times_started.user, times.system - times_started.system
    cpu = user + system
    engine.dispose()
    print(
        f"{'naive ORM loop':<22} {seconds:7.2f} s  (CPU {cpu:6.2f} s: user {user:.2f}, system {system:.2f})  "
        f"{len(snap.models) / seconds:9.0f} models/s  "
        f"rows added {rows:>8}  "
        f"(first {len(snap.models):,} models; listings and prices only: one SELECT and flush per model, one commit)"
    )
    return {"seconds": seconds, "cpu": cpu, "models": len(snap.models), "models_per_s": len(snap.models) / seconds}


def executemany_floor(db_path: Path, payload: dict) -> dict:
    """The same rows (models, crosswalk, observations, listings, prices, events) with plain executemany."""
    now = utcnow()
    snap = snapshot_from_payload(payload, observed_at=now)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    models, crosswalk, observations, listings, prices, events = [], [], [], [], [], []
    seen_keys: dict[str, int] = {}
    for i, m in enumerate(snap.models, start=1):
        if m.base_id not in seen_keys:
            seen_keys[m.base_id] = len(seen_keys) + 1
            models.append((seen_keys[m.base_id], m.base_id, m.vendor, m.name, stamp, 0, "unknown", stamp))
        model_id = seen_keys[m.base_id]
        crosswalk.append((model_id, "openrouter", m.id, "exact-id", 1.0, stamp))
        meaningful = m.meaningful()
        observations.append(
            (
                i,
                "openrouter",
                m.id,
                stamp,
                None,
                None,
                None,
                200,
                None,
                content_hash(meaningful),
                json.dumps(meaningful),
            )
        )
        listings.append(
            (
                m.id,
                model_id,
                m.base_id,
                m.variant,
                m.name,
                m.description,
                m.context_length,
                "listed",
                stamp,
                stamp,
                content_hash(meaningful),
                i,
            )
        )
        for p in m.prices:
            prices.append(
                (
                    "openrouter",
                    m.id,
                    model_id,
                    p.component,
                    p.tier,
                    p.min_prompt_tokens,
                    str(p.status),
                    format_decimal(p.usd_per_mtok) if p.usd_per_mtok is not None else None,
                    format_decimal(p.usd_per_unit) if p.usd_per_unit is not None else None,
                    p.unit,
                    p.raw,
                    stamp,
                    i,
                )
            )
        events.append(("model_added", m.id, model_id, "openrouter", stamp, json.dumps({"name": m.name}), stamp))
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA cache_size=-{STORE_CACHE_MIB * 1024}")  # the storing connection's page cache
    started, times_started, written_started = time.perf_counter(), os.times(), _write_bytes()
    with conn:
        conn.executemany(
            "INSERT INTO models (id, key, vendor, name, first_seen_at, is_derivative, "
            "open_weight_status, updated_at) VALUES (?,?,?,?,?,?,?,?)",
            models,
        )
        conn.executemany(
            "INSERT INTO crosswalk (model_id, namespace, external_id, method, confidence, created_at) "
            "VALUES (?,?,?,?,?,?)",
            crosswalk,
        )
        conn.executemany(
            "INSERT INTO observations (id, source, subject, observed_at, run_id, url, fetched_at, "
            "http_status, response_hash, content_hash, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            observations,
        )
        conn.executemany(
            "INSERT INTO openrouter_listings (id, model_id, base_id, variant, name, description, "
            "context_length, status, first_seen_at, last_changed_at, content_hash, "
            "last_observation_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            listings,
        )
        conn.executemany(
            "INSERT INTO prices (source, subject, model_id, component, tier, min_prompt_tokens, status, "
            "usd_per_mtok, usd_per_unit, unit, raw, first_seen_at, observation_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            prices,
        )
        conn.executemany(
            "INSERT INTO events (kind, subject, model_id, source, detected_at, data, created_at) "
            "VALUES (?,?,?,?,?,?,?)",
            events,
        )
    committed = time.perf_counter()
    conn.close()  # part of the floor's time: the crawl's time includes its connection's close too
    closed, times = time.perf_counter(), os.times()
    seconds = closed - started
    user, system = times.user - times_started.user, times.system - times_started.system
    cpu = user + system
    written = (_write_bytes() or 0) - (written_started or 0)
    rows = sum(len(x) for x in (models, crosswalk, observations, listings, prices, events))
    print(
        f"{'executemany floor':<22} {seconds:7.2f} s  (CPU {cpu:6.2f} s: user {user:.2f}, system {system:.2f}; "
        f"disk writes {written / 2**20:.0f} MiB)  {len(snap.models) / seconds:9.0f} models/s  "
        f"rows added {rows:>8}  (inserts only; rows prepared beforehand; the close took "
        f"{closed - committed:.2f} s of it)"
    )
    return {
        "label": "executemany floor",
        "seconds": round(seconds, 2),
        "cpu": cpu,
        "models_per_s": round(len(snap.models) / seconds),
        "rows_added": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=50_000)
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    parser.add_argument("--naive-sample", type=int, default=5_000, help="models the naive ORM loop writes")
    args = parser.parse_args()

    payload = synthetic_listing(args.snapshot, args.models)
    body = json.dumps(payload).encode()
    print(f"synthetic listing: {len(payload['data'])} models, {len(body) / 1e6:.1f} MB of JSON")
    server = FakeServer().start()
    server.route("/robots.txt", Reply(404, b""))
    server.route("/api/v1/models", Reply(200, body, {"Content-Type": "application/json"}))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        settings = Settings(
            database_url=f"sqlite:///{db}",
            http=HttpSettings(
                allowed_hosts=("127.0.0.1",), autothrottle=False, timeout_seconds=300, max_response_bytes=1 << 30
            ),
            openrouter=OpenRouterSettings(url=f"{server.url}/api/v1"),
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        first = crawl(settings, "first crawl", len(payload["data"]), engine)
        second = crawl(settings, "unchanged re-crawl", len(payload["data"]), engine)
        engine.dispose()

        floor_db = Path(tmp) / "floor.db"
        floor_engine = make_engine(f"sqlite:///{floor_db}")
        upgrade(floor_engine)
        floor_engine.dispose()
        floor = executemany_floor(floor_db, payload)
        naive_db = Path(tmp) / "naive.db"
        naive_engine = make_engine(f"sqlite:///{naive_db}")
        upgrade(naive_engine)
        naive_engine.dispose()
        naive = naive_orm_floor(f"sqlite:///{naive_db}", payload, args.naive_sample)
    server.stop()
    ratio = first["models_per_s"] / floor["models_per_s"]
    print(
        f"first crawl at {ratio:.0%} of the executemany rate (aim ≥ 40 %), "
        f"{first['models_per_s'] / naive['models_per_s']:.1f}× the naive ORM loop (aim ≥ 10×); "
        f"peak RSS {max(first['rss_mib'], second['rss_mib']):.0f} MiB (aim < 300); "
        f"unchanged re-crawl added {second['rows_added']} rows"
    )
    models = len(payload["data"])
    if first["cpu"] and floor["cpu"] and naive["cpu"]:
        print(
            f"in CPU seconds: first crawl (the whole child: Scrapy, parse, normalize, store) at "
            f"{floor['cpu'] / first['cpu']:.0%} of the executemany floor, "
            f"{(models / first['cpu']) / (naive['models'] / naive['cpu']):.1f}× the naive ORM loop"
        )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
