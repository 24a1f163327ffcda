"""The last two data steps of every update: the primary claims, then the ledger.

:func:`reweigh` first writes the API-derived claims of the models to check
(:func:`tracker.claims.primary.sync_primary_claims`), then lets the ledger weigh
every claim group of those models (:func:`tracker.claims.ledger.reconcile`:
load → pure ``weigh`` → apply). Events are returned, not stored: the update
step stores them with the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy.orm import Session

from tracker.claims.ledger import DEFAULT_RULES, LedgerResult, Rules, models_with_claims, reconcile
from tracker.claims.primary import sync_primary_claims


def reweigh(
    session: Session, *, now: dt.datetime, model_ids: Collection[int] | None = None, rules: Rules = DEFAULT_RULES
) -> LedgerResult:
    """Primary claims, then the ledger, for ``model_ids`` (default: every model with a non-primary claim)."""
    ids = sorted(models_with_claims(session) if model_ids is None else set(model_ids))
    if not ids:
        return LedgerResult()
    primary_writes = sync_primary_claims(session, ids, now=now)
    result = reconcile(session, now=now, model_ids=ids, rules=rules)
    result.writes += primary_writes
    return result
