"""Precision and recall of the extraction rules against a hand-labelled key. Pure.

A key file (``tests/claims/key/*.json``) names a corpus document and lists the
claims a careful reader finds in it: the model as written, the attribute, the
value (and the benchmark, or the price's qualifier). A claim counts as found
when the extraction gives the same model (normalized name), attribute,
benchmark (canonical name) or price qualifier, and value.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tracker.extract import extract_claims
from tracker.extract.benchnames import resolve_benchmark
from tracker.extract.types import ATTRIBUTES, Extracted
from tracker.normalize.articles import Article, read_article
from tracker.normalize.benchmarks import alias_form
from tracker.normalize.identity import name_form

Key = tuple[str, str, str, str]


def _value(value: str) -> str:
    try:
        return format(Decimal(value).normalize(), "f")
    except InvalidOperation:
        return value.strip().lower()


def _benchmark(name: str) -> str:
    resolved = resolve_benchmark(name)
    return alias_form(resolved.name if resolved is not None else name)


def key_of(model: str | None, attribute: str, value: str, benchmark: str = "", qualifier: str = "") -> Key:
    model_form = name_form((model or "").rsplit("/", 1)[-1].replace("(", " ").replace(")", " "))
    if attribute == "benchmark":
        which = _benchmark(benchmark)
    elif attribute == "price":
        which = qualifier
    else:
        which = ""
    return (model_form, attribute, which, _value(value))


def extracted_key(claim: Extracted) -> Key:
    benchmark = str(claim.extra.get("benchmark", "")) if claim.attribute == "benchmark" else ""
    return key_of(claim.mention, claim.attribute, claim.value, benchmark=benchmark, qualifier=claim.qualifier)


@dataclass
class Scores:
    found: int = 0
    extracted: int = 0
    labelled: int = 0

    @property
    def precision(self) -> float | None:
        return self.found / self.extracted if self.extracted else None

    @property
    def recall(self) -> float | None:
        return self.found / self.labelled if self.labelled else None


@dataclass
class Evaluation:
    per_attribute: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    per_document: dict[str, Scores] = field(default_factory=dict)
    misses: list[tuple[str, Key]] = field(default_factory=list)
    spurious: list[tuple[str, Key]] = field(default_factory=list)

    def total(self) -> Scores:
        out = Scores()
        for s in self.per_attribute.values():
            out.found += s.found
            out.extracted += s.extracted
            out.labelled += s.labelled
        return out


def read_article_file(path: Path) -> Article:
    """A corpus document read with the same reader the crawl uses."""
    fallback = "markdown" if path.suffix == ".md" else "text"
    return read_article(path.read_bytes(), content_type=None, url=path.name, fallback_format=fallback)


def read_document(path: Path) -> tuple[str, str | None]:
    """The reading text and title of a corpus document."""
    article = read_article_file(path)
    return article.text, article.title


def key_set(path: Path) -> str:
    """``tuning`` (the rules were developed looking at it) or ``held-out`` (labelled after, never tuned on)."""
    return str(json.loads(path.read_text(encoding="utf-8")).get("set", "tuning"))


def evaluate(keys: Iterable[Path], corpus: Path) -> Evaluation:
    result = Evaluation()
    for key_path in sorted(keys):
        data: dict[str, Any] = json.loads(key_path.read_text(encoding="utf-8"))
        article = read_article_file(corpus / data["document"])
        found = extract_claims(article.text, title=article.title, published=article.published_at)
        got = {extracted_key(c) for c in found}
        want = {
            key_of(c["model"], c["attribute"], c["value"], c.get("benchmark", ""), c.get("qualifier", ""))
            for c in data["claims"]
        }
        document = Scores(found=len(got & want), extracted=len(got), labelled=len(want))
        result.per_document[key_path.stem] = document
        for attribute in ATTRIBUTES:
            scores = result.per_attribute[attribute]
            g = {k for k in got if k[1] == attribute}
            w = {k for k in want if k[1] == attribute}
            scores.found += len(g & w)
            scores.extracted += len(g)
            scores.labelled += len(w)
        result.misses += [(key_path.stem, k) for k in sorted(want - got)]
        result.spurious += [(key_path.stem, k) for k in sorted(got - want)]
    return result
