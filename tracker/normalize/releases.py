"""Release dates with their own source and precedence, and what counts as news in a week (pure).

**Release date** (:func:`release_date`): a vendor's post or the Hub's ``createdAt``
over a press article; OpenRouter's ``created`` is when the model was *added to
OpenRouter* — shown as "on OpenRouter since", never as the release. Among dates
of one rank the earliest wins. The chosen date keeps its evidence (source, URL,
quote), so a page credits it to the source that says it.

**News** (:func:`is_news`): a model is a new model of a week when it is an
original (not a derivative), it was not recorded by a source's **baseline**
(the first crawl of a source — OpenRouter's first listing, backfill's first
snapshot, the first Hub crawl — is recorded, not announced), and its release
evidence (the release date above, else OpenRouter's ``created``) falls in the week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Kinds of release evidence, best first.
PRECEDENCE = {"vendor": 0, "hub": 1, "press": 2}
OPENROUTER = "openrouter"
LABELS = {
    "vendor": "vendor post",
    "hub": "Hugging Face createdAt",
    "press": "press",
    OPENROUTER: "OpenRouter created",
    "tracker": "first seen by the tracker",
}


@dataclass(frozen=True, slots=True)
class DateEvidence:
    """One source's date for a model: ``kind`` is ``vendor``, ``hub``, ``press`` or ``openrouter``."""

    at: dt.datetime
    kind: str
    source: str
    url: str | None = None
    quote: str | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class ReleaseDate:
    #: The release, credited to the source that says it (None: no source says when it was released).
    released: DateEvidence | None
    #: OpenRouter's ``created``: when it was added to OpenRouter.
    on_openrouter_since: DateEvidence | None
    #: When no source dates the model: the tracker's own record (first sighting) stands in for news.
    recorded: DateEvidence | None = None

    @property
    def evidence(self) -> DateEvidence | None:
        """The date news is judged by: the release, else when OpenRouter listed it, else the tracker's record."""
        return self.released or self.on_openrouter_since or self.recorded


def release_date(evidence: Iterable[DateEvidence]) -> ReleaseDate:
    """The release date by precedence (vendor post, Hub createdAt, press) and OpenRouter's listing date."""
    items = list(evidence)
    ranked = [e for e in items if e.kind in PRECEDENCE]
    released = min(ranked, key=lambda e: (PRECEDENCE[e.kind], e.at, e.source)) if ranked else None
    listed = [e for e in items if e.kind == OPENROUTER]
    since = min(listed, key=lambda e: (e.at, e.source)) if listed else None
    return ReleaseDate(released, since)


@dataclass(frozen=True, slots=True)
class Sighting:
    """When a source first recorded the model."""

    source: str
    first_seen_at: dt.datetime


@dataclass(frozen=True, slots=True)
class NewsVerdict:
    news: bool
    reason: str


def in_baseline(sighting: Sighting, baselines: Mapping[str, dt.datetime]) -> bool:
    """Whether the sighting belongs to its source's first crawl (``baselines``: source → end of that crawl)."""
    end = baselines.get(sighting.source)
    return end is not None and sighting.first_seen_at <= end


def is_news(
    *,
    derivative: bool,
    release: ReleaseDate,
    sightings: Iterable[Sighting],
    baselines: Mapping[str, dt.datetime],
    start: dt.datetime,
    end: dt.datetime,
) -> NewsVerdict:
    """Whether a model is a new model of the week ``[start, end)`` (see the module docstring)."""
    if derivative:
        return NewsVerdict(False, "a derivative")
    seen = list(sightings)
    if seen and all(in_baseline(s, baselines) for s in seen):
        return NewsVerdict(False, "recorded by a first crawl (baseline)")
    evidence = release.evidence
    if evidence is None:
        return NewsVerdict(False, "no release evidence")
    if not start <= evidence.at < end:
        return NewsVerdict(False, f"released {evidence.at.date().isoformat()} ({evidence.label}), not this week")
    return NewsVerdict(True, f"released {evidence.at.date().isoformat()} ({evidence.label}: {evidence.source})")
