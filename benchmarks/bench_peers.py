"""Benchmark: parse every recorded peer catalog and weigh it against the recorded OpenRouter history.

For each file, prints the time to parse it (decode + normalize, every entry accounted for) beside its floor
measured in the same run (``json.loads`` / ``csv`` reading / reading the TOML files alone), the entries and
rejections, then the time to build the OpenRouter history from the 15 snapshots and to weigh each catalog.

    .venv/bin/python benchmarks/bench_peers.py [--corpus ../shared/corpus] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "peers"))
sys.path.insert(0, str(REPO / "tests"))

from peer_data import GENAI, LITELLM_NEW, LITELLM_OLD, MODELSDEV, utc  # noqa: E402

from tracker.backfill import observed_at_from_name  # noqa: E402
from tracker.normalize.openrouter import snapshot_from_payload  # noqa: E402
from tracker.normalize.peers.formats import parse_catalog  # noqa: E402
from tracker.peers.compare import compare_catalog, tally  # noqa: E402
from tracker.peers.load import parse_modelsdev_tree  # noqa: E402
from tracker.peers.primary import build_history, model_points  # noqa: E402


def row(label: str, seconds: float, floor: float, parse: Any) -> str:
    counts = f"{len(parse.entries):8} {len(parse.rejected):8} {len(parse.ignored):8}"
    return f"{label:58} {seconds:8.3f} {floor:8.3f} {counts}"


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    peers = args.corpus / "peers"
    parses = {}
    print(f"{'file':58} {'parse s':>8} {'floor s':>8} {'entries':>8} {'rejected':>8} {'ignored':>8}")
    for catalog, (path, version, date) in (
        ("litellm", LITELLM_OLD),
        ("litellm", LITELLM_NEW),
        ("genai-prices", GENAI),
    ):
        body = (peers / path).read_bytes()
        floor, _ = best(lambda body=body: json.loads(body), args.repeat)
        seconds, parse = best(
            lambda body=body, c=catalog, v=version, d=date: parse_catalog(c, body, version=v, snapshot_at=utc(d)),
            args.repeat,
        )
        parses[parse.source] = parse
        print(row(path, seconds, floor, parse))
    for name in sorted((peers / "epoch").glob("*.csv")):
        body = name.read_bytes()
        floor, _ = best(lambda body=body: list(csv.DictReader(io.StringIO(body.decode()))), args.repeat)
        seconds, parse = best(
            lambda body=body: parse_catalog("epoch", body, version="x", snapshot_at=None), args.repeat
        )
        print(row(f"epoch/{name.name}", seconds, floor, parse))
    root = peers / MODELSDEV[0]
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix == ".toml"]

    def read_toml() -> list[Any]:
        out = []
        for path in files:
            try:
                out.append(tomllib.loads(path.read_text()))
            except tomllib.TOMLDecodeError:  # a git symlink stub
                out.append(None)
        return out

    floor, _ = best(read_toml, args.repeat)
    seconds, parse = best(
        lambda: parse_modelsdev_tree(root, version=MODELSDEV[1], snapshot_at=utc(MODELSDEV[2])), args.repeat
    )
    parses[parse.source] = parse
    print(row("models.dev/ (TOML tree → api.json shape)", seconds, floor, parse))

    snapshots = sorted((args.corpus / "openrouter").glob("models-*.json"))

    def history() -> Any:
        items = []
        for path in snapshots:
            at = observed_at_from_name(path)
            snap = snapshot_from_payload(json.loads(path.read_bytes()), observed_at=at)
            items.append((at, {m.id: model_points(m) for m in snap.models}))
        return build_history(items)

    floor, _ = best(lambda: [json.loads(p.read_bytes()) for p in snapshots], args.repeat)
    seconds, hist = best(history, args.repeat)
    print(
        f"\nOpenRouter history from {len(snapshots)} snapshots: {seconds:.3f} s (json.loads floor {floor:.3f} s), "
        f"{len(hist)} series"
    )
    ids = {key[0] for key in hist}
    for source, parse in parses.items():
        seconds, comparisons = best(lambda parse=parse: compare_catalog(parse, hist, ids), args.repeat)
        rows = {t.attribute: t for t in tally(comparisons)}
        prompt = rows.get("price:prompt")
        figures = (
            f"input prices {prompt.compared} compared, {prompt.stale} stale, {prompt.wrong} wrong"
            if prompt
            else "nothing compared"
        )
        print(f"weigh {source:28} {seconds:8.3f} s  {len(comparisons):6} values  {figures}")


if __name__ == "__main__":
    main()
