"""Precision and recall of the extraction rules against a hand-labelled key. Pure.

A key file (``tests/claims/key/*.json``) names a corpus document, its *shape*
(announcement prose, pricing page, changelog, …) and its *set* (``tuning``,
``held-out`` or ``untouched``) and lists the claims a careful reader finds in
it: the model as written, the attribute, the value (and the benchmark, or the
price's qualifier), and in ``extra`` the variant (``base``, ``instruct``,
``qlora``…) and a price's currency when they are not the defaults. A claim
counts as found when the extraction gives the same model (normalized name) and
variant, attribute, benchmark (canonical name) or price qualifier and currency,
and value.
"""

from __future__ import annotations

import json
import time
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


def key_of(
    model: str | None,
    attribute: str,
    value: str,
    benchmark: str = "",
    qualifier: str = "",
    *,
    variant: str = "",
    currency: str = "",
) -> Key:
    model_form = name_form((model or "").rsplit("/", 1)[-1].replace("(", " ").replace(")", " "))
    if variant:
        model_form += "#" + variant.lower()
    if attribute == "benchmark":
        which = _benchmark(benchmark)
    elif attribute == "price":
        which = qualifier if currency.upper() in ("", "USD") else f"{qualifier};{currency.upper()}"
    else:
        which = ""
    return (model_form, attribute, which, _value(value))


def extracted_key(claim: Extracted) -> Key:
    benchmark = str(claim.extra.get("benchmark", "")) if claim.attribute == "benchmark" else ""
    return key_of(
        claim.mention,
        claim.attribute,
        claim.value,
        benchmark=benchmark,
        qualifier=claim.qualifier,
        variant=str(claim.extra.get("variant", "")),
        currency=str(claim.extra.get("currency", "")),
    )


def labelled_key(claim: dict[str, Any]) -> Key:
    """The key of one hand-labelled claim of a key file."""
    extra = claim.get("extra") or {}
    return key_of(
        claim["model"],
        claim["attribute"],
        claim["value"],
        claim.get("benchmark", ""),
        claim.get("qualifier", ""),
        variant=str(extra.get("variant", "")),
        currency=str(extra.get("currency", "")),
    )


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
    per_shape: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    #: Seconds spent extracting, and the number of documents extracted.
    seconds: float = 0.0
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


def document_path(key_path: Path, data: dict[str, Any], corpus: Path) -> Path:
    """The document a key file labels: a corpus file (``document``), or one written for the key (``file``,
    in the key's ``documents/`` folder) for shapes and negatives the corpus lacks."""
    if data.get("file"):
        return key_path.parent / "documents" / str(data["file"])
    return corpus / str(data["document"])


def key_set(path: Path) -> str:
    """``tuning`` (rules developed looking at it), ``held-out`` (labelled after, then tuned on) or
    ``untouched`` (labelled before any rule change for it; rules are never edited for its single misses)."""
    return str(json.loads(path.read_text(encoding="utf-8")).get("set", "tuning"))


def key_shape(path: Path) -> str:
    """The document's shape (``announcement prose``, ``pricing page``, ``changelog``…)."""
    return str(json.loads(path.read_text(encoding="utf-8")).get("shape", "other"))


def evaluate(keys: Iterable[Path], corpus: Path) -> Evaluation:
    result = Evaluation()
    for key_path in sorted(keys):
        data: dict[str, Any] = json.loads(key_path.read_text(encoding="utf-8"))
        article = read_article_file(document_path(key_path, data, corpus))
        started = time.perf_counter()
        found = extract_claims(article.text, title=article.title, published=article.published_at)
        result.seconds += time.perf_counter() - started
        got = {extracted_key(c) for c in found}
        want = {labelled_key(c) for c in data["claims"]}
        document = Scores(found=len(got & want), extracted=len(got), labelled=len(want))
        result.per_document[key_path.stem] = document
        shape = result.per_shape[str(data.get("shape", "other"))]
        shape.found += document.found
        shape.extracted += document.extracted
        shape.labelled += document.labelled
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
