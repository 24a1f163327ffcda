"""A record the database refuses is set aside alone: the rest of the batch is stored, nothing is delisted."""

import dataclasses
import datetime as dt

from sqlalchemy import select

from tracker.normalize.openrouter import snapshot_from_payload
from tracker.sources.pipelines.openrouter import store_listing
from tracker.store.runs import start_run
from tracker.store.tables import CrawlError, OpenRouterListing, Run

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def entry(model_id: str) -> dict:
    return {
        "id": model_id,
        "name": model_id,
        "context_length": 8192,
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
    }


def test_a_record_the_database_refuses_is_a_rejection_and_the_batch_survives(db_url, sessions):
    ids = [f"vendor/model-{i}" for i in range(12)]
    assert store_listing(db_url, None, snapshot_from_payload({"data": [entry(i) for i in ids]}, observed_at=NOW), [])
    later = NOW + dt.timedelta(hours=1)
    snapshot = snapshot_from_payload({"data": [entry(i) for i in ids[:-1]]}, observed_at=later)  # one absent
    # past normalization by construction: beyond every integer column type of both databases
    snapshot.models[3] = dataclasses.replace(snapshot.models[3], context_length=2**64, name="changed")
    snapshot.models[7] = dataclasses.replace(snapshot.models[7], context_length=2**65, name="changed")
    with sessions.begin() as session:
        run_id = start_run(session, job="crawl", source="openrouter", trigger="test").id
    summary = store_listing(db_url, run_id, snapshot, [])
    assert summary.status == "partial" and not summary.complete
    assert summary.delisted == 0
    with sessions() as session:
        errors = session.execute(select(CrawlError.subject, CrawlError.reason).where(CrawlError.run_id == run_id))
        assert sorted(errors) == [("vendor/model-3", "storage-error"), ("vendor/model-7", "storage-error")]
        listings = {row.id: row for row in session.scalars(select(OpenRouterListing))}
        assert all(listing.status == "listed" for listing in listings.values())  # model-11 not delisted
        assert listings["vendor/model-3"].context_length == 8192  # the refused record kept its stored state
        assert session.get(Run, run_id).status == "partial"
