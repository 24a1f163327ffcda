"""What an OpenRouter listing sets off, in the update sequence.

1. **observations** (writes only): listings, prices, aliases, observations, the
   models of new listings and the diff's events
   (:func:`tracker.store.ingest_openrouter.ingest_openrouter`);
2. **identity and shown values**: OpenRouter models linked to Hub repos, the
   touched models' shown values refreshed (:func:`tracker.store.crosswalk.sync_after_openrouter`);
3. **primary claims and the ledger**: vendor and press claims re-weighed against
   the new prices and statuses (:func:`tracker.update.ledger.reweigh`; writes
   nothing when nothing changed);
4. **events** of the ledger stored (the earlier steps store theirs as they go).

A crawl that stores in chunks (:attr:`~tracker.normalize.openrouter.OpenRouterSnapshot.part`) runs step 1
per chunk, each in its own transaction, and steps 2–4 once in its ``end`` part (with the delisting
decided from the crawl's "seen" rows).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.normalize.openrouter import OpenRouterSnapshot
from tracker.store.crosswalk import sync_after_openrouter
from tracker.store.events import insert_events
from tracker.store.ingest_openrouter import ingest_openrouter
from tracker.update.ledger import reweigh
from tracker.update.outcome import Outcome


def apply_openrouter(session: Session, snapshot: OpenRouterSnapshot, *, run_id: int | None) -> Outcome:
    """Apply one crawled (or archived) listing; the caller owns the transaction."""
    outcome = Outcome()
    result = ingest_openrouter(session, snapshot, run_id=run_id)
    outcome.absorb(result.counts(), result.events)
    outcome.affected.update(result.affected_model_ids)
    if snapshot.part == "chunk":  # identity, shown values and the ledger once, at the end of the crawl
        return outcome
    outcome.absorb(
        *sync_after_openrouter(
            session, snapshot.observed_at, run_id=run_id, model_ids=result.affected_model_ids | snapshot.affected
        )
    )
    ledger = reweigh(session, now=snapshot.observed_at)
    outcome.absorb({"writes": ledger.writes + insert_events(session, ledger.events, run_id=run_id)}, ledger.events)
    return outcome
