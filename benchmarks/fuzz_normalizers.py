"""Fuzz every normalizer: 10,000 hostile inputs per target; prints uncaught exceptions (aim: 0).

The inputs and the guarantees are those of the property tests (``tests/unit/fuzz_targets.py``):
a normalizer returns a value within the bounds both databases accept, or a named rejection.
The floor printed beside each figure is the time to merely generate inputs (measured on a tenth of
them in the same run, scaled to the same count): what the normalizers add is the difference.

    .venv/bin/python benchmarks/fuzz_normalizers.py [--examples 10000] [--only openrouter]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "unit"))

from fuzz_targets import TARGETS, Target  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402


def run(target: Target, examples: int, check: bool) -> tuple[int, int, float, list[str]]:
    """(inputs, uncaught exceptions, seconds, first distinct failures)."""
    seen = 0
    failures: list[str] = []
    kinds: set[str] = set()

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(target.strategy)
    def fuzz(raw: object) -> None:
        nonlocal seen
        seen += 1
        if not check:
            return
        try:
            target.check(raw)
        except Exception as exc:  # every one is a finding
            kind = f"{type(exc).__name__}: {str(exc)[:120]}"
            failures.append(kind)
            if kind not in kinds and len(kinds) < 5:
                kinds.add(kind)
                print(f"  {target.name}: {kind} on {str(raw)[:160]!r}")
                traceback.print_exc(limit=-3)

    start = time.perf_counter()
    fuzz()
    return seen, len(failures), time.perf_counter() - start, sorted(kinds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--only", action="append", help="target name (repeatable)")
    args = parser.parse_args()
    total = 0
    print(f"{'target':<12} {'inputs':>7} {'uncaught':>8} {'seconds':>8} {'floor s':>8}")
    for target in TARGETS:
        if args.only and target.name not in args.only:
            continue
        sample = max(args.examples // 10, 1)
        generated, _, floor, _ = run(target, sample, check=False)
        floor *= args.examples / max(generated, 1)
        seen, uncaught, seconds, _kinds = run(target, args.examples, check=True)
        total += uncaught
        print(f"{target.name:<12} {seen:>7} {uncaught:>8} {seconds:>8.1f} {floor:>8.1f}")
    print(f"uncaught exceptions: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
