"""What ``tracker catalogs``, the catalog-accuracy page, model pages and the digest show (read-only).

The verdicts are recomputed from the stored claims and the primary history each time (a backfill of older
OpenRouter data can turn a ``wrong`` into a ``stale``); the latest stored version of each catalog is shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.claims.tolerance import OPEN_SIDE
from tracker.normalize.peers.types import CATALOGS
from tracker.peers.compare import COMPARED_ATTRIBUTES, Outcome, Tally, Verdict, weigh
from tracker.peers.history import primary_history
from tracker.peers.store import catalog_sources
from tracker.store.tables import Claim, Model, Run

#: The attribute labels shown per catalog, in this order (tiers and other components follow).
MAIN_LABELS = (
    "price:prompt",
    "price:completion",
    "price:input_cache_read",
    "price:input_cache_write",
    "context_length",
)
PRIMARY_URL = "https://openrouter.ai/api/v1/models"
#: The ``runs.source`` of catalog crawls and imports (``tracker.sources.registry.PEER_SOURCES``).
CRAWL_SOURCES = ("modelsdev", "litellm", "genaiprices", "epoch")
#: How attributes (``price:prompt``…) are named on the site and in the digest.
ATTRIBUTE_WORDS = {
    "price:prompt": "Input price ($/M)",
    "price:completion": "Output price ($/M)",
    "price:input_cache_read": "Cached input ($/M)",
    "price:input_cache_write": "Cache write ($/M)",
    "context_length": "Context length",
    "openness": "Open weights",
    "params_total": "Parameters",
    "release_date": "Release date",
}


def label_of(attribute: str, qualifier: str) -> str:
    key = f"{attribute}:{qualifier}" if qualifier else attribute
    if key in ATTRIBUTE_WORDS:
        return ATTRIBUTE_WORDS[key]
    component, _, tier = qualifier.partition("@")
    base = ATTRIBUTE_WORDS.get(f"{attribute}:{component}", key)
    return f"{base}, {tier}" if tier else base


@dataclass(frozen=True)
class Finding:
    """One compared value: the catalog's and the primary's, and the verdict."""

    catalog: str
    source: str
    entry: str
    model_key: str | None
    model_name: str | None
    openrouter_id: str | None
    attribute: str
    qualifier: str
    catalog_value: Decimal | None
    unit: str | None
    url: str | None
    at: dt.datetime | None
    created_at: dt.datetime
    outcome: Outcome

    @property
    def label(self) -> str:
        return f"{self.attribute}:{self.qualifier}" if self.qualifier else self.attribute

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict

    def to_dict(self) -> dict[str, Any]:
        o = self.outcome

        def text(value: Decimal | None) -> str | None:
            return None if value is None else format(value.normalize(), "f") if value else "0"

        def when(value: dt.datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "catalog": self.catalog,
            "source": self.source,
            "entry": self.entry,
            "model": self.model_key,
            "openrouter_id": self.openrouter_id,
            "attribute": self.label,
            "unit": self.unit,
            "catalog_value": text(self.catalog_value),
            "primary_value": text(o.primary),
            "primary_since": when(o.primary_since),
            "verdict": str(o.verdict),
            "difference": text(o.difference),
            "percent": text(o.percent),
            "stale_value": text(o.matched),
            "stale_value_since": when(o.matched_since),
            "stale_since": when(o.stale_since),
            "catalog_url": self.url,
            "primary_url": PRIMARY_URL,
            "catalog_date": when(self.at),
        }


@dataclass(frozen=True)
class Evidence:
    """A catalog's open-weight statement about a linked model, beside the status tracker shows."""

    model_key: str
    model_name: str | None
    says: str
    shown: str
    quote: str | None
    url: str | None

    @property
    def agrees(self) -> bool | None:
        """None when tracker shows no status (``unknown``); else whether both sides agree (open ≈ gated)."""
        if self.shown == "unknown":
            return None
        return (self.says in OPEN_SIDE) == (self.shown in OPEN_SIDE)


