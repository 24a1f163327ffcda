"""One model across sources: link Hub repos and OpenRouter listings, merge duplicates.

Links are made, strongest first, by a reviewed manual entry, OpenRouter's
declared ``hugging_face_id``, the exact id (case-insensitive) or the normalized
name within the same vendor (``tracker.normalize.identity``); never by
substring. Every link is a ``crosswalk`` row with its method and confidence.

The order of crawls does not matter:

* Hub first: a repo gets its own model keyed by its lower-case id
  (``openai/gpt-oss-120b``), which is also what OpenRouter's ingest looks up, so an
  OpenRouter listing with the same id lands on the same row. When a listing
  arrives under another id but declares the repo (``deepseek/deepseek-r1`` →
  ``deepseek-ai/DeepSeek-R1``), :func:`link_openrouter_models` merges the Hub's
  model into the OpenRouter one.
* OpenRouter first: :func:`resolve_hub_models` finds the listing's model through
  the declared-id crosswalk row, the key, or the normalized name.

Merging moves every foreign key that points at the absorbed model (listings,
prices, events, claims, crosswalk, repos, lineage, and any table added later)
to the surviving model, then deletes the absorbed row. The survivor is the
model with an OpenRouter listing, because OpenRouter's ingest finds models by key.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from tracker.events.types import Event
from tracker.normalize.identity import (
    METHOD_RANK,
    METHODS,
    identity_table,
    openrouter_name_keys,
    repo_name_key,
    vendor_key,
)
from tracker.store.base import Base
from tracker.store.bulk import in_chunks
from tracker.store.events import insert_events
from tracker.store.shown import openrouter_model_ids, refresh_models
from tracker.store.tables import Crosswalk, Model, OpenRouterListing
from tracker.store.tables.huggingface import HfRepo

logger = logging.getLogger(__name__)
NAMESPACE = "huggingface"


@dataclass(frozen=True, slots=True)
class RepoIdentity:
    repo_id: str
    org: str
    is_derivative: bool


@dataclass(frozen=True, slots=True)
class Link:
    model_id: int
    method: str
    #: The model row was created for this repo.
    created: bool


@dataclass
class LinkResult:
    links: int = 0
    merges: int = 0
    writes: int = 0
    #: Models whose shown values must be recomputed.
    touched: set[int] = field(default_factory=set)
    events: list[Event] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"writes": self.writes, "links": self.links, "merges": self.merges}


# ───────────────────────────── Hub side ─────────────────────────────


def resolve_hub_models(
    session: Session, repos: Sequence[RepoIdentity], *, now: dt.datetime
) -> tuple[dict[str, Link], int]:
    """The model of each repo, creating models (and crosswalk rows) as needed; returns (links, rows written)."""
    if not repos:
        return {}, 0
    lowers = sorted({r.repo_id.lower() for r in repos})
    declared: dict[str, tuple[int, str]] = {}
    for part in in_chunks(lowers):
        rows = session.execute(
            select(Crosswalk.external_id, Crosswalk.model_id, Crosswalk.method).where(
                Crosswalk.namespace == NAMESPACE, func.lower(Crosswalk.external_id).in_(part)
            )
        )
        for external, model_id, method in rows:
            current = declared.get(external.lower())
            if current is None or METHOD_RANK.get(method, 99) < METHOD_RANK.get(current[1], 99):
                declared[external.lower()] = (model_id, method)
    by_key: dict[str, int] = {}
    for part in in_chunks(lowers):
        by_key.update({k: i for i, k in session.execute(select(Model.id, Model.key).where(Model.key.in_(part)))})
    manual = _manual_models(session, {r.repo_id.lower() for r in repos})
    name_index = _openrouter_name_index(session) if any(not r.is_derivative for r in repos) else {}
    repo_names: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in repos:
        if not r.is_derivative:
            repo_names[repo_name_key(r.repo_id)].append(r.repo_id)

    links: dict[str, Link] = {}
    to_create: list[RepoIdentity] = []
    for r in repos:
        low = r.repo_id.lower()
        if low in manual:
            links[r.repo_id] = Link(manual[low], "manual", False)
        elif low in declared:
            method = declared[low][1]
            links[r.repo_id] = Link(declared[low][0], method if method in METHODS else "declared-hf-id", False)
        elif low in by_key:
            links[r.repo_id] = Link(by_key[low], "exact-id", False)
        else:
            key = repo_name_key(r.repo_id)
            candidates = name_index.get(key, set())
            if not r.is_derivative and len(candidates) == 1 and len(repo_names[key]) == 1:
                links[r.repo_id] = Link(next(iter(candidates)), "normalized-name", False)
            else:
                to_create.append(r)
    if to_create:
        rows = [
            {
                "key": r.repo_id.lower(),
                "vendor": vendor_key(r.org),  # one key per vendor (issue 12): "Qwen" → "qwen"
                "name": r.repo_id.split("/", 1)[1],
                "first_seen_at": now,
                "is_derivative": r.is_derivative,
                "open_weight_status": "unknown",
                "updated_at": now,
            }
            for r in to_create
        ]
        created: dict[str, int] = {}
        for part in in_chunks(rows, 1000):
            for model_id, key in session.execute(
                insert(Model).returning(Model.id, Model.key, sort_by_parameter_order=True), list(part)
            ):
                created[key] = model_id
        for r in to_create:
            links[r.repo_id] = Link(created[r.repo_id.lower()], "exact-id", True)
    writes = len(to_create) + _write_crosswalk(session, [(r.repo_id, links[r.repo_id]) for r in repos], now)
    return links, writes


def _manual_models(session: Session, lowers: set[str]) -> dict[str, int]:
    """``{repo id lower: model id}`` for reviewed manual links whose OpenRouter side is known."""
    wanted = {m.huggingface.lower(): m.openrouter for m in identity_table().manual if m.huggingface.lower() in lowers}
    if not wanted:
        return {}
    ids = sorted(set(wanted.values()))
    found: dict[str, int] = {}
    rows = session.execute(
        select(OpenRouterListing.id, OpenRouterListing.base_id, OpenRouterListing.model_id).where(
            OpenRouterListing.id.in_(ids) | OpenRouterListing.base_id.in_(ids)
        )
    )
    for listing_id, base_id, model_id in rows:
        if model_id is not None:
            found.setdefault(listing_id, model_id)
            found.setdefault(base_id, model_id)
    return {low: found[or_id] for low, or_id in wanted.items() if or_id in found}


def _openrouter_name_index(session: Session) -> dict[tuple[str, str], set[int]]:
    """``(org, normalized name)`` → models listed on OpenRouter that have no Hub repo yet."""
    with_repo = set(session.scalars(select(HfRepo.model_id).where(HfRepo.model_id.is_not(None)).distinct()))
    index: dict[tuple[str, str], set[int]] = defaultdict(set)
    rows = session.execute(
        select(OpenRouterListing.base_id, OpenRouterListing.model_id).where(
            OpenRouterListing.variant.is_(None), OpenRouterListing.model_id.is_not(None)
        )
    )
    for base_id, model_id in rows:
        if model_id in with_repo:
            continue
        for key in openrouter_name_keys(base_id):
            index[key].add(model_id)
    return index


def _write_crosswalk(session: Session, links: Sequence[tuple[str, Link]], now: dt.datetime) -> int:
    """Add a ``huggingface`` crosswalk row per repo; re-point or re-label existing ones."""
    if not links:
        return 0
    existing: dict[str, tuple[int, int, str]] = {}
    ids = [repo_id for repo_id, _ in links]
    for part in in_chunks(ids):
        for row_id, external, model_id, method in session.execute(
            select(Crosswalk.id, Crosswalk.external_id, Crosswalk.model_id, Crosswalk.method).where(
                Crosswalk.namespace == NAMESPACE, Crosswalk.external_id.in_(part)
            )
        ):
            existing[external] = (row_id, model_id, method)
    inserts, updates = [], []
    for repo_id, link in links:
        if repo_id in existing:
            row_id, model_id, method = existing[repo_id]
            if model_id != link.model_id or (method != link.method and link.method != "exact-id"):
                updates.append(
                    {"id": row_id, "model_id": link.model_id, "method": link.method, "confidence": METHODS[link.method]}
                )
            continue
        inserts.append(
            {
                "model_id": link.model_id,
                "namespace": NAMESPACE,
                "external_id": repo_id,
                "method": link.method,
                "confidence": METHODS[link.method],
                "created_at": now,
            }
        )
    for part in in_chunks(inserts, 1000):
        session.execute(insert(Crosswalk), list(part))
    if updates:
        session.execute(update(Crosswalk), updates)
    return len(inserts) + len(updates)


# ───────────────────────────── OpenRouter side ─────────────────────────────


def link_openrouter_models(session: Session, *, now: dt.datetime) -> LinkResult:
    """Link every OpenRouter model to its Hub repo (merging duplicate models).

    Runs at the end of an OpenRouter store transaction, and is cheap when nothing
    changed: it reads the listings and repos and writes only what differs.
    """
    result = LinkResult()
    listings = session.execute(
        select(
            OpenRouterListing.id,
            OpenRouterListing.model_id,
            OpenRouterListing.hugging_face_id,
            OpenRouterListing.status,
        ).where(OpenRouterListing.variant.is_(None), OpenRouterListing.model_id.is_not(None))
    ).all()
    if not listings:
        return result
    repos = session.execute(select(HfRepo.id, HfRepo.id_lower, HfRepo.model_id, HfRepo.is_derivative)).all()
    repo_by_lower = {r.id_lower: r for r in repos}
    models_with_listing = {row.model_id for row in listings}
    repo_models = {r.model_id for r in repos if r.model_id is not None}
    manual = {m.openrouter: m.huggingface.lower() for m in identity_table().manual}
    # Hub originals by (org, normalized name), for the name rule
    names: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in repos:
        if not r.is_derivative:
            names[repo_name_key(r.id)].append(r)
    current_model = {r.id: r.model_id for r in repos}
    for listing in sorted(listings, key=lambda row: row.id):
        model_id = listing.model_id
        target, method = None, None
        if listing.id in manual and manual[listing.id] in repo_by_lower:
            target, method = repo_by_lower[manual[listing.id]], "manual"
        elif listing.hugging_face_id and listing.hugging_face_id.lower() in repo_by_lower:
            target, method = repo_by_lower[listing.hugging_face_id.lower()], "declared-hf-id"
        elif listing.id.lower() in repo_by_lower:
            target, method = repo_by_lower[listing.id.lower()], "exact-id"
        elif names and model_id not in repo_models:
            matches = {r.id: r for key in openrouter_name_keys(listing.id) for r in names.get(key, [])}
            if len(matches) == 1:
                target, method = next(iter(matches.values())), "normalized-name"
        if target is None or method is None:
            continue
        repo_model = current_model.get(target.id)
        if repo_model == model_id:
            # already one model (same key): make the crosswalk say the strongest reason, whatever the crawl order
            result.writes += _write_crosswalk(session, [(target.id, Link(model_id, method, False))], now)
            continue
        if repo_model is not None and repo_model in models_with_listing:
            logger.warning("OpenRouter models %s and %s both claim Hub repo %s", model_id, repo_model, target.id)
            continue
        if repo_model is not None:
            result.writes += merge_models(session, survivor=model_id, absorbed=repo_model, now=now)
            result.merges += 1
            for repo_id, owner in current_model.items():
                if owner == repo_model:
                    current_model[repo_id] = model_id
        else:
            session.execute(update(HfRepo).where(HfRepo.id == target.id).values(model_id=model_id))
            current_model[target.id] = model_id
            result.writes += 1
        repo_models.add(model_id)
        result.writes += _write_crosswalk(session, [(target.id, Link(model_id, method, False))], now)
        result.links += 1
        result.touched.add(model_id)
    return result


# ───────────────────────────── merging ─────────────────────────────


def merge_models(session: Session, *, survivor: int, absorbed: int, now: dt.datetime) -> int:
    """Move everything that points at ``absorbed`` to ``survivor`` and delete ``absorbed``."""
    if survivor == absorbed:
        return 0
    writes = 0
    models = Model.__table__
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if table is models and column.name == "id":
                continue
            if any(fk.column is models.c.id for fk in column.foreign_keys):
                res = session.execute(update(table).where(column == absorbed).values({column.name: survivor}))
                writes += res.rowcount or 0
    old = session.execute(
        select(Model.key, Model.first_seen_at, Model.released_at).where(Model.id == absorbed)
    ).one_or_none()
    keep = session.execute(select(Model.first_seen_at, Model.released_at).where(Model.id == survivor)).one()
    if old is not None:
        values: dict[str, Any] = {"first_seen_at": min(old.first_seen_at, keep.first_seen_at), "updated_at": now}
        released = [t for t in (old.released_at, keep.released_at) if t is not None]
        if released:
            values["released_at"] = min(released)
        session.execute(update(Model).where(Model.id == survivor).values(values))
        session.execute(delete(Model).where(Model.id == absorbed))
        exists = session.execute(
            select(Crosswalk.id).where(Crosswalk.namespace == "model-key", Crosswalk.external_id == old.key)
        ).first()
        if exists is None:
            session.execute(
                insert(Crosswalk).values(
                    model_id=survivor,
                    namespace="model-key",
                    external_id=old.key,
                    method="merged",
                    confidence=1.0,
                    created_at=now,
                )
            )
        writes += 3
    logger.info("merged model %s into %s", absorbed, survivor)
    return writes


def sync_after_openrouter(
    session: Session, observed_at: dt.datetime, *, run_id: int | None, model_ids: Collection[int] | None = None
) -> tuple[dict[str, int], list[Event]]:
    """Link OpenRouter models to Hub repos and refresh their shown values (end of an OpenRouter store).

    ``model_ids``: the models the ingest touched (:attr:`IngestResult.affected_model_ids`); models
    linked or merged here are refreshed too. None refreshes every model with an OpenRouter listing.
    Returns ``(counts, events)`` for :meth:`CrawlSummary.absorb`; writes nothing when nothing changed.
    """
    linked = link_openrouter_models(session, now=observed_at)
    wanted = openrouter_model_ids(session) if model_ids is None else set(model_ids)
    shown = refresh_models(session, wanted | linked.touched, now=observed_at, source="openrouter")
    writes = linked.writes + shown.writes + insert_events(session, shown.events, run_id=run_id)
    return {"writes": writes}, shown.events
