"""The links of stored document claims brought up to date with the models known now.

Loads every non-primary claim linked by name (with its document's kind and
vendor), asks the pure :func:`tracker.claims.relink.relink` which links the
name index decides differently now, and writes them. Returns the models whose
claim groups changed (the old and the new model of each moved claim), for the
ledger to weigh again. Run by :func:`tracker.update.ledger.reweigh`, so that a
post read before the model it names was listed ends up linked exactly as if it
had been read after.

A crawl that stores in chunks re-links once per chunk; with a :class:`RelinkScope` (kept by its name index,
:class:`tracker.update.documents.NameIndexCache`) only the first re-link reads every claim linked by name:
the later ones read the claims stored since and the claims whose mention has a name the index gained since
(no other claim's link can change: the index only gains names between two chunks, and a claim re-linked
against an index is linked as that index decides). The same moves, in the same order, as reading them all.
The scope assumes one writer (SQLite): on Postgres another crawl may commit a claim with a lower id after a
re-link read past it, so the Hub step reads every claim there (:func:`tracker.update.huggingface`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.claims.linking import NameIndex, build_index, mention_form
from tracker.claims.relink import BY_NAME, Relink, StoredLink, relink
from tracker.store.bulk import in_chunks
from tracker.store.claims import update_claims
from tracker.store.tables import Claim, Document

#: Stored claims read and re-linked at a time.
BATCH = 2000


@dataclass
class RelinkScope:
    """What a chunked crawl's re-links have covered: the claims linked by name, by the normalized name of their
    mention (ids only), the last claim re-linked, and the names the index gained since.

    ``through_claim`` None: the next re-link reads every claim (the first one of a crawl, or after the index
    was built afresh).
    """

    through_claim: int | None = None
    by_form: dict[str, list[int]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)

    def restart(self) -> None:
        self.through_claim = None
        self.by_form.clear()
        self.changed.clear()

    def gained(self, forms: Iterable[str]) -> None:
        """The index gained these normalized names (a claim whose mention has one may link elsewhere now)."""
        if self.through_claim is not None:
            self.changed.update(forms)

    def remember(self, claims: Iterable[StoredLink]) -> None:
        for claim in claims:
            if claim.mention and claim.reporter != "primary" and dict(claim.extra).get("link") in BY_NAME:
                self.by_form.setdefault(mention_form(claim.mention), []).append(claim.id)


def _query() -> Any:
    return (
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
        .where(
            Claim.reporter != "primary",
            Claim.mention.is_not(None),
            # only claims linked by name can move (the pure step skips the others): the database leaves out the
            # rest (a card's sentences about its own model, most of a Hub crawl's claims) without sending them
            Claim.extra["link"].as_string().in_(sorted(BY_NAME)),
        )
        .order_by(Claim.id)
    )


def _stored(rows: Iterable[Any]) -> list[StoredLink]:
    return [
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


def _every_claim(session: Session) -> Iterator[list[StoredLink]]:
    for rows in session.execute(_query().execution_options(yield_per=BATCH)).partitions(BATCH):
        yield _stored(rows)


def _claims_in_scope(session: Session, scope: RelinkScope) -> Iterator[list[StoredLink]]:
    """The claims stored since the last re-link and those whose mention has a name the index gained, by id."""
    assert scope.through_claim is not None
    ids = sorted({claim_id for form in scope.changed for claim_id in scope.by_form.get(form, ())})
    found: dict[int, StoredLink] = {}
    for part in in_chunks(ids, BATCH):
        found.update((c.id, c) for c in _stored(session.execute(_query().where(Claim.id.in_(part)))))
    newer = [c for c in _stored(session.execute(_query().where(Claim.id > scope.through_claim))) if c.id not in found]
    scope.remember(newer)
    found.update((c.id, c) for c in newer)
    claims = [found[claim_id] for claim_id in sorted(found)]
    for start in range(0, len(claims), BATCH):
        yield claims[start : start + BATCH]


def relink_claims(
    session: Session, index: NameIndex | None = None, scope: RelinkScope | None = None
) -> tuple[int, set[int]]:
    """Re-link the stored claims whose mention the name index now resolves differently.

    ``index``: the name index of every model known now, if the caller holds one (a chunked crawl's,
    kept across its chunks); default: built from the database. ``scope``: what this crawl's earlier
    re-links covered, with that index (only the claims that can move are read; see the module). Returns the
    rows written and the models whose claim groups changed.
    """
    incremental = scope is not None and scope.through_claim is not None and index is not None
    top = session.scalar(select(func.max(Claim.id))) if scope is not None else None
    if not incremental:
        if scope is not None:
            scope.restart()
        if session.execute(_query().with_only_columns(Claim.id).limit(1)).first() is None:
            if scope is not None and index is not None:
                scope.through_claim = top or 0
            return 0, set()
    index = build_index(session) if index is None else index
    batches = _claims_in_scope(session, scope) if incremental and scope is not None else _every_claim(session)
    moves: list[Relink] = []
    before: dict[int, int | None] = {}
    # read and decided a batch at a time (each claim's link depends on its own mention only): memory stays
    # bounded by the batch, not by every document claim stored
    for batch in batches:
        if scope is not None and not incremental:
            scope.remember(batch)
        found = relink(batch, index)
        moves.extend(found)
        moved = {m.claim_id for m in found}
        before.update({claim.id: claim.model_id for claim in batch if claim.id in moved})
    if scope is not None:
        scope.changed.clear()
        scope.through_claim = top or 0
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


__all__: Sequence[str] = ("BATCH", "RelinkScope", "relink_claims")
