"""Claims as plain rows for ``tracker claims`` (and anyone who wants them as data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from tracker.claims.ledger import REPORTER_RANK
from tracker.claims.linking import build_index
from tracker.normalize.numbers import format_decimal
from tracker.store.tables import Claim, Dispute, Model


@dataclass(frozen=True)
class ClaimFilter:
    #: A model key, an OpenRouter id or a name (``Qwen3-Max``), resolved like a mention in an article.
    model: str | None = None
    #: Only attributes with an open dispute (every claim of the attribute, both sides).
    disputed: bool = False
    attribute: str | None = None
    status: str | None = None
    reporter: str | None = None
    limit: int | None = None


def _model_id(session: Session, name: str) -> int | None:
    found = session.execute(select(Model.id).where(func.lower(Model.key) == name.strip().lower())).scalar_one_or_none()
    if found is not None:
        return found
    return build_index(session).resolve(name).model_id


def list_claims(session: Session, flt: ClaimFilter | None = None) -> list[dict[str, Any]]:
    """Claims ordered by model, attribute, qualifier and precedence (shown first)."""
    flt = flt or ClaimFilter()
    query = select(Claim, Model.key).outerjoin(Model, Model.id == Claim.model_id)
    if flt.model:
        model_id = _model_id(session, flt.model)
        if model_id is None:
            return []
        query = query.where(Claim.model_id == model_id)
    if flt.attribute:
        query = query.where(Claim.attribute == flt.attribute)
    if flt.status:
        query = query.where(Claim.status == flt.status)
    if flt.reporter:
        query = query.where(Claim.reporter == flt.reporter)
    if flt.disputed:
        groups = session.execute(
            select(Dispute.model_id, Dispute.attribute, Dispute.qualifier).where(Dispute.status == "open")
        ).all()
        if not groups:
            return []
        query = query.where(
            or_(*[and_(Claim.model_id == m, Claim.attribute == a, Claim.qualifier == q) for m, a, q in groups])
        )
    rows = session.execute(query).all()
    status_rank = {"shown": 0, "consistent": 1, "disputed": 2}
    rows.sort(
        key=lambda r: (
            r.key is None,
            r.key or (r.Claim.mention or "").lower(),
            r.Claim.attribute,
            r.Claim.qualifier,
            status_rank.get(r.Claim.status, 3),
            REPORTER_RANK.get(r.Claim.reporter, 9),
            r.Claim.id,
        )
    )
    if flt.limit:
        rows = rows[: flt.limit]
    return [_row(r.Claim, r.key) for r in rows]


def _row(claim: Claim, key: str | None) -> dict[str, Any]:
    extra = claim.extra or {}
    return {
        "id": claim.id,
        "model": key,
        "mention": claim.mention,
        "attribute": claim.attribute,
        "qualifier": claim.qualifier,
        "value": claim.value,
        "value_num": format_decimal(claim.value_num) if claim.value_num is not None else None,
        "unit": claim.unit,
        "reporter": claim.reporter,
        "source": claim.source,
        "url": claim.url,
        "published_at": claim.published_at.isoformat() if claim.published_at else None,
        "fetched_at": claim.fetched_at.isoformat(),
        "quote": claim.quote,
        "status": claim.status,
        "link": extra.get("link"),
        "third_party": bool(extra.get("third_party")),
    }
