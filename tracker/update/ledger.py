"""The last data steps of every update: the primary claims, then the ledger (load → weigh → apply).

:func:`reweigh` first writes the API-derived claims of the models to check
(:func:`tracker.claims.primary.sync_primary_claims`), then :func:`reconcile`
loads every claim group of those models (:func:`load_groups`), asks the pure
:func:`tracker.claims.ledger.weigh` what to do with each, and writes the
intents (:func:`apply_intents`). Events are returned, not stored: the update
step stores them with the others.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.claims.ledger import (
    DEFAULT_RULES,
    SOURCE,
    Announce,
    ClaimGroup,
    Intent,
    ModelFacts,
    OpenDispute,
    ResolveDispute,
    Rules,
    SetStatus,
    StoredClaim,
    StoredDispute,
    UpdateDispute,
    weigh,
)
from tracker.claims.linking import NameIndex
from tracker.claims.primary import price_history, sync_primary_claims
from tracker.events.types import Event
from tracker.store.bulk import in_chunks
from tracker.store.shown import awaiting_weights, refresh_models, vendor_statements
from tracker.store.tables import Claim, Dispute, Document, Model
from tracker.update.relink import RelinkScope, relink_claims


@dataclass
class LedgerResult:
    checked: int = 0
    writes: int = 0
    opened: int = 0
    resolved: int = 0
    events: list[Event] = field(default_factory=list)


def models_with_claims(session: Session) -> set[int]:
    """Models that have a claim from a post, a card body or the press (the ones the ledger checks)."""
    found = set(
        session.scalars(
            select(Claim.model_id).where(Claim.model_id.is_not(None), Claim.reporter != "primary").distinct()
        )
    )
    found.update(session.scalars(select(Dispute.model_id).where(Dispute.status == "open").distinct()))
    return found


def checked_among(session: Session, model_ids: Collection[int]) -> set[int]:
    """The models of ``model_ids`` the ledger checks (:func:`models_with_claims`, asked for these ids only)."""
    found: set[int] = set()
    for part in in_chunks(sorted(set(model_ids))):
        found.update(
            session.scalars(
                select(Claim.model_id).where(Claim.model_id.in_(part), Claim.reporter != "primary").distinct()
            )
        )
        found.update(
            session.scalars(
                select(Dispute.model_id).where(Dispute.model_id.in_(part), Dispute.status == "open").distinct()
            )
        )
    return found


# ───────────────────────────── reading and writing ─────────────────────────────


@dataclass
class LoadedGroups:
    groups: list[ClaimGroup] = field(default_factory=list)
    #: ``(openrouter id, qualifier)`` → the API's prices over time.
    history: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def primary_history(self, group: ClaimGroup) -> dict[tuple[str, str], list[Any]]:
        """The API's prices of the group's model over time, every qualifier (tiers included)."""
        if group.attribute != "price" or not group.model.openrouter_id:
            return {}
        listing = group.model.openrouter_id
        return {key: rows for key, rows in self.history.items() if key[0] == listing}


def load_groups(session: Session, model_ids: Collection[int]) -> LoadedGroups:
    """The claim groups of ``model_ids`` (and groups with only a dispute left), in a stable order."""
    ids = sorted(set(model_ids))
    models: dict[int, ModelFacts] = {}
    claims: dict[tuple[int, str, str], list[StoredClaim]] = defaultdict(list)
    disputes: dict[tuple[int, str, str], tuple[int, StoredDispute]] = {}
    for part in in_chunks(ids):
        for row in session.execute(
            select(
                Model.id,
                Model.key,
                Model.openrouter_id,
                Model.open_weight_status,
                Model.license_key,
                Model.context_length,
                Model.params_total,
                Model.params_active,
            ).where(Model.id.in_(part))
        ):
            models[row.id] = ModelFacts(**row._asdict())
        for row in session.execute(
            select(
                Claim.id,
                Claim.model_id,
                Claim.attribute,
                Claim.qualifier,
                Claim.value,
                Claim.value_num,
                Claim.unit,
                Claim.reporter,
                Claim.source,
                Claim.url,
                Claim.published_at,
                Claim.fetched_at,
                Claim.quote,
                Claim.status,
                Claim.extra,
                Claim.mention,
                Claim.document_id,
                Claim.valid_until,
            )
            .where(Claim.model_id.in_(part))
            .order_by(Claim.id)  # a stable order: the same data must give the same dispute rows on every database
        ):
            claims[(row.model_id, row.attribute, row.qualifier)].append(StoredClaim(**row._asdict()))
        for row in session.execute(
            select(Dispute.id, Dispute.model_id, Dispute.attribute, Dispute.qualifier, Dispute.status, Dispute.data)
            .where(Dispute.model_id.in_(part))
            .order_by(Dispute.id)
        ):
            disputes[(row.model_id, row.attribute, row.qualifier)] = (  # the latest per group
                row.id,
                StoredDispute(row.id, row.status, row.data),
            )
    out = LoadedGroups(history=price_history(session, [m.openrouter_id for m in models.values() if m.openrouter_id]))
    documents = document_hashes(session, {c.document_id for group in claims.values() for c in group})
    for key in sorted(set(claims) | set(disputes), key=lambda k: (k[0], k[1], k[2])):
        model = models.get(key[0])
        if model is None:
            continue
        found = disputes.get(key)
        rows = tuple(sorted(claims.get(key, ()), key=content_order))
        hashes = {c.document_id: documents[c.document_id] for c in rows if c.document_id in documents}
        out.groups.append(ClaimGroup(model, key[1], key[2], rows, found[1] if found is not None else None, hashes))
    return out


def content_order(claim: StoredClaim) -> tuple[str, ...]:
    """A group's claims in an order given by what they say, not by when they were stored (row ids follow the
    crawl order: the same data crawled in another order must be weighed alike)."""
    return (
        claim.reporter,
        claim.source or "",
        claim.url or "",
        claim.mention or "",
        claim.value,
        claim.unit or "",
        f"{claim.id:020d}",
    )


def document_hashes(session: Session, document_ids: Collection[int | None]) -> dict[int, str]:
    """``documents.id`` → content hash (two fetches of one text are one source)."""
    ids = sorted(i for i in document_ids if i is not None)
    out: dict[int, str] = {}
    for part in in_chunks(ids):
        for document_id, digest in session.execute(
            select(Document.id, Document.content_hash).where(Document.id.in_(part))
        ):
            out[document_id] = digest
    return out


def apply_intents(session: Session, intents: Iterable[Intent], *, now: dt.datetime) -> LedgerResult:
    """Write the intents of :func:`weigh` (statuses in bulk, disputes one by one); events are returned."""
    result = LedgerResult()
    status_updates: list[dict[str, Any]] = []
    for intent in intents:
        if isinstance(intent, SetStatus):
            status_updates.append({"id": intent.claim_id, "status": intent.status, "valid_until": intent.valid_until})
        elif isinstance(intent, Announce):
            result.events.append(intent.event)
        elif isinstance(intent, OpenDispute):
            session.add(
                Dispute(
                    model_id=intent.model_id,
                    attribute=intent.attribute,
                    qualifier=intent.qualifier,
                    status="open",
                    opened_at=now,
                    shown_claim_id=intent.shown_claim_id,
                    data=intent.data,
                    comparable_reason=intent.comparable_reason,
                    weighed_observation_id=intent.weighed_observation_id,
                )
            )
            result.opened += 1
            result.writes += 1
        elif isinstance(intent, UpdateDispute):
            values: dict[str, Any] = {
                "shown_claim_id": intent.shown_claim_id,
                "data": intent.data,
                "comparable_reason": intent.comparable_reason,
                "weighed_observation_id": intent.weighed_observation_id,
            }
            if intent.reopen:
                values.update(status="open", opened_at=now, resolved_at=None)
                result.opened += 1
            session.execute(update(Dispute).where(Dispute.id == intent.dispute_id).values(values))
            result.writes += 1
        elif isinstance(intent, ResolveDispute):
            session.execute(
                update(Dispute)
                .where(Dispute.id == intent.dispute_id)
                .values(status="resolved", resolved_at=now, shown_claim_id=intent.shown_claim_id)
            )
            result.resolved += 1
            result.writes += 1
    for part in in_chunks(status_updates, 1000):
        session.execute(update(Claim), list(part))
    result.writes += len(status_updates)
    session.flush()
    return result


def reconcile(
    session: Session, *, now: dt.datetime, model_ids: Collection[int] | None = None, rules: Rules = DEFAULT_RULES
) -> LedgerResult:
    """Re-weigh the claims of ``model_ids`` (default: every model with a non-primary claim): load → weigh → apply.

    The API-derived claims must be current (the update step syncs them first).
    """
    ids = sorted(models_with_claims(session) if model_ids is None else set(model_ids))
    if not ids:
        return LedgerResult()
    loaded = load_groups(session, ids)
    intents: list[Intent] = []
    for group in loaded.groups:
        intents.extend(weigh(group, loaded.primary_history(group), now=now, rules=rules))
    result = apply_intents(session, intents, now=now)
    result.checked = sum(len(g.claims) for g in loaded.groups)
    return result


def mark_unresolved(session: Session) -> int:
    """Claims without a model are ``unresolved`` (the mention is kept, no model is assumed)."""
    result = session.execute(
        update(Claim).where(Claim.model_id.is_(None), Claim.status != "unresolved").values(status="unresolved")
    )
    return result.rowcount or 0


def reweigh(
    session: Session,
    *,
    now: dt.datetime,
    model_ids: Collection[int] | None = None,
    rules: Rules = DEFAULT_RULES,
    index: NameIndex | None = None,
    relink_scope: RelinkScope | None = None,
) -> LedgerResult:
    """Links, primary claims, then the ledger, for ``model_ids`` (default: every model with a non-primary claim).

    The document claims are first re-linked to the models known now (:func:`tracker.update.relink.relink_claims`);
    the models they left or joined are weighed too; ``index``: the caller's current name index, if it holds one,
    and ``relink_scope`` what its earlier re-links covered (a chunked crawl's: only the claims that can move are read).
    """
    relinked, moved = relink_claims(session, index, relink_scope)
    ids = sorted(models_with_claims(session) if model_ids is None else set(model_ids) | moved)
    if not ids:
        return LedgerResult(writes=relinked)
    # a vendor's statement of released weights is evidence: the shown openness of its models is re-decided
    opened = LedgerResult()
    said = vendor_statements(session, awaiting_weights(session, every=True))
    if said:
        shown = refresh_models(session, said, now=now, source=SOURCE)
        opened.writes += shown.writes
        opened.events.extend(shown.events)
    primary_writes = sync_primary_claims(session, ids, now=now)
    result = reconcile(session, now=now, model_ids=ids, rules=rules)
    result.writes += primary_writes + opened.writes + relinked
    result.events[:0] = opened.events
    return result
