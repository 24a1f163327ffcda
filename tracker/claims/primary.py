"""The primary APIs' current values as claims, so the ledger can weigh them against posts and press.

The Hub store step already writes its facts as claims (licence, openness of a
repo, parameters, config context). What OpenRouter says is kept in listings
and the price history; here it becomes one claim per model and attribute,
derived from OpenRouter's own data (the model's preferred listing and its
current prices), never from what another source has claimed or shown:

* **openness** — ``api-only`` when the model shows it (listed by OpenRouter
  without ``hugging_face_id``, its vendor's Hub organisations searched, no repo
  linked), ``no-weights`` when its repo was removed;
* **context length** — the listing's ``context_length``;
* **parameters** — read from the OpenRouter id (``qwen3-235b-a22b``), whatever a
  Hub repo says (the ledger shows the value the model shows);
* **price** — each current price of ``prompt``, ``completion`` and the cache
  components, per prompt-length tier (qualifier ``prompt`` or
  ``prompt@prompt>=32000``), in USD per 1M tokens.

These claims follow the API: one row per (model, attribute, qualifier), whose
value is updated when the API changes (the history stays in ``prices``,
``observations`` and ``events``). Only the models the ledger checks get them.

:func:`derive_claims` is the pure rule (a model's :class:`PrimaryInputs` →
claim records); :func:`sync_primary_claims` loads the inputs, asks it, and
writes what differs. Because the rule reads only OpenRouter's data and the
model's shown openness, the claims are the same whatever order the sources
were crawled in, provided every update re-derives them for the models whose
inputs changed (:func:`tracker.update.ledger.reweigh`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.normalize.numbers import format_decimal
from tracker.normalize.openweights import evidence_text
from tracker.normalize.params import params_from_name
from tracker.store.bulk import in_chunks
from tracker.store.claims import ClaimRecord, api_identity, update_claims, upsert
from tracker.store.tables import Claim, Model, Observation, OpenRouterListing, Price
from tracker.vocabulary import prices_in_force

SOURCE = "openrouter"
PRICE_COMPONENTS = ("prompt", "completion", "input_cache_read", "input_cache_write")


def price_qualifier(component: str, tier: str) -> str:
    return f"{component}@{tier}" if tier else component


@dataclass(frozen=True, slots=True)
class ModelView:
    """The model a claim is about: identity and shown openness (the status a Hub search decides)."""

    id: int
    key: str
    openrouter_id: str | None = None
    open_weight_status: str = "unknown"
    open_weight_evidence: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ListingView:
    """The model's preferred OpenRouter listing (variants excluded) as last observed."""

    id: str
    context_length: int | None = None
    last_changed_at: dt.datetime | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PrimaryInputs:
    """Everything :func:`derive_claims` reads about one model."""

    model: ModelView
    listing: ListingView | None = None
    #: The current prices of the model's OpenRouter id (rows of ``prices``, every tier).
    prices: Sequence[Any] = ()


def derive_claims(inputs: PrimaryInputs, *, now: dt.datetime) -> list[ClaimRecord]:
    """The API-derived claims of one model (pure): openness, context length, parameters, prices."""
    model, listing = inputs.model, inputs.listing
    rows: list[ClaimRecord] = []

    def add(attribute: str, value: str, **more: Any) -> None:
        qualifier = more.pop("qualifier", "")
        rows.append(
            ClaimRecord(
                identity=api_identity(SOURCE, model.key, attribute, qualifier),
                model_id=model.id,
                mention=model.openrouter_id or model.key,
                attribute=attribute,
                qualifier=qualifier,
                value=value,
                value_num=more.pop("value_num", None),
                unit=more.pop("unit", None),
                reporter="primary",
                source=SOURCE,
                url=more.pop("url", None),
                published_at=more.pop("published_at", None),
                fetched_at=more.pop("fetched_at", now),
                quote=more.pop("quote", None),
                extra={**more.pop("extra", {}), "follows": "api"},
                created_at=now,
            )
        )

    url = listing.url if listing is not None else None
    seen = (listing.last_changed_at if listing is not None else None) or now
    status = model.open_weight_status
    evidence = dict(model.open_weight_evidence or {})
    if status == "api-only":
        quote = f"{evidence.get('openrouter_id') or model.openrouter_id}: no hugging_face_id, no Hub repository"
        if "searched" in evidence:  # what was searched and found (issue 12)
            quote = f"{quote}. {evidence_text(status, evidence)}"
        add("openness", status, url=url, fetched_at=seen, quote=quote, extra={"evidence": evidence})
    elif status == "no-weights":
        quote = f"Hub repository {evidence.get('repo')}: no weight files or removed"
        add("openness", status, url=url, fetched_at=seen, quote=quote, extra={"evidence": evidence})
    if listing is not None and listing.context_length:
        add(
            "context_length",
            str(listing.context_length),
            value_num=Decimal(listing.context_length),
            unit="tokens",
            url=url,
            fetched_at=seen,
            quote=f'"context_length": {listing.context_length}',
            extra={"openrouter_id": listing.id},
        )
    counts = params_from_name(listing.id) if listing is not None else (None, None)
    for attribute, count in zip(("params_total", "params_active"), counts, strict=True):
        if count is not None and listing is not None:
            add(
                attribute,
                str(count),
                value_num=Decimal(count),
                unit="parameters",
                url=url,
                fetched_at=seen,
                quote=f"id {listing.id}",
                extra={"method": "name"},
            )
    for price in sorted(inputs.prices, key=lambda p: (p.component, p.tier)):
        amount = Decimal(0) if price.status == "free" else price.usd_per_mtok
        if amount is None:
            continue
        where = f"overrides[min_prompt_tokens={price.min_prompt_tokens}]." if price.tier else ""
        add(
            "price",
            format_decimal(amount),
            qualifier=price_qualifier(price.component, price.tier),
            value_num=amount,
            unit="usd_per_mtok",
            url=price.url,
            published_at=price.first_seen_at,
            fetched_at=price.first_seen_at,
            quote=f'pricing.{where}{price.component}: "{price.raw}"' if price.raw else None,
            extra={"since": price.first_seen_at.isoformat(), "status": price.status, "tier": price.tier},
        )
    return rows


