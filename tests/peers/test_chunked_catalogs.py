"""A peer catalog file is stored ``store_chunk`` entries per transaction: the claims end up as with one
transaction, the older version is superseded once the file is stored whole, and a failure in the middle
keeps the chunks before it (the next crawl stores the rest and supersedes)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers.corpus import snapshot
from helpers.worlds import copy_world
from peer_data import LITELLM_NEW, LITELLM_OLD
from sqlalchemy import select

import tracker.update.peers as update_peers
from tracker.backfill import backfill_openrouter
from tracker.normalize.peers.types import OPENROUTER
from tracker.peers.load import parse_file
from tracker.sources.items import Provenance, RawRecord
from tracker.sources.pipelines.peers import store_catalog_crawl
from tracker.store.db import make_engine, make_sessionmaker
from tracker.store.runs import start_run
from tracker.store.tables import Claim, HttpCacheEntry, Run

FETCHED = {
    LITELLM_OLD: dt.datetime(2026, 5, 14, 12, tzinfo=dt.UTC),
    LITELLM_NEW: dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC),
}
MODIFIED = {LITELLM_OLD: "Thu, 14 May 2026 08:00:00 GMT", LITELLM_NEW: "Fri, 20 Nov 2026 08:00:00 GMT"}


def catalog_file(corpus: Path, which: tuple[str, str, str], republished: bool = False) -> RawRecord:
    """The recorded file as a crawl fetched it (``republished``: the same body served again in November,
    a new version by its date)."""
    body = (corpus / "peers" / which[0]).read_bytes()
    when = LITELLM_NEW if republished else which
    url = f"http://peers.test/{which[1]}{'-again' if republished else ''}.json"
    return RawRecord(
        provenance=Provenance("litellm", url, FETCHED[when], 200, hashlib.sha256(body).hexdigest()),
        kind="catalog-file",
        data={"body": body, "etag": f'"{which[1]}"', "last_modified": MODIFIED[when]},
    )


def crawl(sessions, corpus: Path, which: tuple[str, str, str], chunk: int, republished: bool = False) -> Any:
    with sessions.begin() as session:
        run_id = start_run(session, job="crawl", source="litellm", trigger="test").id
    record = catalog_file(corpus, which, republished)
    return store_catalog_crawl(sessions, run_id, [record], [], [], source="litellm", catalog="litellm", chunk=chunk)


def claims(sessions) -> Counter[tuple[Any, ...]]:
    with sessions() as session:
        return Counter(
            (
                c.model_id,
                c.mention,
                c.attribute,
                c.qualifier,
                c.value,
                c.source,
                c.claim_hash,
                c.status,
                *sorted((k, str(v)) for k, v in (c.extra or {}).items() if k != "superseded_at"),
            )
            for c in session.scalars(select(Claim).where(Claim.reporter == "aggregator"))
        )


CHUNK = 20


@pytest.fixture
def backfilled(sessions, db_url: str, corpus: Path):
    files = [snapshot(corpus, name) for name in ("2026-03-17", "2026-05-16")]
    assert all(s.status == "success" for s in backfill_openrouter(sessions, db_url, files, trigger="test"))
    return sessions


def test_a_catalog_in_chunks_of_fifty_stores_what_one_transaction_stores(
    backfilled, db_url: str, corpus: Path, tmp_path: Path
):
    results = {}
    for chunk in (50, 100_000):
        url = f"sqlite:///{tmp_path / f'chunk-{chunk}.db'}"
        if db_url.startswith("sqlite:///"):
            copy_world(Path(db_url.removeprefix("sqlite:///")), url)
        else:
            pytest.skip("compares two SQLite copies of the backfilled database")
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        try:
            old = crawl(sessions, corpus, LITELLM_OLD, chunk)
            new = crawl(sessions, corpus, LITELLM_NEW, chunk)
            results[chunk] = (old, new, claims(sessions))
        finally:
            engine.dispose()
    (old, new, streamed), (old_whole, new_whole, whole) = results[50], results[100_000]
    assert old.status == new.status == "success", new.render()
    assert old.extra["stored_chunks"] > 40 and "stored_chunks" not in old_whole.extra
    assert old.extra["catalog"] == old_whole.extra["catalog"] and new.extra["catalog"] == new_whole.extra["catalog"]
    assert new.extra["catalog"]["superseded"] == old.new > 0  # the old version, once, after the new file
    assert sum(whole.values()) > 100 and streamed == whole


def test_a_failure_in_the_middle_keeps_the_chunks_and_the_next_crawl_completes(
    backfilled, corpus: Path, monkeypatch: pytest.MonkeyPatch
):
    sessions = backfilled
    old = crawl(sessions, corpus, LITELLM_OLD, 100_000)
    assert old.status == "success" and old.new > 0
    real = update_peers.ingest_catalog
    record = catalog_file(corpus, LITELLM_OLD, republished=True)
    entries = parse_file("litellm", record.data["body"], fetched_at=FETCHED[LITELLM_NEW]).entries
    claimed = [i for i, e in enumerate(entries) if e.offer in ("", None, OPENROUTER)]  # the entries with claims
    failing = claimed[len(claimed) // 2] // CHUNK + 1  # the chunk of the middle one
    calls = {"n": 0}

    def fails_in_the_middle(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == failing:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(update_peers, "ingest_catalog", fails_in_the_middle)
    before = sum(claims(sessions).values())
    failed = crawl(sessions, corpus, LITELLM_OLD, CHUNK, republished=True)
    assert failed.status == "failed" and "disk full" in (failed.message or "")
    kept = sum(claims(sessions).values()) - before
    assert kept > 0  # the chunks before the failure
    with sessions() as session:
        old_claims = select(Claim).where(Claim.source == old.extra["catalog"]["source"])
        assert not any(c.extra.get("superseded_at") for c in session.scalars(old_claims))  # the old version stays
        assert session.get(Run, failed.run_id).status == "failed"
        assert (
            session.get(HttpCacheEntry, record.provenance.url) is None
        )  # no validators: the next crawl fetches the file again

    monkeypatch.setattr(update_peers, "ingest_catalog", real)
    second = crawl(sessions, corpus, LITELLM_OLD, CHUNK, republished=True)
    assert second.status == "success", second.render()
    counts = second.extra["catalog"]
    assert counts["claims_known"] == kept and counts["superseded"] == old.new
    assert second.new > 0 and sum(claims(sessions).values()) == before + kept + second.new == 2 * before
    with sessions() as session:
        old_claims = select(Claim).where(Claim.source == old.extra["catalog"]["source"])
        assert all(c.extra.get("superseded_at") for c in session.scalars(old_claims))
