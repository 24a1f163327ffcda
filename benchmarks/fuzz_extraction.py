"""Fuzz claim extraction: 10,000 random hostile documents, every uncaught exception printed (aim: 0).

Usage: python benchmarks/fuzz_extraction.py [--examples 10000] [--seed 13] [--max-pieces 80]

Documents are built from the pieces real pages are made of (model names, units,
licence and price words, table rows, check glyphs, mojibake, control characters,
overlong and exotic numbers: tests/extract/hostile_text.py), recombined at random,
plus raw random Unicode. Every claim is checked as the property test checks it
(exact quote span, typed value). Prints the failures (first few in full), the
examples per second and the slowest document.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "extract"))

from hostile_text import document  # noqa: E402
from test_extraction_properties import check_claim  # noqa: E402

from tracker.extract import extract_claims  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-pieces", type=int, default=80)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures: list[tuple[str, str]] = []
    claims = 0
    slowest = (0.0, 0)
    started = time.perf_counter()
    for i in range(args.examples):
        if i % 10 == 9:
            text = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(0, 400)))
        else:
            text = document(rng.choice, rng.randrange(1, args.max_pieces))
        one = time.perf_counter()
        try:
            found = extract_claims(text)
            for claim in found:
                check_claim(text, claim)
            claims += len(found)
        except Exception:  # a fuzzer reports every failure
            failures.append((text, traceback.format_exc()))
        slowest = max(slowest, (time.perf_counter() - one, i))
    seconds = time.perf_counter() - started
    print(f"{args.examples} documents, {claims} claims, {seconds:.1f} s ({args.examples / seconds:.0f} documents/s)")
    print(f"slowest document: #{slowest[1]}, {slowest[0] * 1000:.0f} ms")
    print(f"uncaught exceptions or broken claims: {len(failures)} (aim: 0)")
    for text, trace in failures[:5]:
        print("\n--- document:", repr(text[:300]))
        print(trace)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