@dataclass
class CatalogSummary:
    catalog: str
    title: str
    source: str
    version: str
    snapshot_at: dt.datetime | None
    claims: int
    #: From the crawl that stored this version: entries, rejected / ignored reasons, other offers.
    run_counts: dict[str, Any] = field(default_factory=dict)
    tallies: list[Tally] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: Open-weight statements (Epoch accessibility, models.dev open_weights + weight links), linked models only.
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def evidence_conflicts(self) -> list[Evidence]:
        return [e for e in self.evidence if e.agrees is False]

    @property
    def disagreements(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict in (Verdict.WRONG, Verdict.STALE)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalog": self.catalog,
            "title": self.title,
            "source": self.source,
            "version": self.version,
            "snapshot_at": self.snapshot_at.isoformat() if self.snapshot_at else None,
            "claims": self.claims,
            "crawl": self.run_counts,
            "attributes": [
                {
                    "attribute": t.attribute,
                    "compared": t.compared,
                    "agree": t.agree,
                    "stale": t.stale,
                    "wrong": t.wrong,
                    "unlinked": t.unlinked,
                    "not_comparable": t.not_comparable,
                    "no_primary": t.no_primary,
                }
                for t in self.tallies
            ],
            "disagreements": [f.to_dict() for f in self.disagreements],
            "open_weight_evidence": {
                "linked": len(self.evidence),
                "agree": sum(1 for e in self.evidence if e.agrees),
                "disagree": len(self.evidence_conflicts),
                "conflicts": [
                    {"model": e.model_key, "catalog_says": e.says, "shown": e.shown, "quote": e.quote}
                    for e in self.evidence_conflicts
                ],
            },
        }


def _order(label: str) -> tuple[int, str]:
    return (MAIN_LABELS.index(label) if label in MAIN_LABELS else len(MAIN_LABELS), label)


def catalog_report(
    session: Session, *, catalogs: Sequence[str] | None = None, sources: Sequence[str] | None = None
) -> list[CatalogSummary]:
    """One summary per catalog: its stored version with the latest snapshot time (or the ``sources`` asked for).

    Versions come from the runs that stored them (a version with no OpenRouter entry, like LiteLLM 1.110,
    has runs but no comparable claims: it is shown with nothing compared) and from the claims.
    """
    versions: dict[str, dict[str, tuple[dt.datetime | None, int, dict[str, Any]]]] = defaultdict(dict)
    for catalog, source, published, count in catalog_sources(session):
        versions[catalog][source] = (published, count, {})
    for observed_at, counts in session.execute(
        select(Run.observed_at, Run.counts)
        .where(Run.source.in_(CRAWL_SOURCES), Run.status.in_(("success", "partial")))
        .order_by(Run.id)
    ):
        catalog_counts = counts.get("extra", {}).get("catalog") if isinstance(counts, dict) else None
        if not isinstance(catalog_counts, dict) or not isinstance(catalog_counts.get("source"), str):
            continue
        source, catalog = catalog_counts["source"], str(catalog_counts.get("catalog"))
        published, count, _ = versions[catalog].get(source, (observed_at, 0, {}))
        versions[catalog][source] = (published or observed_at, count, catalog_counts)
    chosen: list[tuple[str, str, tuple[dt.datetime | None, int, dict[str, Any]]]] = []
    for catalog in CATALOGS:
        if catalog not in versions or (catalogs is not None and catalog not in catalogs):
            continue
        if sources is not None:
            chosen.extend((catalog, s, v) for s, v in versions[catalog].items() if s in sources)
            continue
        source, data = max(
            versions[catalog].items(), key=lambda item: item[1][0] or dt.datetime.min.replace(tzinfo=dt.UTC)
        )
        chosen.append((catalog, source, data))
    summaries = []
    for catalog, source, (published, count, run_counts) in chosen:
        summary = CatalogSummary(
            catalog=catalog,
            title=CATALOGS.get(catalog, catalog),
            source=source,
            version=source.rsplit("@", 1)[1],
            snapshot_at=published,
            claims=count,
            run_counts=run_counts,
        )
        summary.findings = _findings(session, source)
        summary.tallies = _tallies(summary.findings)
        summary.evidence = _evidence(session, source)
        summaries.append(summary)
    return summaries


def _findings(session: Session, source: str) -> list[Finding]:
    rows = session.execute(
        select(
            Claim.model_id,
            Claim.mention,
            Claim.attribute,
            Claim.qualifier,
            Claim.value_num,
            Claim.unit,
            Claim.url,
            Claim.published_at,
            Claim.fetched_at,
            Claim.created_at,
            Claim.extra,
            Model.key,
            Model.name,
        )
        .outerjoin(Model, Model.id == Claim.model_id)
        .where(Claim.source == source, Claim.reporter == "aggregator", Claim.attribute.in_(COMPARED_ATTRIBUTES))
        .order_by(Claim.id)
    ).all()
    ids = {r.extra.get("openrouter_id") for r in rows if isinstance(r.extra, dict) and r.extra.get("openrouter_id")}
    history = primary_history(session, ids)
    findings = []
    for r in rows:
        extra = r.extra if isinstance(r.extra, dict) else {}
        openrouter_id = extra.get("openrouter_id")
        at = r.published_at or r.fetched_at
        if r.model_id is None or not openrouter_id:
            outcome = Outcome(Verdict.UNLINKED)
        elif r.value_num is None:
            outcome = Outcome(Verdict.NOT_COMPARABLE)
        else:
            spans = history.get((openrouter_id, r.attribute, r.qualifier), ())
            outcome = weigh(r.value_num, spans, at, rounded=r.attribute == "price")
        findings.append(
            Finding(
                catalog=source.rsplit("@", 1)[0],
                source=source,
                entry=r.mention or "",
                model_key=r.key,
                model_name=r.name,
                openrouter_id=openrouter_id,
                attribute=r.attribute,
                qualifier=r.qualifier,
                catalog_value=r.value_num,
                unit=r.unit,
                url=r.url,
                at=at,
                created_at=r.created_at,
                outcome=outcome,
            )
        )
    return findings


