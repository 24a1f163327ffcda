"""The primary APIs' current values as claims, so the ledger can weigh them against posts and press.

The Hub store step already writes its facts as claims (licence, openness of a
repo, parameters, config context). What OpenRouter says is kept in listings
and the price history; here it becomes one claim per model and attribute:

* **openness** — the model's shown status when no Hub claim states it
  (``api-only``: listed by OpenRouter without ``hugging_face_id`` and no Hub
  repo linked; ``no-weights``: its repo was removed);
* **context length** — the listing's ``context_length``;
* **parameters** — read from the OpenRouter id (``qwen3-235b-a22b``) when no
  Hub claim states them;
* **price** — each current price of ``prompt``, ``completion`` and the cache
  components, per prompt-length tier (qualifier ``prompt`` or
  ``prompt@prompt>=32000``), in USD per 1M tokens.

These claims follow the API: one row per (model, attribute, qualifier), whose
value is updated when the API changes (the history stays in ``prices``,
``observations`` and ``events``). Only the models the ledger checks get them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.normalize.numbers import format_decimal
from tracker.normalize.openweights import evidence_text
from tracker.store.bulk import in_chunks
from tracker.store.claims import ClaimRecord, api_identity, update_claims, upsert
from tracker.store.tables import Claim, Model, Observation, OpenRouterListing, Price
from tracker.vocabulary import prices_in_force

SOURCE = "openrouter"
PRICE_COMPONENTS = ("prompt", "completion", "input_cache_read", "input_cache_write")


def price_qualifier(component: str, tier: str) -> str:
    return f"{component}@{tier}" if tier else component


def _wanted(session: Session, model_ids: Sequence[int], now: dt.datetime) -> list[ClaimRecord]:
    """The claim rows the API state of ``model_ids`` calls for."""
    models = {}
    for part in in_chunks(model_ids):
        for row in session.execute(
            select(
                Model.id,
                Model.key,
                Model.openrouter_id,
                Model.open_weight_status,
                Model.open_weight_evidence,
                Model.params_total,
                Model.params_active,
                Model.params_source,
            ).where(Model.id.in_(part))
        ):
            models[row.id] = row
    existing: dict[tuple[int, str], set[str]] = defaultdict(set)
    for part in in_chunks(list(models)):
        for model_id, attribute, value in session.execute(
            select(Claim.model_id, Claim.attribute, Claim.value).where(
                Claim.model_id.in_(part), Claim.reporter == "primary", Claim.source != SOURCE
            )
        ):
            existing[(model_id, attribute)].add(value)
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
    rows: list[ClaimRecord] = []

    def add(model: Any, attribute: str, value: str, **more: Any) -> None:
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

    for model_id, model in models.items():
        listing = listings.get(model_id)
        url = urls.get(listing.last_observation_id) if listing is not None else None
        seen = listing.last_changed_at if listing is not None else now
        status = model.open_weight_status
        evidence = model.open_weight_evidence or {}
        if status in ("api-only", "no-weights") and status not in existing[(model_id, "openness")]:
            if status == "api-only":
                quote = f"{evidence.get('openrouter_id') or model.openrouter_id}: no hugging_face_id, no Hub repository"
                if "searched" in evidence:  # what was searched and found (issue 12)
                    quote = f"{quote}. {evidence_text(status, evidence)}"
            else:
                quote = f"Hub repository {evidence.get('repo')}: no weight files or removed"
            add(model, "openness", status, url=url, fetched_at=seen, quote=quote, extra={"evidence": evidence})
        if listing is not None and listing.context_length:
            add(
                model,
                "context_length",
                str(listing.context_length),
                value_num=Decimal(listing.context_length),
                unit="tokens",
                url=url,
                fetched_at=seen,
                quote=f'"context_length": {listing.context_length}',
                extra={"openrouter_id": listing.id},
            )
        if model.params_source == "name" and listing is not None:
            for attribute, count in (("params_total", model.params_total), ("params_active", model.params_active)):
                if count is not None and str(count) not in existing[(model_id, attribute)]:
                    add(
                        model,
                        attribute,
                        str(count),
                        value_num=Decimal(count),
                        unit="parameters",
                        url=url,
                        fetched_at=seen,
                        quote=f"id {listing.id}",
                        extra={"method": "name"},
                    )
    by_openrouter_id = {m.openrouter_id: m for m in models.values() if m.openrouter_id}
    for price in _current_prices(session, list(by_openrouter_id.values())):
        model = by_openrouter_id[price.subject]
        amount = Decimal(0) if price.status == "free" else price.usd_per_mtok
        if amount is None:
            continue
        qualifier = price_qualifier(price.component, price.tier)
        where = f"overrides[min_prompt_tokens={price.min_prompt_tokens}]." if price.tier else ""
        add(
            model,
            "price",
            format_decimal(amount),
            qualifier=qualifier,
            value_num=amount,
            unit="usd_per_mtok",
            url=price.url,
            published_at=price.first_seen_at,
            fetched_at=now,
            quote=f'pricing.{where}{price.component}: "{price.raw}"' if price.raw else None,
            extra={"since": price.first_seen_at.isoformat(), "status": price.status, "tier": price.tier},
        )
    return rows


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
    wanted = _wanted(session, ids, now)
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
