"""`tracker status`: per-source health, with flags for failing, stale, empty and stuck sources."""

import dataclasses
import datetime as dt
import json

import pytest
from helpers.server import Reply
from sched_helpers import write_config
from sqlalchemy import insert

from tracker.cli import main
from tracker.sources.runner import run_crawl
from tracker.store.tables import Run

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def config(sched_settings, tmp_path):
    return write_config(sched_settings, tmp_path / "tracker.toml")


def status(config, capsys, *extra):
    code = main(["--config", str(config), "status", "--json", *extra])
    data = json.loads(capsys.readouterr().out)
    return code, {s["source"]: s for s in data["sources"]}, data


def add_runs(sessions, source, *runs):
    """Hand-made crawl runs, oldest first: (status, hours ago, items seen[, message])."""
    with sessions.begin() as session:
        for status_, hours, items, *message in runs:
            started = NOW - dt.timedelta(hours=hours)
            session.execute(
                insert(Run).values(
                    job="crawl",
                    source=source,
                    trigger="schedule",
                    status=status_,
                    complete=status_ == "success",
                    started_at=started,
                    finished_at=started + dt.timedelta(minutes=1),
                    items_seen=items,
                    error_message=message[0] if message else None,
                )
            )


def test_status_flags_a_source_whose_fetches_fail(served, sched_settings, config, capsys):
    assert run_crawl(sched_settings, "openrouter", trigger="test").status == "success"
    code, sources, _ = status(config, capsys, "--check")
    assert code == 0 and sources["openrouter"]["flags"] == [] and sources["openrouter"]["items_last_run"] == 345

    served.route("/api/v1/models", Reply(500, b"upstream is down", {"Content-Type": "text/plain"}))
    for _ in range(2):
        assert run_crawl(sched_settings, "openrouter", trigger="test").status == "failed"
    code, sources, data = status(config, capsys, "--check")
    health = sources["openrouter"]
    assert code == 1 and data["healthy"] is False
    assert health["flags"] == ["failing"]
    assert health["consecutive_failures"] == 2 and "the last 2 crawls failed" in health["notes"]
    assert "http-500" in health["last_error"] and "upstream is down" in health["last_error"]
    assert health["last_success_at"] is not None and health["items_last_run"] == 0

    assert main(["--config", str(config), "status"]) == 0
    text = capsys.readouterr().out
    assert "openrouter: FAILING" in text and "http-500" in text and "! the last 2 crawls failed" in text


def test_a_source_that_recovers_is_no_longer_flagged(corpus, served, sched_settings, config, capsys):
    body = served.routes["/api/v1/models"][0]
    served.route("/api/v1/models", Reply(503, b"busy"))
    assert run_crawl(sched_settings, "openrouter", trigger="test").status == "failed"
    served.route("/api/v1/models", body)
    assert run_crawl(sched_settings, "openrouter", trigger="test").status == "success"
    _, sources, _ = status(config, capsys)
    assert sources["openrouter"]["flags"] == []
    assert "http-503" in sources["openrouter"]["last_error"]  # the last error stays visible


def test_empty_stale_and_never_crawled_sources_are_flagged(sched_settings, sessions, tmp_path, capsys):
    settings = dataclasses.replace(
        sched_settings,
        huggingface=dataclasses.replace(sched_settings.huggingface, enabled=True),
        schedule=dataclasses.replace(sched_settings.schedule, stale_after_hours=24, empty_runs_before_flag=3),
    )
    config = write_config(settings, tmp_path / "flags.toml")
    add_runs(
        sessions,
        "openrouter",
        ("success", 80, 345),
        ("success", 70, 0),
        ("failed", 60, 0, "http-502"),
        ("success", 50, 0),
        ("success", 40, 0),
    )
    _, sources, _ = status(config, capsys)
    openrouter = sources["openrouter"]
    assert openrouter["flags"] == ["stale", "empty"]
    assert openrouter["consecutive_empty"] == 3  # the failed run in between neither counts nor breaks the streak
    assert "returned nothing 3 runs in a row" in openrouter["notes"]
    assert any(n.startswith("no data for 40 h") for n in openrouter["notes"])
    hub = sources["huggingface"]
    assert hub["flags"] == ["stale"] and hub["notes"] == ["never crawled successfully"]

    add_runs(sessions, "openrouter", ("success", 1, 12))
    _, sources, _ = status(config, capsys)
    assert sources["openrouter"]["flags"] == []


def test_a_partial_crawl_and_a_crawl_running_too_long_are_flagged(sched_settings, sessions, config, capsys):
    add_runs(sessions, "openrouter", ("success", 3, 345), ("partial", 2, 300, "page 2: timeout"))
    with sessions.begin() as session:
        session.execute(
            insert(Run).values(
                job="crawl",
                source="openrouter",
                trigger="schedule",
                status="running",
                complete=False,
                started_at=NOW - dt.timedelta(hours=1),
                host="some-other-host",
                pid=4242,
            )
        )
    _, sources, _ = status(config, capsys)
    health = sources["openrouter"]
    assert health["flags"] == ["partial", "stuck"]  # crawl_timeout_minutes is 5 in these settings
    assert health["running"]["host"] == "some-other-host"
    assert health["last_error"] == "page 2: timeout"


def test_status_shows_jobs_runs_and_locks(sched_settings, sessions, config, capsys):
    from tracker.schedule.locks import LockManager
    from tracker.store.db import make_engine

    engine = make_engine(sched_settings.database_url)
    try:
        lease = LockManager(engine, trigger="cli", token="t").try_acquire("site").lease
        assert main(["--config", str(config), "status"]) == 0
        text = capsys.readouterr().out
        assert "site: held by pid" in text and "(cli)" in text
        assert "scheduled jobs: none (start `tracker schedule`)" in text
        _, _, data = status(config, capsys)
        assert [lock["name"] for lock in data["locks"] if lock["held"]] == ["site"]
        lease.release()
    finally:
        engine.dispose()
