"""Benchmark scores in sentences: number first or name first, comparisons."""

from __future__ import annotations

import re
from typing import Any

from tracker.extract.benchnames import BenchmarkName, measure_of, resolve_benchmark, settings_of
from tracker.extract.quantities import (
    parse_number,
)
from tracker.extract.sentences.context import _Context, _emit, _Here, _Sub, _subject
from tracker.extract.sentences.prices import _decimal_text

_SCORE_ON = re.compile(
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%|percent)?(?:\s+(?P<k>pass@\d+))?\s+(?:on|in|at)\s+(?:the\s+)?"
    r"(?P<bench>[A-Z][A-Za-z0-9.'’+\-]*(?:\s+(?:[A-Z][A-Za-z0-9.'’+\-]*|v\d+(?:\.\d+)?|\d{4}|Verified|Diamond|Pro|"
    r"Hard|Bench|Lite|Multilingual|test|benchmark|eval)){0,6})",
)
#: "scores 93.1 on the long text evaluation benchmark RULER", "100% accuracy in the 1M length Passkey Retrieval task"
_SCORE_ON_DESCRIBED = re.compile(
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%|percent)?(?:\s+accuracy)?\s+(?:on|in)\s+the\s+"
    r"(?:(?:[a-z0-9][\w-]*)\s+){0,5}?(?:(?:benchmark|test|evaluation|dataset)\s+(?P<bench>[A-Z][\w.+'’-]*)"
    r"|(?P<task>[A-Z][\w.+-]*(?:\s+[A-Z][\w.+-]*){0,3})\s+(?:task|benchmark|test)\b)"
)
#: "surpassing GPT-4's 91.6 and GLM4-9B-1M's 89.9": the compared models' own scores on the same benchmark
_POSSESSIVE_SCORE = re.compile(r"\s*['’]s\s+(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%)?(?!\d|\.\d)")
#: "MMLU-Pro (27B: 67.5)": a score of the topic model's 27B size
_SIZE_SCORE = re.compile(
    r"(?<![\w.'’+-])(?P<bench>[A-Z][A-Za-z0-9.'’+\-]*(?:\s+[A-Z][A-Za-z0-9.'’+\-]*){0,2})\s+\((?P<size>\d+(?:\.\d+)?[BM]):\s*"
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%)?\)"
)
_SCORE_OF = re.compile(
    r"(?:score|scores|scored|scoring|achieves?|achieved|achieving|reaching|reaches|reached|hits?|posts?|posted)"
    r"\s+(?:a\s+(?:\w+\s+)?score\s+of\s+|an?\s+)?(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%|percent)?\s+(?:on|in)\s+"
    r"(?:the\s+)?(?P<bench>[A-Z][A-Za-z0-9.'’+\-]*(?:\s+[A-Z0-9][A-Za-z0-9.'’+\-]*){0,6})",
)
#: "SWE-bench Verified tests (71.6%)"
_BENCH_PAREN_SCORE = re.compile(
    r"(?P<bench>\b[A-Z][A-Za-z0-9.'’+\-]*(?:\s+[A-Z][A-Za-z0-9.'’+\-]*){0,6}(?:\s+(?:tests?|benchmarks?))?)\s+"
    r"\((?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%)\)"
)
_BENCH_THEN_SCORE = re.compile(
    r"(?P<bench>\b[A-Z][A-Za-z0-9.'’+\-]*(?:\s+(?:[A-Z][A-Za-z0-9.'’+\-]*|v\d+|\d{4})){0,6})\s*(?:score\s+)?(?::|of|=)\s*"
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s?(?P<pct>%|percent)?(?![\d.])"
)


def _bench_name(candidate: str) -> tuple[Any, str] | None:
    """Longest leading run of words of ``candidate`` that the alias table knows (or an unknown name the
    sentence calls a test or benchmark: ``OpenAI's GDPval test``)."""
    candidate = re.sub(r"^[A-Z][\w-]*['’]s\s+", "", candidate)  # "OpenAI's GDPval" → "GDPval"
    named = re.match(
        r"([A-Z][\w.+-]*[A-Za-z0-9](?:\s+[A-Z][\w.+-]*[A-Za-z0-9])*)\s+(?:tests?|benchmarks?|evals?|evaluation|leaderboard)\b",
        candidate,
    )
    if named:
        resolved = resolve_benchmark(named.group(1))
        if resolved is not None:
            return resolved, named.group(1)
    words = candidate.split()
    for size in range(min(len(words), 5), 0, -1):
        name = " ".join(words[:size]).rstrip(".,;:'’")
        resolved = resolve_benchmark(name)
        if resolved is not None and resolved.known:
            return resolved, name
    return None


