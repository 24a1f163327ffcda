"""Shown-value precedence, pure: which source's value a model shows (no database).

The site, the newsletter and ``tracker models`` display the columns of
``models``; these rules derive them from the primary sources (the Hub repos
linked to the model and its OpenRouter listings) and say when a change of
open-weight status is news (:class:`OpenWeightStatusChanged`).

Rules (primary APIs first; the claims ledger may add vendor/press precedence later):

* the model's **primary repo** is its linked Hub repo with the strongest link
  (manual > declared ``hugging_face_id`` > exact id > normalized name), listed
  repos before removed ones, originals before derivatives;
* **open-weight status**: the primary repo's status; a removed repo → ``no-weights``;
  no repo but an OpenRouter listing without ``hugging_face_id`` → ``api-only`` only with evidence
  (the vendor's Hub organisations searched, no vendor statement of released weights), ``vendor-open``
  when the vendor says the weights are out, else ``unknown``;
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

:mod:`tracker.store.shown` loads the inputs (:class:`ShownModel`, :class:`RepoView`,
:class:`ListingView`), asks :func:`shown_values` and :func:`status_event`, and
writes what differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.events.types import Event, OpenWeightStatusChanged
from tracker.normalize.identity import METHOD_RANK, vendor_orgs
from tracker.normalize.openweights import VendorStatement, api_status, declared_not_crawled
from tracker.normalize.params import params_from_name


@dataclass(frozen=True, slots=True)
class ShownModel:
    """A model as stored: its identity and the shown values it has now."""

    id: int | None
    key: str | None = None
    openrouter_id: str | None = None
    open_weight_status: str = "unknown"
    open_weight_evidence: dict[str, Any] | None = None
    license_key: str | None = None
    license_class: str | None = None
    params_total: int | None = None
    params_active: int | None = None
    params_source: str | None = None
    context_length: int | None = None
    is_derivative: bool = False
    base_model_id: int | None = None
    base_relation: str | None = None
    hf_repo_id: str | None = None
    released_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class RepoView:
    """A Hub repo linked to the model."""

    id: str
    status: str
    open_weight_status: str
    first_seen_at: dt.datetime
    model_id: int | None = None
    is_derivative: bool = False
    base_model: str | None = None
    base_relation: str | None = None
    license_key: str | None = None
    license_class: str | None = None
    params_total: int | None = None
    params_total_source: str | None = None
    params_active: int | None = None
    context_length: int | None = None
    open_weight_evidence: dict[str, Any] | None = None
    created_upstream_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ListingView:
    """An OpenRouter listing of the model (variants excluded)."""

    id: str
    status: str
    model_id: int | None = None
    hugging_face_id: str | None = None
    context_length: int | None = None
    created_upstream_at: dt.datetime | None = None


def primary_repo(model: ShownModel, repos: Sequence[RepoView], methods: Mapping[str, str]) -> RepoView | None:
    """The repo whose values the model shows."""
    if not repos:
        return None

    def rank(repo: RepoView) -> tuple[int, int, int, dt.datetime, str]:
        return (
            0 if repo.status == "listed" else 1,
            METHOD_RANK.get(methods.get(repo.id.lower(), ""), 50),
            1 if repo.is_derivative else 0,
            repo.first_seen_at,
            repo.id,
        )

    return min(repos, key=rank)


def primary_listing(model: ShownModel, listings: Sequence[ListingView]) -> ListingView | None:
    """The listing whose values the model shows (listed first, then its own id)."""
    if not listings:
        return None
    return min(listings, key=lambda row: (row.status != "listed", row.id != model.openrouter_id, row.id))


def shown_values(
    model: ShownModel,
    repos: Sequence[RepoView],
    listings: Sequence[ListingView],
    methods: Mapping[str, str],
    bases: Mapping[str, int],
    *,
    searched: Collection[str] = (),
    statements: Collection[VendorStatement] = (),
) -> dict[str, Any]:
    """The shown columns of ``model`` from its repos and listings (``methods``: repo id lower → link method;
    ``bases``: base repo id lower → model id; ``searched``: Hub organisations crawled, lower case;
    ``statements``: the vendor's own statements that the weights are released)."""
    repo = primary_repo(model, repos, methods)
    listing = primary_listing(model, listings)
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


def status_event(
    model: ShownModel, shown: Mapping[str, Any], fresh: set[str], source: str, now: dt.datetime
) -> Event | None:
    """The event of a change of open-weight status (``fresh``: newly published repo ids, lower case)."""
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


def first_listing_shown(
    listing_id: str,
    *,
    hugging_face_id: str | None,
    context_length: int | None,
    created_at: dt.datetime | None,
    searched_orgs: Collection[str] = (),
) -> dict[str, Any]:
    """The shown values of a model seen for the first time, in this one OpenRouter listing and nowhere else.

    The very computation a refresh makes for a model with that listing and no Hub repo, so a model
    can be created with its shown values and needs no refresh (a repo linked to it later in the same
    crawl makes it refreshed then).
    """
    model = ShownModel(id=None, openrouter_id=listing_id, released_at=created_at)
    listing = ListingView(
        id=listing_id,
        status="listed",
        hugging_face_id=hugging_face_id,
        context_length=context_length,
        created_upstream_at=created_at,
    )
    return shown_values(model, [], [listing], {}, {}, searched=searched_orgs)