def load_inputs(session: Session, model_ids: Sequence[int]) -> list[PrimaryInputs]:
    """What :func:`derive_claims` needs for each of ``model_ids`` (models that exist), in id order."""
    models: dict[int, ModelView] = {}
    for part in in_chunks(model_ids):
        for row in session.execute(
            select(
                Model.id, Model.key, Model.openrouter_id, Model.open_weight_status, Model.open_weight_evidence
            ).where(Model.id.in_(part))
        ):
            models[row.id] = ModelView(**row._asdict())
    listings: dict[int, Any] = {}
    for part in in_chunks(list(models)):
        for row in session.execute(
            select(
                OpenRouterListing.id,
                OpenRouterListing.model_id,
                OpenRouterListing.status,
                OpenRouterListing.context_length,
                OpenRouterListing.last_changed_at,
                OpenRouterListing.last_observation_id,
            ).where(OpenRouterListing.model_id.in_(part), OpenRouterListing.variant.is_(None))
        ):
            current = listings.get(row.model_id)
            preferred = row.id == models[row.model_id].openrouter_id
            if current is None or preferred or (current.status != "listed" and row.status == "listed"):
                listings[row.model_id] = row
    urls = _observation_urls(session, [r.last_observation_id for r in listings.values() if r.last_observation_id])
    prices: dict[str, list[Any]] = defaultdict(list)
    for price in _current_prices(session, [m for m in models.values() if m.openrouter_id]):
        prices[price.subject].append(price)
    out = []
    for model_id in sorted(models):
        model, row = models[model_id], listings.get(model_id)
        listing = (
            ListingView(row.id, row.context_length, row.last_changed_at, urls.get(row.last_observation_id))
            if row is not None
            else None
        )
        out.append(PrimaryInputs(model, listing, tuple(prices.get(model.openrouter_id or "", ()))))
    return out


def _observation_urls(session: Session, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in in_chunks(sorted(set(ids))):
        out.update(
            {
                i: u
                for i, u in session.execute(select(Observation.id, Observation.url).where(Observation.id.in_(part)))
                if u
            }
        )
    return out


def _current_prices(session: Session, models: list[Any]) -> list[Any]:
    """Each model's current OpenRouter prices, every tier (:func:`tracker.vocabulary.prices_in_force`)."""
    subjects = sorted({m.openrouter_id for m in models})
    rows: dict[str, list[Any]] = defaultdict(list)
    for part in in_chunks(subjects):
        for row in session.execute(
            select(
                Price.subject,
                Price.component,
                Price.tier,
                Price.min_prompt_tokens,
                Price.status,
                Price.usd_per_mtok,
                Price.raw,
                Price.url,
                Price.first_seen_at,
                Price.last_seen_at,
                Price.source,
                Price.provider,
            ).where(
                Price.source == SOURCE,
                Price.subject.in_(part),
                Price.last_seen_at.is_(None),
                Price.component.in_(PRICE_COMPONENTS),
                Price.status.in_(("priced", "free")),
            )
        ):
            rows[row.subject].append(row)
    return [p for subject in subjects for p in prices_in_force(rows.get(subject, ()), subject, all_tiers=True).values()]


def price_history(session: Session, openrouter_ids: Collection[str]) -> dict[tuple[str, str], list[Any]]:
    """``(subject, qualifier)`` → the API's prices over time (``usd_per_mtok``, ``first_seen_at``, ``last_seen_at``)."""
    out: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for part in in_chunks(sorted(set(openrouter_ids))):
        for row in session.execute(
            select(
                Price.id,
                Price.subject,
                Price.component,
                Price.tier,
                Price.status,
                Price.usd_per_mtok,
                Price.first_seen_at,
                Price.last_seen_at,
            )
            .where(
                Price.source == SOURCE,
                Price.subject.in_(part),
                Price.provider.is_(None),
                Price.component.in_(PRICE_COMPONENTS),
                Price.status.in_(("priced", "free")),
            )
            .order_by(Price.first_seen_at)
        ):
            out[(row.subject, price_qualifier(row.component, row.tier))].append(row)
    return out


def sync_primary_claims(session: Session, model_ids: Collection[int], *, now: dt.datetime) -> int:
    """Write the API-derived claims of ``model_ids``; returns rows written (0 when nothing changed).

    A derived claim the API no longer supports (the model got weights, the listing
    lost its context length) is kept and marked ``superseded_at`` in ``extra``;
    the ledger ignores it.
    """
    ids = sorted(set(model_ids))
    wanted = [record for inputs in load_inputs(session, ids) for record in derive_claims(inputs, now=now)]
    hashes = {record.claim_hash for record in wanted}
    supersede: list[dict[str, Any]] = []
    for part in in_chunks(ids):
        for row in session.execute(
            select(Claim.id, Claim.claim_hash, Claim.extra).where(
                Claim.model_id.in_(part), Claim.source == SOURCE, Claim.reporter == "primary"
            )
        ):
            extra = row.extra or {}
            if row.claim_hash not in hashes and extra.get("follows") == "api" and "superseded_at" not in extra:
                supersede.append(
                    {"id": row.id, "extra": {**extra, "superseded_at": now.isoformat()}, "status": "unchecked"}
                )
    written = upsert(session, wanted)
    return written.writes + update_claims(session, supersede)
