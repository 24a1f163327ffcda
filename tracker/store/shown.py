"""The shown values of each model, recomputed from its sources.

The site, the newsletter and ``tracker models`` (:func:`list_models`) display the
columns of ``models``; :func:`refresh_models` loads each model's Hub repos and
OpenRouter listings, asks the pure precedence rules of
:mod:`tracker.normalize.shown` (which also documents them), writes only what
differs, and emits an :class:`OpenWeightStatusChanged` event when the status
really changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.events.types import Event
from tracker.normalize.identity import METHOD_RANK, identity_table, vendor_aliases, vendor_orgs
from tracker.normalize.numbers import format_decimal
from tracker.normalize.openweights import VendorStatement, epoch_label, listed_repos
from tracker.normalize.shown import ListingView, RepoView, ShownModel, shown_values, status_event
from tracker.store.bulk import in_chunks, update_rows
from tracker.store.tables import Claim, Crosswalk, Document, Model, OpenRouterListing, Price
from tracker.store.tables.huggingface import HfOrg, HfRepo
from tracker.vocabulary import shown_prices

CHUNK = 500
SHOWN = (
    "open_weight_status",
    "open_weight_evidence",
    "license_key",
    "license_class",
    "params_total",
    "params_active",
    "params_source",
    "context_length",
    "is_derivative",
    "base_model_id",
    "base_relation",
    "hf_repo_id",
    "released_at",
)

MODEL_COLUMNS = tuple(Model.__table__.c[name] for name in ("id", "key", "openrouter_id", *SHOWN))


@dataclass
class ShownResult:
    events: list[Event] = field(default_factory=list)
    writes: int = 0


def openrouter_model_ids(session: Session) -> set[int]:
    return set(
        session.scalars(select(OpenRouterListing.model_id).where(OpenRouterListing.model_id.is_not(None)).distinct())
    )


def searched_orgs(session: Session) -> set[str]:
    """Lower-case Hub organisations whose listing the tracker has crawled (searched for a vendor's weights)."""
    return {name.lower() for name in session.scalars(select(HfOrg.name))}


def vendor_statements(session: Session, model_ids: Collection[int]) -> dict[int, list[VendorStatement]]:
    """A vendor's own posts or docs saying a model's weights are released (its ``open`` openness claims)."""
    out: dict[int, list[VendorStatement]] = defaultdict(list)
    for part in in_chunks(sorted(set(model_ids))):
        for row in session.execute(
            select(Claim.model_id, Claim.source, Claim.url, Claim.quote, Claim.extra).where(
                Claim.model_id.in_(part),
                Claim.attribute == "openness",
                Claim.value == "open",
                Claim.reporter == "vendor",
            )
        ):
            extra = row.extra or {}
            if extra.get("third_party") or extra.get("document_kind") != "vendor":
                continue
            statement = VendorStatement(row.source, row.url, row.quote)
            if statement not in out[row.model_id]:
                out[row.model_id].append(statement)
    # a vendor's page that links the model's Hub repo (through the crosswalk's manual links or the declared id)
    wanted: dict[str, list[int]] = defaultdict(list)
    manual = defaultdict(list)
    for link in identity_table().manual:
        manual[link.openrouter.lower()].append(link.huggingface.lower())
    for part in in_chunks(sorted(set(model_ids))):
        for model_id, openrouter_id in session.execute(
            select(Model.id, Model.openrouter_id).where(Model.id.in_(part), Model.openrouter_id.is_not(None))
        ):
            for repo in manual.get(openrouter_id.lower(), []):
                wanted[repo].append(model_id)
        for model_id, declared in session.execute(
            select(OpenRouterListing.model_id, OpenRouterListing.hugging_face_id).where(
                OpenRouterListing.model_id.in_(part), OpenRouterListing.hugging_face_id.is_not(None)
            )
        ):
            wanted[declared.lower()].append(model_id)
    if wanted:
        for url, vendor, text in session.execute(
            select(Document.url, Document.vendor, Document.text).where(
                Document.kind == "vendor", Document.text.ilike("%hugging%face%")
            )
        ):
            listed = listed_repos(text)
            for repo, model_ids_of in wanted.items():
                line = listed.get(repo) or listed.get(f"name:{repo.split('/', 1)[-1]}")
                for model_id in model_ids_of if line else ():
                    statement = VendorStatement(vendor or url, url, line)
                    if statement not in out[model_id]:
                        out[model_id].append(statement)
    return out


def awaiting_weights(
    session: Session, orgs: Collection[str] = (), model_ids: Collection[int] | None = None, *, every: bool = False
) -> set[int]:
    """OpenRouter models with no Hub repo whose status the evidence may change.

    ``orgs``: organisations just searched (a model of a vendor publishing under one
    of them); ``model_ids``: only these; ``every``: all of them.
    """
    wanted = {o.lower() for o in orgs}
    query = select(Model.id, Model.openrouter_id).where(Model.openrouter_id.is_not(None), Model.hf_repo_id.is_(None))
    if model_ids is not None:
        query = query.where(Model.id.in_(sorted(set(model_ids))))
    out = set()
    for model_id, openrouter_id in session.execute(query):
        if every or model_ids is not None or wanted & set(vendor_orgs(openrouter_id.split("/", 1)[0])):
            out.add(model_id)
    return out


def refresh_models(
    session: Session,
    model_ids: Collection[int],
    *,
    now: dt.datetime,
    source: str,
    fresh_repos: Collection[str] = (),
) -> ShownResult:
    """Recompute the shown values of ``model_ids``; write and report what changed."""
    result = ShownResult()
    ids = sorted(set(model_ids))
    if not ids:
        return result
    models: dict[int, ShownModel] = {}
    repos: dict[int, list[RepoView]] = defaultdict(list)
    listings: dict[int, list[ListingView]] = defaultdict(list)
    methods: dict[str, str] = {}
    for part in in_chunks(ids):
        for row in session.execute(select(*MODEL_COLUMNS).where(Model.id.in_(part))):
            models[row.id] = ShownModel(**row._asdict())
        for row in session.execute(
            select(
                HfRepo.id,
                HfRepo.model_id,
                HfRepo.status,
                HfRepo.is_derivative,
                HfRepo.base_model,
                HfRepo.base_relation,
                HfRepo.license_key,
                HfRepo.license_class,
                HfRepo.params_total,
                HfRepo.params_total_source,
                HfRepo.params_active,
                HfRepo.context_length,
                HfRepo.open_weight_status,
                HfRepo.open_weight_evidence,
                HfRepo.created_upstream_at,
                HfRepo.first_seen_at,
            ).where(HfRepo.model_id.in_(part))
        ):
            repos[row.model_id].append(RepoView(**row._asdict()))
        for row in session.execute(
            select(
                OpenRouterListing.id,
                OpenRouterListing.model_id,
                OpenRouterListing.status,
                OpenRouterListing.hugging_face_id,
                OpenRouterListing.context_length,
                OpenRouterListing.created_upstream_at,
            ).where(OpenRouterListing.model_id.in_(part), OpenRouterListing.variant.is_(None))
        ):
            listings[row.model_id].append(ListingView(**row._asdict()))
        for external, method in session.execute(
            select(Crosswalk.external_id, Crosswalk.method).where(
                Crosswalk.model_id.in_(part), Crosswalk.namespace == "huggingface"
            )
        ):
            low = external.lower()
            if low not in methods or METHOD_RANK.get(method, 99) < METHOD_RANK.get(methods[low], 99):
                methods[low] = method
    bases = _base_model_ids(session, [r.base_model for rs in repos.values() for r in rs if r.base_model])
    fresh = {r.lower() for r in fresh_repos}
    searched = searched_orgs(session)
    statements = vendor_statements(session, [i for i in models if not repos.get(i)])
    updates: list[dict[str, Any]] = []
    for model_id, model in models.items():
        shown = shown_values(
            model,
            repos.get(model_id, []),
            listings.get(model_id, []),
            methods,
            bases,
            searched=searched,
            statements=statements.get(model_id, ()),
        )
        changed = {k: v for k, v in shown.items() if getattr(model, k) != v}
        if not changed:
            continue
        updates.append({"id": model_id, **shown, "updated_at": now})
        event = status_event(model, shown, fresh, source, now)
        if event is not None:
            result.events.append(event)
    if updates:
        update_rows(session, Model.__table__, updates)
        result.writes += len(updates)
    return result


def _base_model_ids(session: Session, base_repo_ids: list[str]) -> dict[str, int]:
    """``{base repo id lower: model id}`` for the base models we know."""
    lowers = sorted({b.lower() for b in base_repo_ids})
    out: dict[str, int] = {}
    for part in in_chunks(lowers):
        query = select(HfRepo.id_lower, HfRepo.model_id).where(HfRepo.id_lower.in_(part), HfRepo.model_id.is_not(None))
        out.update({low: model_id for low, model_id in session.execute(query)})
        missing = [b for b in part if b not in out]
        if missing:
            by_key = select(Model.key, Model.id).where(Model.key.in_(missing))
            out.update({key: model_id for key, model_id in session.execute(by_key)})
    return out


# ───────────────────────────── listing the shown values ─────────────────────────────

PRICE_COMPONENTS = ("prompt", "completion")


@dataclass(frozen=True)
class ModelFilter:
    vendor: str | None = None
    open_weights: str | None = None
    license_class: str | None = None
    include_derivatives: bool = False
    limit: int | None = None


def list_models(session: Session, flt: ModelFilter | None = None) -> list[dict[str, Any]]:
    """Models (originals unless asked) with licence, openness, parameters, context, base prices and sources."""
    flt = flt or ModelFilter()
    query = select(Model).order_by(func.lower(Model.vendor), Model.key)
    if flt.vendor:
        query = query.where(func.lower(Model.vendor).in_(sorted(vendor_aliases(flt.vendor))))
    if flt.open_weights:
        query = query.where(Model.open_weight_status == flt.open_weights)
    if flt.license_class:
        if flt.license_class == "unknown":
            query = query.where((Model.license_class == "unknown") | Model.license_class.is_(None))
        else:
            query = query.where(Model.license_class == flt.license_class)
    if not flt.include_derivatives:
        query = query.where(Model.is_derivative.is_(False))
    if flt.limit:
        query = query.limit(flt.limit)
    models = session.scalars(query).all()
    ids = [m.id for m in models]
    listed: dict[int, set[str]] = defaultdict(set)
    prices: dict[int, dict[str, dict[str, str | None]]] = defaultdict(dict)
    keys: dict[int, str] = {}
    offers = {m.id: m.openrouter_id for m in models if m.openrouter_id}
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        for model_id in session.scalars(
            select(OpenRouterListing.model_id).where(
                OpenRouterListing.model_id.in_(part), OpenRouterListing.status == "listed"
            )
        ):
            listed[model_id].add("openrouter")
        for model_id in session.scalars(
            select(HfRepo.model_id).where(HfRepo.model_id.in_(part), HfRepo.status == "listed")
        ):
            listed[model_id].add("huggingface")
        subjects = [offers[i] for i in part if i in offers]
        if subjects:
            rows = session.execute(
                select(
                    Price.subject,
                    Price.component,
                    Price.tier,
                    Price.source,
                    Price.provider,
                    Price.status,
                    Price.usd_per_mtok,
                    Price.first_seen_at,
                    Price.last_seen_at,
                ).where(
                    Price.source == "openrouter",
                    Price.subject.in_(subjects),
                    Price.tier == "",
                    Price.last_seen_at.is_(None),
                    Price.component.in_(PRICE_COMPONENTS),
                )
            ).all()
            by_subject: dict[str, list[Any]] = defaultdict(list)
            for row in rows:
                by_subject[row.subject].append(row)
            for model_id in part:
                offer = offers.get(model_id)
                if offer is None:
                    continue
                shown = shown_prices(by_subject.get(offer, ()), offers=[offer], openrouter_id=offer)
                for component, row in shown.items():
                    prices[model_id][component] = {
                        "status": row.status,
                        "usd_per_mtok": format_decimal(row.usd_per_mtok) if row.usd_per_mtok is not None else None,
                    }
    bases = sorted({m.base_model_id for m in models if m.base_model_id})
    for start in range(0, len(bases), CHUNK):
        keys.update(
            {
                i: k
                for i, k in session.execute(
                    select(Model.id, Model.key).where(Model.id.in_(bases[start : start + CHUNK]))
                )
            }
        )
    rows = {m.id: _row(m, sorted(listed.get(m.id, ())), prices.get(m.id, {}), keys) for m in models}
    return _fold_renamed(session, rows)


def _fold_renamed(session: Session, rows: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """A renamed model is one row (the site's rule, :mod:`tracker.events.renames`): the old id's row is left
    out and named in its new model's ``renamed_from``, its sources added to the new model's."""
    from tracker.events.renames import rename_links, renames_of
    from tracker.store.events import read_events

    renames = renames_of(read_events(session, kinds=["model_renamed"]).events)
    for row in rows.values():
        row["renamed_from"] = []
    if not renames:
        return list(rows.values())
    models = session.execute(select(Model.id, Model.key, Model.openrouter_id)).all()
    still_listed = {
        model_id: True
        for model_id in session.scalars(
            select(OpenRouterListing.model_id).where(OpenRouterListing.status == "listed").distinct()
        )
    }
    links = rename_links(renames, models, still_listed)
    keys = {m.id: m.key for m in models}
    for old, new in sorted(links.items(), key=lambda link: keys[link[0]]):
        if new not in rows:
            continue  # the new model is filtered out: the old row stands for itself
        gone = rows.pop(old, None)
        rows[new]["renamed_from"].append(keys[old])
        if gone is not None:
            rows[new]["sources"] = sorted({*rows[new]["sources"], *gone["sources"]})
    return list(rows.values())


def _row(model: Model, sources: list[str], prices: dict[str, Any], keys: dict[int, str]) -> dict[str, Any]:
    return {
        "key": model.key,
        "name": model.name,
        "vendor": model.vendor,
        "license_key": model.license_key,
        "license_class": model.license_class or "unknown",
        "open_weight_status": model.open_weight_status,
        "open_weight_evidence": model.open_weight_evidence,
        "access": epoch_label(model.open_weight_status, model.license_class),
        "params_total": model.params_total,
        "params_active": model.params_active,
        "params_source": model.params_source,
        "context_length": model.context_length,
        "is_derivative": model.is_derivative,
        "base_model": keys.get(model.base_model_id) if model.base_model_id else None,
        "base_relation": model.base_relation,
        "hf_repo_id": model.hf_repo_id,
        "openrouter_id": model.openrouter_id,
        "released_at": model.released_at.isoformat() if model.released_at else None,
        "prices_usd_per_mtok": {c: prices.get(c) for c in PRICE_COMPONENTS},
        "sources": sources,
    }
