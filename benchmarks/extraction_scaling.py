"""Extraction time against document size on adversarial documents: growth must be linear.

Usage: python benchmarks/extraction_scaling.py [--max-kib 512] [--repeat 3]

Each generator builds a hostile document of a given size (a digit run inside a
parameter statement, one endless sentence, an endless word, a table row of
thousands of cells, thousands of model mentions, nested brackets, a plausible
post repeated). For sizes doubling from 16 KiB, the script prints the best of
``--repeat`` extraction CPU times and, for each doubling, the ratio to the previous
size: about 2 is linear; about 4 would be quadratic. The floor printed beside
them is the time to scan the same text once with a trivial regex, measured in
the same run, so the figures are comparable across machines. Not a timed test.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.extract import extract_claims  # noqa: E402


def digits(size: int) -> str:
    return "XModel-7B has " + "9" * size + " billion parameters."


def spaced_digits(size: int) -> str:
    return "XModel-7B has " + "9 " * (size // 2) + "billion parameters."


def long_sentence(size: int) -> str:
    words = "the model with a context window of tokens and parameters under license "
    return "Qwen3-Max " + (words * (size // len(words) + 1))[:size] + "."


def capitalised_words(size: int) -> str:
    return "Qwen3-Max " + "Aaa " * (size // 4) + "is 7B."


def long_word(size: int) -> str:
    return "Qwen3-" + "A" * size + " has 7B parameters."


def wide_row(size: int) -> str:
    cells = size // 8
    return (
        "| Model | "
        + " | ".join("MMLU" for _ in range(cells))
        + " |\n|---|\n| Qwen3-8B | "
        + " | ".join("85.1" for _ in range(cells))
        + " |"
    )


def mentions(size: int) -> str:
    return ", ".join(f"Qwen3-{i % 999}B" for i in range(size // 10)) + " are open-weight."


def brackets(size: int) -> str:
    return "Llama 4 (" * (size // 18) + "17B" + ")" * (size // 18) + " active parameters."


def repeated_post(size: int) -> str:
    post = (
        "Today we release Qwen3-235B-A22B, with 235 billion total parameters and 22 billion activated. "
        "It supports a context window of 128K tokens and is licensed under Apache 2.0. "
        "It scores 85.2% on MMLU and costs $1.20 per million input tokens.\n\n"
        "| Model | Context Length | License |\n|---|---|---|\n| Qwen3-8B | 32K | Apache 2.0 |\n\n"
    )
    return (post * (size // len(post) + 1))[:size]


GENERATORS: dict[str, Callable[[int], str]] = {
    "digit run": digits,
    "spaced digits": spaced_digits,
    "one long sentence": long_sentence,
    "capitalised words": capitalised_words,
    "one long word": long_word,
    "wide table row": wide_row,
    "many mentions": mentions,
    "nested brackets": brackets,
    "repeated post": repeated_post,
}


def best(fn: Callable[[], object], repeat: int) -> float:
    """The least CPU time of ``repeat`` runs (process time: other processes on a shared machine do not count)."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-kib", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = []
    size = 16 * 1024
    while size <= args.max_kib * 1024:
        sizes.append(size)
        size *= 2
    floor_pattern = re.compile(r"\d+")
    worst = 0.0
    print(f"{'document':<20}{'size':>9}{'seconds':>10}{'ratio':>8}{'floor s':>10}{'claims':>8}")
    for name, make in GENERATORS.items():
        previous = None
        for size in sizes:
            text = make(size)
            seconds = best(lambda text=text: extract_claims(text), args.repeat)
            floor = best(lambda text=text: sum(1 for _ in floor_pattern.finditer(text)), args.repeat)
            claims = len(extract_claims(text))
            ratio = seconds / previous if previous else None
            if ratio is not None and size >= 64 * 1024:
                worst = max(worst, ratio)
            shown = f"{ratio:8.2f}" if ratio is not None else f"{'':8}"
            print(f"{name:<20}{len(text) // 1024:>7}Ki{seconds:>10.3f}{shown}{floor:>10.4f}{claims:>8}")
            previous = seconds
    print(f"\nworst ratio per doubling (from 64 KiB on): {worst:.2f} (2 = linear, 4 = quadratic)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
