"""Store one peer catalog file: link its entries, write its values as aggregator claims, record the verdicts.

* **Linking** (the method goes into each claim's ``extra["link"]``; never by substring):
  ``openrouter-id`` — an id the entry names is an OpenRouter listing the tracker knows (exactly);
  ``hf-repo`` — a Hugging Face repo the entry links as its weights is a known repo (case-insensitive);
  ``alias`` / ``normalized-name`` — the whole name, normalized, names exactly one model (Epoch rows only,
  which carry no ids). Anything else is **unlinked**: stored with ``model_id`` NULL and the entry's key
  as the mention, and counted.
* **Which entries become claims**: entries of OpenRouter's own offer (comparable with the primary) and
  entries without an offer (Epoch). Entries of another offer (a vendor's own API price, a cloud's) are
  counted per offer in the run's figures, not stored: they are never weighed against OpenRouter.
* **Claims**: reporter ``aggregator``, source ``catalog@version``, ``published_at`` = the catalog's snapshot
  time, the catalog field as the quote; one claim per (source, entry, attribute, qualifier, value): a
  re-crawl of the same version writes nothing.
* **Verdicts**: every price and context value of an OpenRouter entry is weighed with
  :func:`tracker.peers.compare.weigh` against the primary history; the verdict is stored in ``extra``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tracker.claims.linking import build_index
from tracker.events.hashing import content_hash
from tracker.normalize.peers.types import CATALOGS, OPENROUTER, CatalogEntry, CatalogParse
from tracker.normalize.rejection import Rejection
from tracker.peers.compare import Comparison, Outcome, compare_entry, tally
from tracker.peers.history import primary_history
from tracker.store.bulk import in_chunks
from tracker.store.runs import record_errors, utcnow
from tracker.store.tables import Claim, OpenRouterListing
from tracker.store.tables.huggingface import HfRepo


@dataclass
class CatalogIngest:
    catalog: str
    source: str
    entries: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)
    other_offers: dict[str, int] = field(default_factory=dict)
    linked: dict[str, int] = field(default_factory=dict)
    unlinked: int = 0
    claims_new: int = 0
    claims_known: int = 0
    #: Claims of older versions of the catalog marked superseded by this one.
    superseded: int = 0
    comparisons: list[Comparison] = field(default_factory=list)

    def merge(self, other: CatalogIngest) -> None:
        """Add what a later chunk of the same file stored."""
        self.entries += other.entries
        for mine, theirs in (
            (self.rejected, other.rejected),
            (self.ignored, other.ignored),
            (self.other_offers, other.other_offers),
            (self.linked, other.linked),
        ):
            for name, value in theirs.items():
                mine[name] = mine.get(name, 0) + value
        self.linked = dict(sorted(self.linked.items()))
        self.unlinked += other.unlinked
        self.claims_new += other.claims_new
        self.claims_known += other.claims_known
        self.superseded += other.superseded
        self.comparisons.extend(other.comparisons)

    def counts(self) -> dict[str, Any]:
        other = sum(self.other_offers.values())
        return {
            "catalog": self.catalog,
            "source": self.source,
            "entries": self.entries,
            "rejected": self.rejected,
            "ignored": self.ignored,
            "other_offer_entries": other,
            "other_offers": dict(Counter(self.other_offers).most_common(20)),
            "linked": self.linked,
            "unlinked": self.unlinked,
            "claims_new": self.claims_new,
            "claims_known": self.claims_known,
            "superseded": self.superseded,
            "tally": [dataclasses.asdict(t) for t in tally(self.comparisons)],
        }


@dataclass(frozen=True)
class Link:
    model_id: int | None
    method: str
    openrouter_id: str | None = None


class Linker:
    """Exact links of catalog entries to models (see the module rules)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.listings: dict[str, int | None] = {
            listing_id: model_id
            for listing_id, model_id in session.execute(select(OpenRouterListing.id, OpenRouterListing.model_id))
        }
        self.repos: dict[str, int | None] = {
            repo_id.lower(): model_id for repo_id, model_id in session.execute(select(HfRepo.id, HfRepo.model_id))
        }
        self._names: Any = None

    def link(self, entry: CatalogEntry) -> Link:
        for openrouter_id in entry.openrouter_ids:
            if openrouter_id in self.listings:
                return Link(self.listings[openrouter_id], "openrouter-id", openrouter_id)
        for repo in entry.hf_repos:
            model_id = self.repos.get(repo.lower())
            if model_id is not None:
                return Link(model_id, "hf-repo")
        if not entry.offer and entry.name:
            if self._names is None:
                self._names = build_index(self.session)
            resolution = self._names.resolve(entry.name)
            if resolution.model_id is not None:
                return Link(resolution.model_id, resolution.method)
            return Link(None, f"unlinked-{resolution.method}")
        return Link(None, "unlinked")


