"""Benchmark names as prose and tables write them → canonical name + settings.

Names go through the shared alias table (:func:`tracker.normalize.benchmarks.canonical_name`),
so ``AIME'24``, ``AIME24`` and ``AIME 2024 (Pass@1)`` are all ``AIME 2024``. The
settings are written like the Hub's model-index scores (``5-shot; pass@1;
thinking``), so a score from a blog table and the same score from a card's
model-index get the same qualifier. A name the table does not know is kept as
written without its parenthesised metric (``C-Eval (Acc.)`` → ``C-Eval``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.normalize.benchmarks import canonical_name

_PAREN = re.compile(r"\(([^)]*)\)")
_METRIC_WORDS = re.compile(
    r"^(acc\.?|accuracy|em|f1|pass@\d+.*|mc\d|exact match|score|bpb|correct|resolved|percentile|rating|elo|"
    r"strict.*|prompt strict|avg.*|average|win.?rate|lc|wr|%|pts?)$",
    re.IGNORECASE,
)


_TRAILING_METRIC = re.compile(
    r"\s+(?:pass@\d+|cons@\d+|avg@\d+|maj@\d+|rating|elo|percentile|acc(?:uracy)?|em|f1|score)\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class BenchmarkName:
    name: str
    known: bool
    settings: str
    #: What the number measures when it is not an accuracy-like score: ``percentile``, ``rating``, ``elo``,
    #: ``pass@5``, ``win_rate`` (the comparability contract's ``metric``; "" = score).
    metric: str = ""

    @property
    def qualifier(self) -> str:
        text = f"{self.name} [{self.settings}]" if self.settings else self.name
        return text[:255]


def settings_of(*texts: str) -> str:
    """``5-shot; pass@1; thinking; tools`` from a label, a metric, a shots cell or a column header."""
    joined = " ".join(re.sub(r"^\s*(\d+)\s*$", r"\1-shot", t) for t in texts if t)  # a "# Shots" cell: "5"
    parts: list[str] = []
    shots = re.search(r"(\d+)\s*-?\s*shots?\b", joined, re.IGNORECASE)
    if shots:
        parts.append(f"{int(shots.group(1))}-shot")
    elif re.search(r"zero[- ]shot", joined, re.IGNORECASE):
        parts.append("0-shot")
    k = re.search(r"pass@(\d+)", joined, re.IGNORECASE)
    if k:
        parts.append(f"pass@{k.group(1)}")
    if re.search(r"\bcot\b", joined, re.IGNORECASE):
        parts.append("cot")
    if re.search(r"non[- ]?thinking|w/o (extended )?thinking|without (extended )?thinking|no[- ]think", joined, re.I):
        parts.append("non-thinking")
    elif re.search(r"\bthinking\b|reasoning mode|extended thinking", joined, re.IGNORECASE):
        parts.append("thinking")
    if re.search(r"\b(w/|with)\s*tools?\b|\btool[- ]use\b", joined, re.IGNORECASE):
        parts.append("tools")
    return "; ".join(parts)


_MEASURES = (
    (re.compile(r"\bpercentile\b", re.IGNORECASE), "percentile"),
    (re.compile(r"\belo\b", re.IGNORECASE), "elo"),
    (re.compile(r"\brating\b", re.IGNORECASE), "rating"),
    (re.compile(r"\bwin[ _-]?rate\b|\bwr\b", re.IGNORECASE), "win_rate"),
)


def measure_of(*texts: str) -> str:
    """``Codeforces (Percentile)`` → ``percentile``; ``Rating`` → ``rating``; ``pass@5`` → ``pass@5``; else ""."""
    joined = " ".join(t for t in texts if t)
    for pattern, measure in _MEASURES:
        if pattern.search(joined):
            return measure
    k = re.search(r"pass@(\d+)", joined, re.IGNORECASE)
    return f"pass@{k.group(1)}" if k else ""


def resolve_benchmark(label: str, *, metric: str = "", shots: str = "", column: str = "") -> BenchmarkName | None:
    """The canonical benchmark of a table row label or prose name; None when it names nothing."""
    text = re.sub(r"\s+", " ", label.replace("*", "")).strip(" :")
    text = re.sub(r"[^A-Za-z0-9)\]+%]+$", "", text).strip()  # "MT-Bench score ⬇️" → "MT-Bench score"
    if not text or not re.search(r"[A-Za-z]", text):
        return None
    name, known = canonical_name(text)
    trailing = _TRAILING_METRIC.search(text)
    if not known and trailing:
        # "AIME 2024 pass@1", "CodeForces rating": the metric written after the name
        name, known = canonical_name(text[: trailing.start()])
        if known:
            metric = " ".join(filter(None, (metric, trailing.group(0).strip())))
    if not known:
        # the name without its parenthesised metric/settings (and a metric written after it)
        bare = text[: trailing.start()] if trailing else text
        name = _PAREN.sub("", bare).strip(" -:")
        if not name:
            return None
        if len(name) > 80:
            return None
    parens = [p.strip() for p in _PAREN.findall(text)]
    settings = settings_of(" ".join(p for p in parens if not _METRIC_WORDS.match(p) or "@" in p), metric, shots, column)
    extra: list[str] = []
    subset = next((p for p in parens if p and not _METRIC_WORDS.match(p) and not settings_of(p)), None)
    if subset:
        extra.append(f"subset={subset}")
    metric_text = re.sub(r"\s+", " ", metric).strip()
    if metric_text and not _METRIC_WORDS.match(metric_text) and not settings_of(metric_text):
        extra.append(f"metric={metric_text}")
    measure = measure_of(label, metric)
    if measure in ("percentile", "rating", "elo", "win_rate") and f"metric={measure}" not in " ".join(extra).lower():
        extra.append(f"metric={measure}")  # a percentile is never compared with a rating of the same benchmark
    settings = "; ".join(p for p in (settings, *extra) if p)
    return BenchmarkName(name=name, known=known, settings=settings, metric=measure)


def is_metric_label(text: str) -> bool:
    return bool(_METRIC_WORDS.match(text.strip()))
