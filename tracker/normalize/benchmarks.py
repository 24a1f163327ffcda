"""Benchmark scores from a card's ``model-index``: canonical name, value, unit, settings.

* Names go through the alias table ``data/benchmarks.toml`` (``MMLU (5-Shot)`` →
  ``MMLU``, ``ai2_arc`` + ``ARC-Challenge`` → ``ARC-Challenge``); a name the table
  does not know is kept as written (``known`` is False).
* Settings are kept apart from the name: shots (``args.num_few_shot`` or
  ``(25-Shot)``), ``pass@k``, thinking / non-thinking, tools, a subset or language
  (``XNLI (ar)``). ``qualifier`` = name + settings identifies a score for comparison.
* The value is an exact Decimal; the unit is ``%`` (0–100 percentages),
  ``fraction`` (0–1 ratios) or the metric itself (``perplexity``, ``wer``…).
* Reporter: ``vendor`` (self-reported, the card's own claim) unless the Hub marks
  the metric ``verified: true``, then ``aggregator`` (evaluated by the Hub).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from tracker.errors import TrackerError

#: Metric types whose values are percentages or ratios.
RATIO_METRICS = re.compile(
    r"^(acc|accuracy|acc_norm|exact_match|em|f1|pass@\d+|mc1|mc2|precision|recall|win[_ ]?rate|score|"
    r"normalized accuracy|strict accuracy|resolved|resolve rate|pass rate)",
    re.IGNORECASE,
)
MAX_RESULTS = 500


class BenchmarkTableError(TrackerError):
    """The benchmark alias data file is malformed."""


@dataclass(frozen=True, slots=True)
class BenchmarkScore:
    benchmark: str
    #: True when the name is in the alias table.
    known: bool
    settings: str
    value: Decimal
    unit: str
    metric: str
    reporter: str
    verified: bool
    #: The raw model-index entry, rendered as it was read (for the claim's quote).
    quote: str
    dataset: str | None = None
    task: str | None = None

    @property
    def qualifier(self) -> str:
        text = f"{self.benchmark} [{self.settings}]" if self.settings else self.benchmark
        return text[:255]

    def as_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "known": self.known,
            "settings": self.settings,
            "value": str(self.value),
            "unit": self.unit,
            "metric": self.metric,
            "reporter": self.reporter,
            "verified": self.verified,
            "dataset": self.dataset,
            "task": self.task,
        }


def alias_form(text: str, *, drop_parenthesised: bool = False) -> str:
    """Lower case without spaces, ``-``, ``_``, ``.``, quotes (and parentheses)."""
    if drop_parenthesised:
        text = re.sub(r"\([^)]*\)", "", text)
    return re.sub(r"[\s\-_.'’()]+", "", text.strip().lower())


@cache
def benchmark_aliases() -> dict[str, str]:
    raw = resources.files("tracker.normalize").joinpath("data/benchmarks.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise BenchmarkTableError(f"benchmarks.toml is not valid TOML: {exc}") from exc
    out: dict[str, str] = {}
    for row in data.get("benchmark", []):
        name = row.get("name")
        if not isinstance(name, str) or not name:
            raise BenchmarkTableError(f"benchmark entry without a name: {row!r}")
        for alias in (name, *row.get("aliases", [])):
            form = alias_form(str(alias))
            if form in out and out[form] != name:
                raise BenchmarkTableError(f"alias {alias!r} means both {out[form]} and {name}")
            out[form] = name
    return out


def canonical_name(name: str | None, dataset_type: str | None = None, config: str | None = None) -> tuple[str, bool]:
    """``(canonical name, known)`` for a model-index dataset."""
    canonical, known, _via = _resolve(name, dataset_type, config)
    return canonical, known


def _resolve(name: str | None, dataset_type: str | None, config: str | None) -> tuple[str, bool, str]:
    aliases = benchmark_aliases()
    candidates: list[tuple[str, str]] = []
    if config and dataset_type and alias_form(dataset_type.rsplit("/", 1)[-1]) == "ai2arc":
        candidates.append(("config", config))
    if name:
        candidates.append(("name", name))
    if dataset_type:
        candidates.extend([("type", dataset_type), ("type", dataset_type.rsplit("/", 1)[-1])])
    for via, candidate in candidates:
        found = aliases.get(alias_form(candidate)) or aliases.get(alias_form(candidate, drop_parenthesised=True))
        if found:
            return found, True, via
    fallback = (name or dataset_type or "unnamed benchmark").strip()
    return re.sub(r"\s+", " ", fallback)[:200], False, "raw"


_SETTING_WORDS = re.compile(r"shot|thinking|tools?", re.IGNORECASE)


def _settings(name: str | None, metric: str, args: Any, config: str | None, canonical: str, via: str) -> str:
    parts: list[str] = []
    shots = None
    if isinstance(args, Mapping):
        value = args.get("num_few_shot", args.get("n_shot", args.get("num_fewshot")))
        if isinstance(value, int) and not isinstance(value, bool):
            shots = value
    text = name or ""
    if shots is None:
        match = re.search(r"(\d+)\s*-?\s*shots?", text, re.IGNORECASE)
        if match:
            shots = int(match.group(1))
        elif re.search(r"zero[- ]shot", text, re.IGNORECASE):
            shots = 0
    if shots is not None:
        parts.append(f"{shots}-shot")
    k = re.search(r"pass@(\d+)", f"{metric} {text}", re.IGNORECASE)
    if k:
        parts.append(f"pass@{k.group(1)}")
    if re.search(r"non[- ]?thinking", text, re.IGNORECASE):
        parts.append("non-thinking")
    elif re.search(r"thinking|reasoning mode", text, re.IGNORECASE):
        parts.append("thinking")
    if re.search(r"\b(w/|with)\s*tools?\b|\btool[- ]use\b", text, re.IGNORECASE):
        parts.append("tools")
    subset = None
    if via == "type" and name:
        # the dataset's own name is the subset (HumanEvalPack reported per task)
        subset = re.sub(r"\s*\([^)]*(shot|thinking|tools?)[^)]*\)", "", name, flags=re.IGNORECASE).strip() or None
    else:
        paren = [p.strip() for p in re.findall(r"\(([^)]*)\)", text) if not _SETTING_WORDS.search(p)]
        if paren and paren[0]:
            subset = paren[0]
        elif via != "config" and config and alias_form(config) not in (alias_form(canonical), "default", "main", "all"):
            subset = config
    if subset:
        parts.append(f"subset={subset}")
    return "; ".join(parts)


def _unit(metric: str, value: Decimal) -> str:
    if RATIO_METRICS.match(metric.strip()):
        return "fraction" if Decimal(0) <= value <= Decimal(1) else "%"
    return re.sub(r"\s+", "_", metric.strip().lower())[:32] or "score"


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def scores_from_model_index(model_index: Any) -> list[BenchmarkScore]:
    """Every usable metric of a ``model-index`` block; malformed entries are skipped."""
    scores: list[BenchmarkScore] = []
    if not isinstance(model_index, list):
        return scores
    for entry in model_index:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("results"), list):
            continue
        for result in entry["results"]:
            if not isinstance(result, Mapping):
                continue
            dataset = result.get("dataset") if isinstance(result.get("dataset"), Mapping) else {}
            task = result.get("task") if isinstance(result.get("task"), Mapping) else {}
            metrics = result.get("metrics") if isinstance(result.get("metrics"), list) else []
            name, dtype, config = _text(dataset.get("name")), _text(dataset.get("type")), _text(dataset.get("config"))
            canonical, known, via = _resolve(name, dtype, config)
            for metric in metrics:
                if not isinstance(metric, Mapping):
                    continue
                value = _decimal(metric.get("value"))
                if value is None:
                    continue
                metric_type = _text(metric.get("type")) or _text(metric.get("name")) or "score"
                metric_name = _text(metric.get("name")) or metric_type
                verified = metric.get("verified") is True
                settings = _settings(name, f"{metric_name} {metric_type}", dataset.get("args"), config, canonical, via)
                quote = f"model-index: {name or dtype} ({dtype or '-'}) {metric_name}: {metric.get('value')}"
                if metric.get("verified") is not None:
                    quote += f" (verified: {str(metric.get('verified')).lower()})"
                scores.append(
                    BenchmarkScore(
                        benchmark=canonical,
                        known=known,
                        settings=settings,
                        value=value,
                        unit=_unit(metric_type, value),
                        metric=metric_type[:64],
                        reporter="aggregator" if verified else "vendor",
                        verified=verified,
                        quote=quote[:1000],
                        dataset=dtype,
                        task=_text(task.get("type")),
                    )
                )
                if len(scores) >= MAX_RESULTS:
                    return scores
    return _dedupe(scores)


def _dedupe(scores: list[BenchmarkScore]) -> list[BenchmarkScore]:
    """One score per qualifier and metric (a card that repeats a row gives one claim)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for score in scores:
        key = (score.qualifier, score.metric)
        if key in seen:
            continue
        seen.add(key)
        out.append(score)
    return out
