"""Header roles of table columns and rows, from a reviewed vocabulary with fuzzy matching.

A table header names what its cells are: ``Max Tokens`` and ``Context Length`` are
both the context length, ``Weight availability`` says whether (and under which
licence) weights are released, ``Sizes`` and ``#Params`` are parameter counts. The
vocabulary below is reviewed by hand; a header is matched to it after
normalisation (case, footnote markers such as ``(2)`` / ``*`` / ``†``, ``#``,
punctuation) with rapidfuzz, and accepted only at :data:`ACCEPT` or above.

Nothing is guessed: a header below the threshold has the role ``unknown`` and
is reported (:func:`unknown_headers`), so the vocabulary grows by review, not by
accident. Headers known to carry no claim (``Features``, ``API Endpoints``,
``Deprecation date``…) have the role ``ignore``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

#: Fuzzy score (0–100, rapidfuzz ``ratio`` of normalised forms) a header needs to take a role.
ACCEPT = 90

#: role → the header wordings that mean it (normalised forms are compared).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "model": ("model", "models", "model name", "name", "checkpoint", "checkpoints", "variant", "model id"),
    "params_total": (
        "params",
        "parameters",
        "total params",
        "total parameters",
        "number of parameters",
        "num params",
        "model size",
        "size",
        "sizes",
        "params total",
        "parameter count",
    ),
    "params_active": (
        "active params",
        "activated params",
        "active parameters",
        "activated parameters",
        "number of active parameters",
        "number of activated parameters",
    ),
    "context_length": (
        "context",
        "context length",
        "context window",
        "context size",
        "max tokens",
        "max context",
        "max context length",
        "maximum context length",
        "input context",
        "input context length",
        "context length tokens",
        "context window tokens",
        "input context window",
    ),
    "license": ("license", "licence", "licenses", "license type"),
    "weights": (
        "weight availability",
        "weights availability",
        "open weights",
        "weights",
        "availability",
        "download",
        "downloads",
        "download links",
        "download link",
    ),
    "release_date": ("release date", "released", "release", "date released", "launch date", "released on"),
    "description": ("description", "notes", "summary", "about", "details"),
    "benchmark": ("benchmark", "benchmarks", "task", "tasks", "dataset", "datasets", "eval", "evaluation"),
    "score": ("score", "scores", "result", "results", "accuracy", "value"),
    "metric": ("metric", "metrics", "measure"),
    "shots": ("shots", "# shots", "n shot", "few shot"),
    "setting": ("language", "languages", "subset", "setting", "settings", "split", "mode"),
    "ignore": (
        "features",
        "feature",
        "available via api",
        "api endpoints",
        "api endpoint",
        "endpoint",
        "version",
        "deprecation date",
        "retirement date",
        "alternative model",
        "link",
        "links",
        "category",
        "capability",
        "input modalities",
        "output modalities",
        "training data",
        "token count",
        "knowledge cutoff",
        "gqa",
        "shared embeddings",
        "layers",
        "heads",
        "min gpu ram for inference gb",
        "vocabulary size",
        "max output",
    ),
}

_MARKERS = re.compile(r"\(\d{1,2}\)|\[\d{1,2}\]|[*†‡§¹²³⁴⁵⁶⁷⁸⁹]+|:heavy_check_mark:|[✓✔✗✘]")
_PUNCT = re.compile(r"[^\w#]+")


@dataclass(frozen=True)
class Role:
    """The role of one header: ``context_length``, ``weights``… or ``unknown`` (with the best score seen)."""

    role: str
    score: float
    normalised: str


def normalise(header: str) -> str:
    """``MAX OUTPUT(3)`` → ``max output``; ``#Total Params`` → ``total params``; ``Sizes*`` → ``sizes``."""
    text = _MARKERS.sub(" ", header.replace("**", "").replace("__", ""))
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = _PUNCT.sub(" ", text.lower()).replace("#", " ")
    text = re.sub(r"\btokens?\b$", "tokens", text)
    return re.sub(r"\s+", " ", text).strip()


@cache
def _choices() -> tuple[tuple[str, ...], tuple[str, ...]]:
    forms: list[str] = []
    roles: list[str] = []
    for role, wordings in VOCABULARY.items():
        for wording in wordings:
            forms.append(normalise(wording))
            roles.append(role)
    return tuple(forms), tuple(roles)


@cache
def header_role(header: str) -> Role:
    """The role of ``header`` (``unknown`` below :data:`ACCEPT`; empty headers are ``empty``)."""
    form = normalise(header)
    if not form:
        return Role("empty", 100.0, form)
    forms, roles = _choices()
    best = process.extractOne(form, forms, scorer=fuzz.ratio)
    if best is None or best[1] < ACCEPT:
        return Role("unknown", float(best[1]) if best else 0.0, form)
    return Role(roles[best[2]], float(best[1]), form)


def unknown_headers(headers: list[str]) -> list[Role]:
    """The headers of a table no role was accepted for (to report and review, never to guess)."""
    return [r for r in (header_role(h) for h in headers) if r.role == "unknown"]