def claim_hash(source: str, key: str, attribute: str, qualifier: str, value: str) -> str:
    return content_hash(
        {"source": source, "entry": key, "attribute": attribute, "qualifier": qualifier, "value": value}
    )


def ingest_catalog(
    session: Session,
    parse: CatalogParse,
    *,
    url: str | None,
    fetched_at: dt.datetime,
    run_id: int | None,
    source: str | None = None,
    supersede: bool = True,
    linker: Linker | None = None,
) -> CatalogIngest:
    """Store ``parse`` (see the module rules); the caller owns the transaction.

    ``source`` names the crawl source its rejections are recorded under (default: the catalog's name).
    A file stored in chunks (:mod:`tracker.update.peers`) passes ``supersede=False`` for each chunk and
    supersedes the older versions once, after its last chunk; it may pass one ``linker`` to all chunks.
    """
    result = CatalogIngest(catalog=parse.catalog, source=parse.source, entries=len(parse.entries))
    result.rejected = parse.reasons()
    result.ignored = parse.ignored_reasons()
    record_errors(
        session,
        [Rejection(p.key, p.reason, p.detail, url) for p in parse.rejected],
        source=source or parse.catalog,
        run_id=run_id,
    )
    if linker is None:
        linker = Linker(session)
    linker.session = session
    kept: list[tuple[CatalogEntry, Link]] = []
    other: Counter[str] = Counter()
    for entry in parse.entries:
        if entry.offer and entry.offer != OPENROUTER:
            other[entry.offer] += 1
            continue
        kept.append((entry, linker.link(entry)))
    result.other_offers = dict(other)
    linked_ids = {link.openrouter_id for _, link in kept if link.openrouter_id}
    history = primary_history(session, linked_ids)
    at = parse.snapshot_at or fetched_at
    methods: Counter[str] = Counter()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for entry, link in kept:
        if link.model_id is None:
            result.unlinked += 1
        else:
            methods[link.method] += 1
        comparisons = {
            (c.attribute, c.qualifier): c
            for c in compare_entry(entry, parse.source, at, history, [link.openrouter_id] if link.openrouter_id else [])
        }
        result.comparisons.extend(comparisons.values())
        for value in entry.values:
            extra: dict[str, Any] = {
                "catalog": parse.catalog,
                "version": parse.version,
                "entry": entry.key,
                "link": link.method,
                **dict(value.extra),
            }
            if link.openrouter_id:
                extra["openrouter_id"] = link.openrouter_id
            if entry.hf_repos:
                extra["weights"] = [f"https://huggingface.co/{repo}" for repo in entry.hf_repos]
            comparison = comparisons.get((value.attribute, value.qualifier))
            if comparison is not None:
                extra.update(outcome_extra(comparison.outcome))
            rows.append(
                {
                    "model_id": link.model_id,
                    "mention": entry.key[:512],
                    "attribute": value.attribute,
                    "qualifier": value.qualifier[:255],
                    "value": value.value,
                    "value_num": value.number,
                    "unit": value.unit,
                    "reporter": "aggregator",
                    "source": parse.source[:255],
                    "url": url,
                    "document_id": None,
                    "published_at": parse.snapshot_at,
                    "fetched_at": fetched_at,
                    "quote": value.quote,
                    "status": "unchecked",
                    "extra": extra,
                    "claim_hash": claim_hash(parse.source, entry.key, value.attribute, value.qualifier, value.value),
                    "created_at": now,
                }
            )
    result.linked = dict(sorted(methods.items()))
    known: set[str] = set()
    for part in in_chunks([r["claim_hash"] for r in rows]):
        known.update(session.scalars(select(Claim.claim_hash).where(Claim.claim_hash.in_(part))))
    new_rows = [r for r in rows if r["claim_hash"] not in known]
    unique: dict[str, dict[str, Any]] = {r["claim_hash"]: r for r in new_rows}
    for part in in_chunks(list(unique.values())):
        session.execute(Claim.__table__.insert(), list(part))
    result.claims_new = len(unique)
    result.claims_known = len(rows) - len(new_rows)
    if supersede:
        result.superseded = supersede_versions(
            session, parse.catalog, now=now, current=(parse.source, parse.snapshot_at or fetched_at)
        )
    return result


