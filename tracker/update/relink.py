"""The links of stored document claims brought up to date with the models known now.

Loads every non-primary claim linked by name (with its document's kind and
vendor), asks the pure :func:`tracker.claims.relink.relink` which links the
name index decides differently now, and writes them. Returns the models whose
claim groups changed (the old and the new model of each moved claim), for the
ledger to weigh again. Run by :func:`tracker.update.ledger.reweigh`, so that a
post read before the model it names was listed ends up linked exactly as if it
had been read after.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.claims.linking import NameIndex, build_index
from tracker.claims.relink import Relink, StoredLink, relink
from tracker.store.claims import update_claims
from tracker.store.tables import Claim, Document

#: Stored claims read and re-linked at a time.
BATCH = 2000


def relink_claims(session: Session, index: NameIndex | None = None) -> tuple[int, set[int]]:
    """Re-link the stored claims whose mention the name index now resolves differently.

    ``index``: the name index of every model known now, if the caller holds one (a chunked crawl's,
    kept across its chunks); default: built from the database. Returns the rows written and the
    models whose claim groups changed.
    """
    query = (
        select(
            Claim.id,
            Claim.model_id,
            Claim.mention,
            Claim.reporter,
            Claim.status,
            Claim.extra,
            Document.kind,
            Document.vendor,
        )
        .join(Document, Document.id == Claim.document_id)
        .where(Claim.reporter != "primary", Claim.mention.is_not(None))
        .order_by(Claim.id)
        .execution_options(yield_per=BATCH)
    )
    if session.execute(query.with_only_columns(Claim.id).limit(1)).first() is None:
        return 0, set()
    index = build_index(session) if index is None else index
    moves: list[Relink] = []
    before: dict[int, int | None] = {}
    # read and decided a batch at a time (each claim's link depends on its own mention only): memory stays
    # bounded by the batch, not by every document claim stored
    for rows in session.execute(query).partitions(BATCH):
        batch = [
            StoredLink(
                id=row.id,
                model_id=row.model_id,
                mention=row.mention,
                reporter=row.reporter,
                status=row.status,
                extra=row.extra or {},
                document_kind=str((row.extra or {}).get("document_kind") or row.kind or ""),
                document_vendor=row.vendor,
            )
            for row in rows
        ]
        found = relink(batch, index)
        moves.extend(found)
        moved = {m.claim_id for m in found}
        before.update({claim.id: claim.model_id for claim in batch if claim.id in moved})
    if not moves:
        return 0, set()
    update_claims(
        session,
        [
            {"id": m.claim_id, "model_id": m.model_id, "reporter": m.reporter, "status": m.status, "extra": m.extra}
            for m in moves
        ],
    )
    touched = {m.model_id for m in moves} | {before[m.claim_id] for m in moves}
    return len(moves), {model_id for model_id in touched if model_id is not None}