def _benchmarks(ctx: _Context, here: _Here) -> None:
    text = here.text
    taken: list[tuple[int, int]] = []
    sized = re.compile(r"\d+(?:\.\d+)?[BM]\b")
    family = next((m.text for m in here.mentions if not sized.search(m.text)), None)
    if family is None:
        family = ctx.topic.text if ctx.topic is not None else ctx.document_subject
    for match in _SIZE_SCORE.finditer(text):
        bench = resolve_benchmark(re.sub(r"^(?:like|as|and|or|such as)\s+", "", match.group("bench")))
        value = parse_number(match.group("num"))
        if bench is None or value is None or family is None or sized.search(family):
            continue
        taken.append((match.start(), match.end()))
        _emit(
            ctx,
            here,
            _Sub(f"{family} {match.group('size')}", "context"),
            "benchmark",
            _decimal_text(value),
            qualifier=bench.qualifier,
            value_num=value,
            unit="%" if match.group("pct") else "score",
            extra={"benchmark": bench.name, "known": bench.known, "settings": bench.settings},
        )
    scored: list[tuple[int, BenchmarkName, str]] = []
    for pattern in (_SCORE_ON_DESCRIBED, _SCORE_OF, _SCORE_ON, _BENCH_PAREN_SCORE, _BENCH_THEN_SCORE):
        for match in pattern.finditer(text):
            if any(s <= match.start("num") < e for s, e in taken):
                continue
            described = pattern is _SCORE_ON_DESCRIBED
            group = "bench" if not described or match.group("bench") else "task"
            found = _bench_name(match.group(group)) if not described else _described_bench(match.group(group))
            if found is None:
                continue
            bench, name = found
            value = parse_number(match.group("num"))
            if value is None or (value > 100 and not match.group("pct")):
                continue
            if value > 100:
                continue
            start = min(match.start("num"), match.start(group))
            end = max(match.end("num"), match.start(group) + len(name))
            taken.append((start, end))
            sub = _subject(ctx, here, start, end)
            if sub is None:
                continue
            window = text[max(0, start - 60) : end + 40]
            k = match.groupdict().get("k")
            settings = settings_of(bench.settings, k or "", _mode_near(window, sub.mention))
            metric = bench.metric or measure_of(k or "", text[end : end + 12])
            bench = BenchmarkName(bench.name, bench.known, settings, metric)
            unit = "%" if match.group("pct") else "score"
            _emit(
                ctx,
                here,
                sub,
                "benchmark",
                _decimal_text(value),
                qualifier=bench.qualifier,
                value_num=value,
                unit=unit,
                extra={
                    "benchmark": bench.name,
                    "known": bench.known,
                    "settings": settings,
                    "as_written": name,
                    **({"metric": metric} if metric else {}),
                },
            )
            scored.append((end, bench, settings))
    _possessive_scores(ctx, here, scored)


def _described_bench(name: str) -> tuple[Any, str] | None:
    """A benchmark a sentence names as one (``the benchmark RULER``, ``the Passkey Retrieval task``)."""
    name = name.rstrip(".,;:'’")
    resolved = resolve_benchmark(name)
    return (resolved, name) if resolved is not None else None


def _possessive_scores(ctx: _Context, here: _Here, scored: list[tuple[int, BenchmarkName, str]]) -> None:
    """``…, surpassing GPT-4's 91.6 and GLM4-9B-1M's 89.9``: each possessive mention after a score has its own,
    on the benchmark of the nearest score before it."""
    for mention in here.mentions:
        before = [entry for entry in scored if entry[0] <= mention.start and mention.start - entry[0] <= 120]
        if not before:
            continue
        _, bench, settings = max(before, key=lambda entry: entry[0])
        match = _POSSESSIVE_SCORE.match(here.text, mention.end)
        value = parse_number(match.group("num")) if match else None
        if match is None or value is None or value > 100:
            continue
        _emit(
            ctx,
            here,
            _Sub(mention.text, "sentence"),
            "benchmark",
            _decimal_text(value),
            qualifier=bench.qualifier,
            value_num=value,
            unit="%" if match.group("pct") else "score",
            extra={"benchmark": bench.name, "known": bench.known, "settings": settings, "compared": "true"},
        )


def _mode_near(window: str, mention: str | None) -> str:
    if re.search(r"with thinking|thinking mode|reasoning mode", window, re.IGNORECASE):
        return "thinking"
    return ""
