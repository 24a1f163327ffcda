"""Precision and recall of claim extraction per attribute, on the hand-labelled key.

Usage: python benchmarks/eval_extraction.py [--corpus ../shared/corpus] [--misses]

Reads every ``tests/claims/key/*.json``, runs the extraction rules over the
document it names (the same reader and rules as a crawl) and prints, per
attribute, how many labelled claims were found (recall) and how many extracted
claims are right (precision). ``--misses`` also lists what was missed or wrong.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.extract.evaluation import Evaluation, evaluate, key_set  # noqa: E402


def pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--key", type=Path, default=ROOT / "tests" / "claims" / "key")
    parser.add_argument("--misses", action="store_true", help="list the missed and the wrong claims")
    args = parser.parse_args()
    keys = sorted(args.key.glob("*.json"))
    for name in ("tuning", "held-out", "all"):
        chosen = [k for k in keys if name == "all" or key_set(k) == name]
        started = time.perf_counter()
        result = evaluate(chosen, args.corpus)
        seconds = time.perf_counter() - started
        print(f"\n== {name}: {len(chosen)} documents, {result.total().labelled} labelled claims ({seconds:.2f}s)")
        report(result, misses=args.misses and name != "all")
    return 0


def report(result: Evaluation, *, misses: bool) -> None:
    print(f"{'attribute':<16}{'labelled':>9}{'extracted':>10}{'found':>7}  precision  recall")
    for attribute, s in result.per_attribute.items():
        if not s.labelled and not s.extracted:
            continue
        print(f"{attribute:<16}{s.labelled:>9}{s.extracted:>10}{s.found:>7}  {pct(s.precision):>9}  {pct(s.recall)}")
    t = result.total()
    print(f"{'all':<16}{t.labelled:>9}{t.extracted:>10}{t.found:>7}  {pct(t.precision):>9}  {pct(t.recall)}")
    print()
    print(f"{'document':<28}{'labelled':>9}{'extracted':>10}{'found':>7}")
    for name, s in result.per_document.items():
        print(f"{name:<28}{s.labelled:>9}{s.extracted:>10}{s.found:>7}")
    if misses:
        print("\nmissed (labelled, not extracted):")
        for name, k in result.misses:
            print(f"  {name}: {k}")
        print("\nwrong (extracted, not labelled):")
        for name, k in result.spurious:
            print(f"  {name}: {k}")


if __name__ == "__main__":
    raise SystemExit(main())
