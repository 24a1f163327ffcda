"""Precision and recall of claim extraction per attribute and per document shape, on the labelled key.

Usage: python benchmarks/eval_extraction.py [--corpus ../shared/corpus] [--misses] [--no-timing]

Reads every ``tests/claims/key/*.json``, runs the extraction rules over the
document it names (the same reader and rules as a crawl) and prints, for each
split — ``tuning`` (rules developed on it), ``held-out`` (labelled after the
first rules, then tuned on), ``untouched`` (labelled before any rule change
for it, never tuned on) — per attribute and per shape, how many labelled claims
were found (recall) and how many extracted claims are right (precision).
``--misses`` also lists what was missed or wrong (never for the untouched
split: its single misses are not to be fixed one by one).

Then it extracts every document of the corpus (vendor posts, press, Hub cards)
and prints the average extraction time per document.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.extract import extract_claims  # noqa: E402
from tracker.extract.benchnames import resolve_benchmark  # noqa: E402
from tracker.extract.evaluation import (  # noqa: E402
    Evaluation,
    Scores,
    document_path,
    evaluate,
    key_set,
    read_article_file,
)
from tracker.extract.headers import header_role  # noqa: E402
from tracker.extract.mentions import find_mentions  # noqa: E402
from tracker.extract.text import segment  # noqa: E402

SPLITS = ("tuning", "held-out", "untouched")


def pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.1%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--key", type=Path, default=ROOT / "tests" / "claims" / "key")
    parser.add_argument("--misses", action="store_true", help="list the missed and the wrong claims (not untouched)")
    parser.add_argument("--no-timing", action="store_true", help="skip the whole-corpus timing")
    args = parser.parse_args()
    keys = sorted(args.key.glob("*.json"))
    groups = {name: [k for k in keys if key_set(k) == name] for name in SPLITS}
    groups["tuning + held-out"] = groups["tuning"] + groups["held-out"]
    groups["all"] = keys
    for name, chosen in groups.items():
        result = evaluate(chosen, args.corpus)
        print(f"\n== {name}: {len(chosen)} documents, {result.total().labelled} labelled claims")
        report(result, misses=args.misses and name in ("tuning", "held-out"), documents=name in SPLITS)
    unknown(keys, args.corpus)
    if not args.no_timing:
        timing(args.corpus)
    return 0


def known_benchmark(cell: str) -> bool:
    bench = resolve_benchmark(cell)
    return bench is not None and bench.known


def unknown(keys: list[Path], corpus: Path) -> None:
    """Table headers of the key's documents that no role was accepted for: reported, never guessed."""
    import json
    from collections import Counter

    seen: Counter[str] = Counter()
    for path in keys:
        data = json.loads(path.read_text(encoding="utf-8"))
        article = read_article_file(document_path(path, data, corpus))
        for table in segment(article.text).tables:
            cells = table.header.cells if table.header is not None else (table.rows[0].cells if table.rows else ())
            for cell in cells:
                role = header_role(cell)
                if role.role == "unknown" and not find_mentions(cell) and not known_benchmark(cell):
                    seen[role.normalised] += 1
    print(f"\n== unknown table headers: {len(seen)} distinct (review them into tracker/extract/headers.py)")
    print(", ".join(f"{name} ({n})" for name, n in seen.most_common(40)))


def line(label: str, s: Scores, width: int = 36) -> str:
    return f"{label:<{width}}{s.labelled:>9}{s.extracted:>10}{s.found:>7}  {pct(s.precision):>9}  {pct(s.recall)}"


def report(result: Evaluation, *, misses: bool, documents: bool) -> None:
    print(f"{'attribute':<36}{'labelled':>9}{'extracted':>10}{'found':>7}  precision  recall")
    for attribute, s in result.per_attribute.items():
        if s.labelled or s.extracted:
            print(line(attribute, s))
    print(line("all", result.total()))
    print(f"\n{'shape':<36}{'labelled':>9}{'extracted':>10}{'found':>7}  precision  recall")
    for shape, s in sorted(result.per_shape.items()):
        print(line(shape, s))
    if documents:
        print(f"\n{'document':<36}{'labelled':>9}{'extracted':>10}{'found':>7}  precision  recall")
        for name, s in result.per_document.items():
            print(line(name, s))
    if misses:
        print("\nmissed (labelled, not extracted):")
        for name, k in result.misses:
            print(f"  {name}: {k}")
        print("\nwrong (extracted, not labelled):")
        for name, k in result.spurious:
            print(f"  {name}: {k}")


def timing(corpus: Path) -> None:
    paths = sorted(
        p
        for folder in ("blogs", "press", "huggingface/cards")
        for p in (corpus / folder).rglob("*")
        if p.is_file() and p.suffix in (".md", ".txt", ".html") and p.name != "SOURCES.md"
    )
    articles = [read_article_file(p) for p in paths]
    started = time.perf_counter()
    claims = 0
    slowest = (0.0, "")
    for path, article in zip(paths, articles, strict=True):
        one = time.perf_counter()
        claims += len(extract_claims(article.text, title=article.title, published=article.published_at))
        took = time.perf_counter() - one
        slowest = max(slowest, (took, path.name))
    seconds = time.perf_counter() - started
    size = sum(len(a.text) for a in articles)
    print(f"\n== timing: {len(paths)} corpus documents ({size / 1e6:.2f} M characters), {claims} claims")
    print(f"extraction: {seconds:.2f} s in all, {seconds / len(paths) * 1000:.1f} ms per document on average")
    print(f"slowest: {slowest[0] * 1000:.0f} ms ({slowest[1]}); aim: under 1 s per document on average")


if __name__ == "__main__":
    raise SystemExit(main())
