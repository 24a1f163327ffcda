import datetime as dt
import json

from helpers.corpus import openrouter_snapshots, snapshot
from helpers.db import data_counts
from helpers.expected import assert_no_equal_price_events, check_expected_changes
from sqlalchemy import select

from tracker.backfill import observed_at_from_name
from tracker.cli import main
from tracker.store.events import list_events
from tracker.store.tables import Event, Run


def test_backfill_yields_the_verified_changes_dated_by_the_archive(corpus, db_url, sessions, monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    files = [str(p) for p in reversed(openrouter_snapshots(corpus))]  # order on the command line does not matter
    assert main(["backfill", "openrouter", *files, "--json"]) == 0
    summaries = json.loads(capsys.readouterr().out)
    assert [s["status"] for s in summaries] == ["success"] * 15
    events_by_file = {}
    with sessions() as session:
        runs = session.scalars(select(Run).where(Run.job == "backfill").order_by(Run.id)).all()
        all_events = list_events(session)
        run_of_event = {i: r for i, r in session.execute(select(Event.id, Event.run_id))}
    for run, summary in zip(runs, summaries, strict=True):
        events_by_file[summary["extra"]["file"]] = [e for e in all_events if run_of_event[e["id"]] == run.id]
    checked = check_expected_changes(corpus, events_by_file)
    assert len(checked) == 12
    assert_no_equal_price_events(all_events)
    cut = next(
        e
        for e in all_events
        if e["model"] == "qwen/qwen3-max" and e.get("component") == "prompt" and e.get("new") == "0.78"
    )
    assert cut["detected_at"].startswith("2026-03-17")
    delisted = next(
        e for e in all_events if e["kind"] == "model_delisted" and e["model"] == "meta-llama/llama-3.1-405b-instruct"
    )
    assert delisted["detected_at"].startswith("2026-03-17")


def test_backfill_refuses_an_archive_older_than_stored_data(corpus, db_url, engine, monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    assert main(["backfill", "openrouter", str(snapshot(corpus, "2026-03-17"))]) == 0
    before = data_counts(engine)
    capsys.readouterr()
    assert main(["backfill", "openrouter", str(snapshot(corpus, "2026-03-16"))]) == 1
    assert "not after data already stored" in capsys.readouterr().out
    assert data_counts(engine) == before


def test_observed_at_option_and_file_names(corpus, tmp_path, db_url, monkeypatch, capsys):
    assert observed_at_from_name(snapshot(corpus, "2026-07-13T1934Z")) == dt.datetime(
        2026, 7, 13, 19, 34, tzinfo=dt.UTC
    )
    copy = tmp_path / "archive.json"
    copy.write_bytes(snapshot(corpus, "2026-03-17").read_bytes())
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    assert main(["backfill", "openrouter", str(copy)]) == 2
    assert "--observed-at" in capsys.readouterr().err
    assert main(["backfill", "openrouter", str(copy), "--observed-at", "2026-03-17T06:00Z"]) == 0


def test_a_broken_archive_fails_with_one_message_and_stores_nothing(tmp_path, db_url, engine, monkeypatch, capsys):
    broken = tmp_path / "models-2026-01-01.json"
    broken.write_text('{"data": [{"id": "a/b", "pricing": {"prompt": "0.1"')
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    assert main(["backfill", "openrouter", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "cannot import" in out and "models-2026-01-01.json" in out
    assert sum(data_counts(engine).values()) == 0
