"""What a crawl sets off, in one place: ``apply(session, batch) -> Outcome``.

A store pipeline (or the backfill, or a test) hands over what a crawl
delivered — an OpenRouter listing (:class:`~tracker.normalize.openrouter.OpenRouterSnapshot`),
a Hub crawl (:class:`~tracker.store.ingest_huggingface.HubBatch`) or read pages
(:class:`~tracker.store.ingest_documents.DocumentsBatch`) — and :func:`apply`
runs the same fixed sequence for each, inside the caller's unit of work:

1. **observations** — store what was fetched (writes only: listings, prices,
   repos, documents, validators, the source's own claims);
2. **identity** — the model of each record, crosswalk links and merges;
3. **shown values** — the ``models`` columns, by precedence (primary APIs first);
4. **claims** — claims extracted from new documents and cards, then the
   API-derived primary claims (:func:`tracker.claims.primary.sync_primary_claims`);
5. **ledger** — every claim group of the checked models weighed
   (:mod:`tracker.claims.ledger`: load → pure ``weigh`` → apply);
6. **events** — stored with the run;
7. **run record** — the rejections and fetch failures (:func:`record_run`);
   the caller closes the run with its status.

A crawl that streams (Hub, OpenRouter) calls :func:`apply` once per chunk of records, each in its
own short transaction, and once more at the end with what the listing lacks decided from the crawl's
"seen" rows (:mod:`tracker.store.seen`; ``HubBatch.seen_key``, ``OpenRouterSnapshot.part``).

The per-source modules spell out their steps: :mod:`tracker.update.openrouter`,
:mod:`tracker.update.huggingface`, :mod:`tracker.update.documents`. The
decisions are pure and tested without a database: :mod:`tracker.update.hub`
(Hub repos), :func:`tracker.claims.ledger.weigh` (one claim group),
:mod:`tracker.normalize.shown` (shown-value precedence).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from tracker.normalize.openrouter import OpenRouterSnapshot
from tracker.normalize.rejection import Rejection
from tracker.store.runs import record_errors
from tracker.update.outcome import Outcome

if TYPE_CHECKING:
    from tracker.store.ingest_documents import DocumentsBatch
    from tracker.store.ingest_huggingface import HubBatch

    Batch = OpenRouterSnapshot | HubBatch | DocumentsBatch

__all__ = ["Outcome", "apply", "record_run"]


def apply(session: Session, batch: Batch, *, run_id: int | None) -> Outcome:
    """Run the update sequence for one crawl's ``batch``; the caller commits or rolls back."""
    # each source's steps are imported when used: an OpenRouter crawl child loads no Hub or article code
    if isinstance(batch, OpenRouterSnapshot):
        from tracker.update.openrouter import apply_openrouter

        return apply_openrouter(session, batch, run_id=run_id)
    from tracker.store.ingest_documents import DocumentsBatch
    from tracker.store.ingest_huggingface import HubBatch

    if isinstance(batch, HubBatch):
        from tracker.update.huggingface import apply_hub

        hub = apply_hub(session, batch, run_id=run_id)
        outcome = Outcome(extra=hub.extra())
        outcome.absorb(hub.counts(), hub.events)
        return outcome
    if isinstance(batch, DocumentsBatch):
        from tracker.update.documents import apply_documents

        docs = apply_documents(session, batch, run_id=run_id)
        outcome = Outcome(extra=docs.extra())
        outcome.absorb(docs.counts(), docs.events)
        return outcome
    raise TypeError(f"no update for {type(batch).__name__}")


def record_run(session: Session, problems: Sequence[Rejection], *, source: str, run_id: int | None) -> int:
    """The run record's data part: every rejection and fetch failure in ``crawl_errors``."""
    return record_errors(session, list(problems), source=source, run_id=run_id)
