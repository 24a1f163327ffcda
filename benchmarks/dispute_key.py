"""The share of open disputes that are real, on the corpus world, against the hand-labelled key.

    .venv/bin/python benchmarks/dispute_key.py [--db PATH]

Builds the corpus world (``tests/verdicts/world.py``: three OpenRouter snapshots
backfilled, every recorded Hub organisation, every corpus blog and the press
crawled as feeds, the five seed articles checked) in a fresh SQLite file, or
reads an existing database with ``--db`` (migrated to head first), and labels
every open dispute from ``tests/verdicts/key/disputes.json``. Prints each
dispute with its label, the claim statuses, and the share of open disputes
that are real. The figure to compare with is the same key over a world built
by an older commit (``--db`` on that database): 6 of 47 real (13 %) at 070d211.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "verdicts")]
CORPUS = (ROOT.parent / "shared" / "corpus").resolve()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing database to label (default: build the world)")
    args = parser.parse_args()

    from dispute_key import classify
    from sqlalchemy import func, select
    from world import build_world

    from tracker.store.db import make_engine, make_sessionmaker, upgrade
    from tracker.store.tables import Claim, Dispute

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "world.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        seconds = 0.0
        if args.db is None:
            started = time.perf_counter()
            build_world(url, CORPUS)
            seconds = time.perf_counter() - started
        with make_sessionmaker(engine)() as session:
            result = classify(session)
            statuses = {s: n for s, n in session.execute(select(Claim.status, func.count()).group_by(Claim.status))}
            resolved = session.scalar(select(func.count()).select_from(Dispute).where(Dispute.status == "resolved"))
        engine.dispose()

    for d in result.disputes:
        print(f"  {d.label:<10} {d.model}  {d.attribute} {d.qualifier}".rstrip())
        print(f"             {d.summary[:160]}")
    total = len(result.disputes)
    real, false, unlabelled = result.count("real"), result.count("false"), result.count("unlabelled")
    print()
    if seconds:
        print(f"world built in {seconds:.0f} s")
    print(
        "claims: "
        + ", ".join(f"{k} {statuses.get(k, 0)}" for k in ("shown", "consistent", "outdated", "disputed", "unchecked"))
    )
    print(f"open disputes: {total} (resolved: {resolved})")
    print(f"real {real}, false {false}, unlabelled {unlabelled}")
    print(f"share of open disputes that are real: {result.share_real:.0%}  (aim: >= 95%)")
    return 0 if unlabelled == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
