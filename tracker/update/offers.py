"""What an offers crawl sets off, per chunk of endpoints responses (:mod:`tracker.store.ingest_offers`).

:func:`apply_offers` runs in the caller's transaction for one chunk: each model's offers are compared
with its stored ones (an offer absent from that model's response is closed: the response is the
model's whole list, so the decision needs nothing else of the crawl), the changes are written with
their observations, and the chunk's events are stored. The crawl's last step records the problems
and closes the run (:mod:`tracker.sources.pipelines.offers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from tracker.store.ingest_offers import FetchedOffers, OffersResult, store_offers


def apply_offers(
    session: Session, batch: Sequence[FetchedOffers], *, run_id: int | None, now: dt.datetime
) -> OffersResult:
    """Store one chunk of endpoints responses: offers, history, observations, events."""
    return store_offers(session, batch, run_id=run_id, now=now)
