"""The shown values of each model, recomputed from its sources.

The site, the newsletter and ``tracker models`` (:func:`list_models`) display the
columns of ``models``; this module derives them from the primary sources (the Hub repo
linked to the model and its OpenRouter listing), writes only what differs, and
emits an :class:`OpenWeightStatusChanged` event when the status really changes.

Rules (primary APIs first; the claims ledger may add vendor/press precedence later):

* the model's **primary repo** is its linked Hub repo with the strongest link
  (manual > declared ``hugging_face_id`` > exact id > normalized name), listed
  repos before removed ones, originals before derivatives;
* **open-weight status**: the primary repo's status; a removed repo → ``no-weights``;
  no repo but an OpenRouter listing without ``hugging_face_id`` → ``api-only``;
  a listing that declares a repo never seen → ``unknown``;
* **licence**, **lineage** (derivative, base model, relation) and **parameters**
  come from the primary repo; without one, parameters are read from the
  OpenRouter id (``qwen3-235b-a22b``, marked ``name``);
* **context length**: OpenRouter's (what is served) when listed, else the repo config's;
* **released_at**: the earliest of the OpenRouter ``created`` and the repo's ``createdAt``.

Events: a change between two definite statuses (never from or to ``unknown``).
``api-only`` → ``open``/``gated`` is reported only when the repo is newly
published in an organisation the tracker already followed (``fresh_repos``),
not when a first crawl merely finds weights that were always there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.events.types import Event, OpenWeightStatusChanged
from tracker.normalize.identity import METHOD_RANK, identity_table, vendor_aliases, vendor_orgs
from tracker.normalize.numbers import format_decimal
from tracker.normalize.openweights import (
    VendorStatement,
    api_status,
    declared_not_crawled,
    epoch_label,
    listed_repos,
)
from tracker.normalize.params import params_from_name
from tracker.store.bulk import update_rows
from tracker.store.tables import Claim, Crosswalk, Document, Model, OpenRouterListing, Price
from tracker.store.tables.huggingface import HfOrg, HfRepo

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


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def openrouter_model_ids(session: Session) -> set[int]:
    return set(
        session.scalars(select(OpenRouterListing.model_id).where(OpenRouterListing.model_id.is_not(None)).distinct())
    )


def first_listing_shown(
    listing_id: str,
    *,
    hugging_face_id: str | None,
    context_length: int | None,
    created_at: dt.datetime | None,
    searched_orgs: Collection[str] = (),
) -> dict[str, Any]:
    """The shown values of a model seen for the first time, in this one OpenRouter listing and nowhere else.

    The very computation :func:`refresh_models` makes for a model with that listing and no Hub repo,
    so a model can be created with its shown values and needs no refresh (a repo linked to it later
    in the same crawl makes it refreshed then).
    """
    model = SimpleNamespace(
        id=None,
        openrouter_id=listing_id,
        open_weight_status="unknown",
        open_weight_evidence=None,
        is_derivative=False,
        base_relation=None,
        base_model_id=None,
        released_at=created_at,
    )
    listing = SimpleNamespace(
        id=listing_id,
        status="listed",
        hugging_face_id=hugging_face_id,
        context_length=context_length,
        created_upstream_at=created_at,
    )
    return _shown(model, [], [listing], {}, {}, searched=searched_orgs)


def searched_orgs(session: Session) -> set[str]:
    """Lower-case Hub organisations whose listing the tracker has crawled (searched for a vendor's weights)."""
    return {name.lower() for name in session.scalars(select(HfOrg.name))}


def vendor_statements(session: Session, model_ids: Collection[int]) -> dict[int, list[VendorStatement]]:
    """A vendor's own posts or docs saying a model's weights are released (its ``open`` openness claims)."""
    out: dict[int, list[VendorStatement]] = defaultdict(list)
    for part in _chunks(sorted(set(model_ids))):
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
    for part in _chunks(sorted(set(model_ids))):
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
    models: dict[int, Any] = {}
    repos: dict[int, list[Any]] = defaultdict(list)
    listings: dict[int, list[Any]] = defaultdict(list)
    methods: dict[str, str] = {}
    for part in _chunks(ids):
        for row in session.execute(select(*MODEL_COLUMNS).where(Model.id.in_(part))):
            models[row.id] = row
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
            repos[row.model_id].append(row)
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
            listings[row.model_id].append(row)
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
        shown = _shown(
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
        event = _status_event(model, shown, repos.get(model_id, []), listings.get(model_id, []), fresh, source, now)
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
    for part in _chunks(lowers):
        query = select(HfRepo.id_lower, HfRepo.model_id).where(HfRepo.id_lower.in_(part), HfRepo.model_id.is_not(None))
        out.update({low: model_id for low, model_id in session.execute(query)})
        missing = [b for b in part if b not in out]
        if missing:
            by_key = select(Model.key, Model.id).where(Model.key.in_(missing))
            out.update({key: model_id for key, model_id in session.execute(by_key)})
    return out


def _primary_repo(model: Any, repos: list[Any], methods: dict[str, str]) -> Any | None:
    if not repos:
        return None

    def rank(repo: Any) -> tuple[int, int, int, dt.datetime, str]:
        return (
            0 if repo.status == "listed" else 1,
            METHOD_RANK.get(methods.get(repo.id.lower(), ""), 50),
            1 if repo.is_derivative else 0,
            repo.first_seen_at,
            repo.id,
        )

    return min(repos, key=rank)


def _primary_listing(model: Any, listings: list[Any]) -> Any | None:
    if not listings:
        return None
    return min(listings, key=lambda row: (row.status != "listed", row.id != model.openrouter_id, row.id))


def _shown(
    model: Any,
    repos: list[Any],
    listings: list[Any],
    methods: dict[str, str],
    bases: dict[str, int],
    *,
    searched: Collection[str] = (),
    statements: Collection[VendorStatement] = (),
) -> dict[str, Any]:
    repo = _primary_repo(model, repos, methods)
    listing = _primary_listing(model, listings)
    shown: dict[str, Any] = {}
    if repo is not None:
        if repo.status == "listed":
            shown["open_weight_status"] = repo.open_weight_status
            shown["open_weight_evidence"] = repo.open_weight_evidence
        else:
            shown["open_weight_status"] = "no-weights"
            shown["open_weight_evidence"] = {"repo": repo.id, "removed": True}
        shown["license_key"] = repo.license_key
        shown["license_class"] = repo.license_class or "unknown"
        shown["is_derivative"] = repo.is_derivative
        shown["base_relation"] = repo.base_relation
        base_id = bases.get(repo.base_model.lower()) if repo.base_model else None
        shown["base_model_id"] = base_id if base_id != model.id else None
        shown["hf_repo_id"] = repo.id
        total, active, source = repo.params_total, repo.params_active, repo.params_total_source
        if total is None and active is not None:
            source = "name"
    else:
        declared = next((row.hugging_face_id for row in listings if row.hugging_face_id), None)
        if listing is not None and declared:
            decision = declared_not_crawled(listing.id, declared)
            if statements:  # the vendor says the weights are out: "open (vendor says; no repo found)"
                decision = api_status(listing.id, vendor_orgs=(), searched_orgs=(), statements=statements)
                decision.evidence["hugging_face_id"] = declared
        elif listing is not None:  # api-only needs evidence: the vendor's organisations searched, no statement
            vendor = listing.id.split("/", 1)[0]
            decision = api_status(
                listing.id, vendor_orgs=vendor_orgs(vendor), searched_orgs=searched, statements=statements
            )
        else:
            decision = None
        shown["open_weight_status"] = str(decision.status) if decision else model.open_weight_status
        shown["open_weight_evidence"] = decision.evidence if decision else model.open_weight_evidence
        shown["license_key"] = None
        shown["license_class"] = "unknown"
        shown["is_derivative"] = model.is_derivative
        shown["base_relation"] = model.base_relation
        shown["base_model_id"] = model.base_model_id
        shown["hf_repo_id"] = None
        total, active = params_from_name(listing.id) if listing is not None else (None, None)
        source = "name" if total is not None or active is not None else None
    shown["params_total"], shown["params_active"], shown["params_source"] = total, active, source
    context = listing.context_length if listing is not None else None
    shown["context_length"] = context if context is not None else (repo.context_length if repo else None)
    times = [
        t for t in ([row.created_upstream_at for row in listings] + [repo.created_upstream_at if repo else None]) if t
    ]
    shown["released_at"] = min(times) if times else model.released_at
    return shown


def _status_event(
    model: Any,
    shown: dict[str, Any],
    repos: list[Any],
    listings: list[Any],
    fresh: set[str],
    source: str,
    now: dt.datetime,
) -> Event | None:
    old, new = model.open_weight_status, shown["open_weight_status"]
    if old == new or "unknown" in (old, new):
        return None
    repo_id = shown.get("hf_repo_id")
    if old == "api-only" and new in ("open", "gated") and (repo_id is None or repo_id.lower() not in fresh):
        return None  # weights that were always there, found by a first crawl: not news
    subject = repo_id or model.openrouter_id or model.key
    return OpenWeightStatusChanged(
        subject=subject,
        source=source,
        detected_at=now,
        model_key=model.key,
        old=old,
        new=new,
        evidence=shown.get("open_weight_evidence") or {},
    )


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
                select(Price.subject, Price.component, Price.status, Price.usd_per_mtok).where(
                    Price.source == "openrouter",
                    Price.subject.in_(subjects),
                    Price.tier == "",
                    Price.last_seen_at.is_(None),
                    Price.component.in_(PRICE_COMPONENTS),
                )
            )
            by_subject = {subject: model_id for model_id, subject in offers.items()}
            for subject, component, status, amount in rows:
                prices[by_subject[subject]][component] = {
                    "status": status,
                    "usd_per_mtok": format_decimal(amount) if amount is not None else None,
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
    return [_row(m, sorted(listed.get(m.id, ())), prices.get(m.id, {}), keys) for m in models]


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
