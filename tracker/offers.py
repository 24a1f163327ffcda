"""A model's current offers and their prices (for ``tracker cost`` and the model page calculator).

An offer is one priced listing: the OpenRouter id itself, or ``id@provider`` for a per-provider endpoint when
those are stored. Its prices are the current rows of ``prices`` (``last_seen_at`` NULL), every tier.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.cost import TierPrice
from tracker.errors import TrackerError
from tracker.store.tables import Crosswalk, Model, OpenRouterListing, Price


class UnknownModel(TrackerError):
    """No model, or more than one, answers to the name given."""


@dataclass(frozen=True)
class ModelRef:
    id: int
    key: str
    name: str | None


def resolve_model(session: Session, text: str) -> ModelRef:
    """A model by key, OpenRouter id (``:variant`` ids too), crosswalk id or exact name (case-insensitive)."""
    wanted = text.strip()
    lower = wanted.lower()
    row = session.execute(select(Model.id, Model.key, Model.name).where(func.lower(Model.key) == lower)).first()
    if row is None:
        model_id = session.scalar(
            select(OpenRouterListing.model_id).where(func.lower(OpenRouterListing.id) == lower)
        ) or session.scalar(select(Crosswalk.model_id).where(func.lower(Crosswalk.external_id) == lower))
        if model_id is not None:
            row = session.execute(select(Model.id, Model.key, Model.name).where(Model.id == model_id)).first()
    if row is None:
        named = session.execute(
            select(Model.id, Model.key, Model.name).where(
                or_(func.lower(Model.name) == lower, func.lower(Model.openrouter_id) == lower)
            )
        ).all()
        if len(named) > 1:
            keys = ", ".join(sorted(r.key for r in named)[:5])
            raise UnknownModel(f"{wanted!r} names {len(named)} models ({keys}): give the model key")
        row = named[0] if named else None
    if row is None:
        raise UnknownModel(f"no model {wanted!r} (try `tracker models` for the keys)")
    return ModelRef(row.id, row.key, row.name)


def model_offers(session: Session, model_id: int) -> list[tuple[str, list[TierPrice]]]:
    """``(offer, prices)`` of every current offer of the model, OpenRouter's own listing first."""
    offers: dict[str, list[TierPrice]] = defaultdict(list)
    for row in session.execute(
        select(
            Price.source,
            Price.subject,
            Price.provider,
            Price.component,
            Price.tier,
            Price.min_prompt_tokens,
            Price.status,
            Price.usd_per_mtok,
            Price.usd_per_unit,
            Price.unit,
        )
        .where(Price.model_id == model_id, Price.last_seen_at.is_(None))
        .order_by(Price.subject, Price.provider, Price.component, Price.tier)
    ):
        if ":" in row.subject.split("@", 1)[0]:
            continue  # a :free / :beta variant is its own listing, shown under its own id
        name = f"{row.source} {row.subject.split('@', 1)[0]}"
        if row.provider is not None:
            name += f" via {row.provider}"
        amount = row.usd_per_mtok if row.unit == "mtok" else row.usd_per_unit
        priced = row.status in ("priced", "free")
        offers[name].append(
            TierPrice(row.component, row.tier, row.min_prompt_tokens, amount if priced else None, row.unit)
        )
    return sorted(offers.items(), key=lambda item: (" via " in item[0], item[0]))