def _evidence(session: Session, source: str) -> list[Evidence]:
    rows = session.execute(
        select(Model.key, Model.name, Model.open_weight_status, Claim.value, Claim.quote, Claim.url)
        .join(Model, Model.id == Claim.model_id)
        .where(Claim.source == source, Claim.reporter == "aggregator", Claim.attribute == "openness")
        .order_by(Claim.id)
    ).all()
    seen: dict[str, Evidence] = {}
    for key, name, shown, value, quote, url in rows:
        seen.setdefault(key, Evidence(key, name, value, shown or "unknown", quote, url))
    return sorted(seen.values(), key=lambda e: e.model_key)


def _tallies(findings: Sequence[Finding]) -> list[Tally]:
    buckets: dict[str, dict[Verdict, int]] = defaultdict(lambda: dict.fromkeys(Verdict, 0))
    for f in findings:
        buckets[f.label][f.verdict] += 1
    rows = []
    for label in sorted(buckets, key=_order):
        b = buckets[label]
        rows.append(
            Tally(
                catalog=findings[0].catalog if findings else "",
                attribute=label,
                compared=b[Verdict.AGREE] + b[Verdict.STALE] + b[Verdict.WRONG],
                agree=b[Verdict.AGREE],
                stale=b[Verdict.STALE],
                wrong=b[Verdict.WRONG],
                unlinked=b[Verdict.UNLINKED],
                not_comparable=b[Verdict.NOT_COMPARABLE],
                no_primary=b[Verdict.NO_PRIMARY],
                other_offer=b[Verdict.OTHER_OFFER],
            )
        )
    return rows


@dataclass(frozen=True)
class ModelCatalogValue:
    """What one catalog says about one model (for the model page)."""

    catalog: str
    source: str
    attribute: str
    qualifier: str
    value: str
    unit: str | None
    quote: str | None
    url: str | None
    at: dt.datetime | None
    verdict: str | None
    primary: str | None
    stale_since: str | None


def model_catalog_values(session: Session, model_ids: Sequence[int]) -> dict[int, list[ModelCatalogValue]]:
    """Per model: every value of the latest version of each catalog (for the model pages)."""
    latest: dict[str, str] = {}
    for catalog, source, _published, _count in catalog_sources(session):
        latest.setdefault(catalog, source)
    out: dict[int, list[ModelCatalogValue]] = defaultdict(list)
    if not latest or not model_ids:
        return {}
    ids = sorted(set(model_ids))
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for r in session.execute(
            select(
                Claim.model_id,
                Claim.source,
                Claim.attribute,
                Claim.qualifier,
                Claim.value,
                Claim.unit,
                Claim.quote,
                Claim.url,
                Claim.published_at,
                Claim.extra,
            )
            .where(Claim.model_id.in_(part), Claim.reporter == "aggregator", Claim.source.in_(list(latest.values())))
            .order_by(Claim.source, Claim.attribute, Claim.qualifier, Claim.id)
        ):
            extra = r.extra if isinstance(r.extra, dict) else {}
            if extra.get("superseded_at"):
                continue  # a newer version of the catalog replaced it (it may have no entry for this model)
            out[r.model_id].append(
                ModelCatalogValue(
                    catalog=r.source.rsplit("@", 1)[0],
                    source=r.source,
                    attribute=r.attribute,
                    qualifier=r.qualifier,
                    value=r.value,
                    unit=r.unit,
                    quote=r.quote,
                    url=r.url,
                    at=r.published_at,
                    verdict=extra.get("verdict"),
                    primary=extra.get("primary"),
                    stale_since=extra.get("stale_since"),
                )
            )
    return dict(out)


def new_disagreements(session: Session, *, since: dt.datetime, until: dt.datetime) -> list[Finding]:
    """Disagreements (wrong or stale) whose claim was first stored in ``[since, until)`` (the digest's section)."""
    found = []
    for summary in catalog_report(session):
        found.extend(f for f in summary.disagreements if since <= f.created_at < until)
    return found