def supersede_versions(
    session: Session, catalog: str, *, now: dt.datetime, current: tuple[str, dt.datetime | None]
) -> int:
    """Mark the claims of every version but the newest (by snapshot time) ``superseded_at``.

    ``current`` is the version just stored (it counts even without claims). Nothing is deleted: the
    ledger leaves superseded claims unchecked, so only the catalog's current
    version is weighed (a value corrected in a newer release stops being a dispute).
    """
    versions = list(
        session.execute(
            select(Claim.source, func.max(Claim.published_at))
            .where(Claim.reporter == "aggregator", Claim.source.like(f"{catalog}@%"))
            .group_by(Claim.source)
        ).all()
    )
    versions.append(current)  # the version just stored, even when it has no claims (LiteLLM 1.110 for OpenRouter)
    newest = max(versions, key=lambda v: (v[1] or dt.datetime.min.replace(tzinfo=dt.UTC), v[0]))[0]
    updates = []
    for claim_id, extra in session.execute(
        select(Claim.id, Claim.extra).where(
            Claim.reporter == "aggregator", Claim.source.like(f"{catalog}@%"), Claim.source != newest
        )
    ):
        data = dict(extra or {})
        if data.get("superseded_at"):
            continue
        data["superseded_at"] = now.isoformat()
        data["superseded_by"] = newest
        updates.append({"claim_id": claim_id, "extra": data})
    if updates:
        table = Claim.__table__
        session.execute(
            table.update().where(table.c.id == bindparam("claim_id")).values(extra=bindparam("extra")), updates
        )
    return len(updates)


def outcome_extra(outcome: Outcome) -> dict[str, Any]:
    """A verdict as JSON-safe ``extra`` keys (decimals and times as text)."""
    data: dict[str, Any] = {"verdict": str(outcome.verdict)}
    for name in ("primary", "difference", "percent", "matched"):
        value = getattr(outcome, name)
        if value is not None:
            data[name] = format(value.normalize(), "f") if value else "0"
    for name in ("primary_since", "matched_since", "stale_since"):
        value = getattr(outcome, name)
        if value is not None:
            data[name] = value.isoformat()
    return data


def catalog_sources(session: Session) -> list[tuple[str, str, dt.datetime | None, int]]:
    """``(catalog, source, snapshot time, claims)`` of every stored catalog version, newest first per catalog."""
    out = []
    for catalog in CATALOGS:
        rows = session.execute(
            select(Claim.source, func.max(Claim.published_at), func.count())
            .where(Claim.reporter == "aggregator", Claim.source.like(f"{catalog}@%"))
            .group_by(Claim.source)
        ).all()
        found = sorted(rows, key=lambda r: -(r[1].timestamp() if r[1] else 0))
        out.extend((catalog, source, published, count) for source, published, count in found)
    return out
