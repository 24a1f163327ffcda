"""An OpenRouter listing stored in chunks: each chunk commits on its own, the delistings and renames are
decided once at the end from the crawl's "seen" rows, and a failure keeps the chunks already stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

import tracker.sources.pipelines.openrouter as pipeline
from tracker.normalize.openrouter import snapshot_from_payload
from tracker.sources.pipelines.openrouter import store_listing
from tracker.store.runs import start_run
from tracker.store.tables import Event, OpenRouterListing, Run
from tracker.store.tables.seen import CrawlSeen

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


def entry(model_id: str, **more) -> dict:
    return {
        "id": model_id,
        "name": model_id.split("/")[1].title(),
        "canonical_slug": model_id,
        "context_length": 8192,
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        **more,
    }


def statuses(sessions) -> dict[str, str]:
    with sessions() as session:
        return {row.id: row.status for row in session.scalars(select(OpenRouterListing))}


def kinds(sessions, run_id) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(select(Event.kind, Event.subject).where(Event.run_id == run_id))
        return sorted((kind, subject) for kind, subject in rows)


def new_run(sessions) -> int:
    with sessions.begin() as session:
        return start_run(session, job="crawl", source="openrouter", trigger="test").id


def test_delistings_and_renames_are_decided_at_the_end_across_chunks(sessions):
    ids = [f"vendor/model-{i:02d}" for i in range(12)]
    first = store_listing(
        sessions,
        new_run(sessions),
        snapshot_from_payload({"data": [entry(i) for i in ids]}, observed_at=NOW),
        [],
        chunk=5,
    )
    assert first.status == "success" and (first.new, first.extra["stored_chunks"]) == (12, 4)

    # model-03 leaves; model-07 comes back as a new id carrying its slug (a rename); model-20 is new
    data = [entry(i) for i in ids if i not in ("vendor/model-03", "vendor/model-07")]
    data.insert(1, {**entry("vendor/model-07-v2"), "canonical_slug": "vendor/model-07"})
    data.append(entry("vendor/model-20"))
    run_id = new_run(sessions)
    second = store_listing(sessions, run_id, snapshot_from_payload({"data": data}, observed_at=LATER), [], chunk=5)
    assert second.status == "success", second.render()
    assert (second.seen, second.new, second.delisted) == (12, 2, 2)
    assert kinds(sessions, run_id) == [
        ("model_added", "vendor/model-20"),
        ("model_delisted", "vendor/model-03"),
        ("model_renamed", "vendor/model-07-v2"),
    ]
    stored = statuses(sessions)
    assert stored["vendor/model-03"] == stored["vendor/model-07"] == "delisted"
    assert stored["vendor/model-07-v2"] == stored["vendor/model-20"] == stored["vendor/model-11"] == "listed"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CrawlSeen)) == 0


def test_a_failing_chunk_keeps_the_chunks_before_it_and_delists_nothing(sessions, monkeypatch):
    ids = [f"vendor/model-{i:02d}" for i in range(10)]
    store_listing(sessions, None, snapshot_from_payload({"data": [entry(i) for i in ids]}, observed_at=NOW), [])
    real = pipeline._apply_isolated
    calls = {"n": 0}

    def fails_on_the_third_chunk(session, snapshot, run_id):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(session, snapshot, run_id)

    monkeypatch.setattr(pipeline, "_apply_isolated", fails_on_the_third_chunk)
    changed = [entry(i, context_length=32768) for i in ids[:8]]  # model-08 and -09 absent
    run_id = new_run(sessions)
    summary = store_listing(sessions, run_id, snapshot_from_payload({"data": changed}, observed_at=LATER), [], chunk=3)
    assert summary.status == "failed" and "disk full" in summary.message
    with sessions() as session:
        contexts = {i: c for i, c in session.execute(select(OpenRouterListing.id, OpenRouterListing.context_length))}
        assert session.get(Run, run_id).status == "failed"
    # the two chunks before the failure are stored whole; nothing after it; nothing delisted
    assert [contexts[i] for i in ids] == [32768] * 6 + [8192] * 4
    assert set(statuses(sessions).values()) == {"listed"}


def test_a_hub_repo_absent_from_a_complete_listing_is_removed_at_the_end_across_chunks(sessions):
    from helpers.corpus import hub_detail

    import tracker.sources.pipelines.huggingface as hub_pipeline
    from tracker.normalize.hfcard import parse_card
    from tracker.normalize.huggingface import CardOutcome, listing_entry, normalize_detail
    from tracker.sources.items import Provenance
    from tracker.store.tables.huggingface import HfRepo

    ids = [f"org/repo-{i}" for i in range(7)]

    def state_for(repo_ids, at):
        state = hub_pipeline.HubCrawlState(first_fetch=at)
        for repo_id in repo_ids:
            raw = hub_detail(repo_id, sha=f"{len(repo_id):040x}")
            url = f"http://hub.test/api/models/{repo_id}"
            state.listed[repo_id] = listing_entry(raw, watched=True)
            state.details[repo_id] = (normalize_detail(raw), Provenance("huggingface", url, at, 200, "x"), True)
            card = parse_card(b"---\nlicense: apache-2.0\n---\n# card", max_bytes=10_000)
            state.cards[repo_id] = (CardOutcome.from_card(card), url)
        state.ends["org"] = (True, len(repo_ids), None)
        return state

    first = hub_pipeline.store_hub_crawl(
        sessions, new_run(sessions), state_for(ids, NOW), base_url="http://hub.test", watched_orgs=("org",), chunk=2
    )
    assert (first.status, first.new, first.extra["stored_chunks"]) == ("success", 7, 5)
    second = hub_pipeline.store_hub_crawl(
        sessions,
        new_run(sessions),
        state_for(ids[1:], LATER),
        base_url="http://hub.test",
        watched_orgs=("org",),
        chunk=2,
    )
    assert (second.status, second.seen, second.delisted) == ("success", 6, 1)
    with sessions() as session:
        assert {r.id: r.status for r in session.scalars(select(HfRepo))} == {
            i: ("removed" if i == "org/repo-0" else "listed") for i in ids
        }
        assert session.scalar(select(func.count()).select_from(CrawlSeen)) == 0


def test_the_page_cache_is_widened_on_sqlite_and_left_alone_elsewhere(sessions):
    from sqlalchemy import text

    from tracker.store.db import widen_page_cache

    with sessions() as session:
        widen_page_cache(session, 32)
        if session.get_bind().dialect.name == "sqlite":
            assert session.execute(text("PRAGMA cache_size")).scalar() == -32 * 1024
        assert session.execute(text("SELECT 1")).scalar() == 1  # Postgres: nothing sent, the session still works


def test_every_transaction_of_a_listing_stores_with_the_wider_page_cache(sessions, monkeypatch):
    widened: list[int] = []

    def record(session, mib):
        widened.append(mib)

    monkeypatch.setattr(pipeline, "widen_page_cache", record)
    ids = [f"vendor/model-{i:02d}" for i in range(7)]
    summary = store_listing(
        sessions,
        new_run(sessions),
        snapshot_from_payload({"data": [entry(i) for i in ids]}, observed_at=NOW),
        [],
        chunk=3,
    )
    assert summary.status == "success" and summary.extra["stored_chunks"] == 4
    assert widened == [pipeline.STORE_CACHE_MIB] * 4
