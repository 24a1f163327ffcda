"""`tracker schedule` as a real process: SIGTERM lets the crawl finish; a killed scheduler leaves nothing half-done."""

import dataclasses
import json
import signal

import pytest
from helpers.corpus import serve_openrouter, snapshot
from helpers.db import data_counts
from helpers.server import Reply
from sched_helpers import HeldReply, TrackerProcess, crawl_runs, wait_for, write_config

from tracker.cli import main
from tracker.config import load_settings
from tracker.schedule.locks import read_lock
from tracker.sources.runner import run_crawl

CRAWL = "crawl:openrouter"

pytestmark = pytest.mark.slow


@pytest.fixture
def config(sched_settings, tmp_path):
    settings = dataclasses.replace(
        sched_settings, schedule=dataclasses.replace(sched_settings.schedule, openrouter_interval_minutes=0.1)
    )
    return write_config(settings, tmp_path / "tracker.toml")


@pytest.fixture
def seeded(served, config, engine):
    """The database after one successful crawl of the 2026-03-17 listing."""
    assert run_crawl(load_settings(config, env={}), "openrouter", trigger="test").status == "success"
    return data_counts(engine)


def test_sigterm_waits_for_the_running_crawl_then_exits(corpus, served, config, sessions, engine, tmp_path):
    held = HeldReply(Reply(200, snapshot(corpus, "2026-03-17").read_bytes()))
    served.route("/api/v1/models", held)
    daemon = TrackerProcess(config, "schedule", cwd=tmp_path)
    try:
        assert held.arrived.wait(90), daemon.stderr
        daemon.signal(signal.SIGTERM)
        wait_for(lambda: "SIGTERM: no new jobs" in daemon.stderr, what="the signal to be handled")
        assert daemon.alive()  # waiting for the crawl
    finally:
        held.release.set()
    assert daemon.wait() == 0, daemon.stderr
    assert f"{CRAWL}: success — 345 items, 345 new" in daemon.stdout
    assert "tracker schedule: stopped" in daemon.stdout
    assert [r.status for r in crawl_runs(sessions)] == ["success"]
    assert read_lock(engine, CRAWL).holder is None
    assert data_counts(engine)["models"] > 0


def test_a_second_sigterm_stops_the_crawl_which_stores_nothing_half_done(
    seeded, served, config, sessions, engine, tmp_path
):
    held = HeldReply(Reply(200, b"{}"))
    served.route("/api/v1/models", held)
    daemon = TrackerProcess(config, "schedule", cwd=tmp_path)
    try:
        assert held.arrived.wait(90), daemon.stderr
        daemon.signal(signal.SIGTERM)
        wait_for(lambda: "SIGTERM: no new jobs" in daemon.stderr, what="the first signal to be handled")
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.stderr
    finally:
        held.release.set()
        daemon.kill_group()
    assert "stopping crawl process tracker-crawl-openrouter" in daemon.stderr
    last = crawl_runs(sessions)[-1]
    assert last.status == "failed" and last.finished_at is not None
    assert data_counts(engine) == seeded
    assert read_lock(engine, CRAWL).holder is None


def test_a_killed_scheduler_is_recovered_by_the_next_one(
    corpus, seeded, served, config, sessions, engine, tmp_path, capsys
):
    held = HeldReply(Reply(200, b"{}"))
    served.route("/api/v1/models", held)
    first = TrackerProcess(config, "schedule", cwd=tmp_path)
    try:
        assert held.arrived.wait(90), first.stderr
        running = wait_for(lambda: [r for r in crawl_runs(sessions) if r.status == "running"], what="a running crawl")
        first.kill_group()  # SIGKILL to the scheduler and its crawl process, mid-fetch
        first.wait()
    finally:
        held.release.set()
    [killed] = running
    assert killed.pid == first.pid
    assert data_counts(engine) == seeded
    assert read_lock(engine, CRAWL).pid == first.pid  # a lease left behind by a dead process

    assert main(["--config", str(config), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    [source] = [s for s in status["sources"] if s["source"] == "openrouter"]
    assert "stuck" in source["flags"] and "is gone" in " ".join(source["notes"])

    serve_openrouter(served, snapshot(corpus, "2026-03-17"))
    second = TrackerProcess(config, "schedule", cwd=tmp_path)
    try:
        wait_for(
            lambda: [r for r in crawl_runs(sessions) if r.status == "success" and r.pid == second.pid],
            timeout=120,
            what="a crawl by the new scheduler",
        )
        second.signal(signal.SIGTERM)
        assert second.wait() == 0, second.stderr
    finally:
        second.kill_group()
    runs = {r.id: r for r in crawl_runs(sessions)}
    assert runs[killed.id].status == "failed"
    assert runs[killed.id].error_message == "the process running this job died"
    assert read_lock(engine, CRAWL).holder is None


def test_schedule_list_shows_the_configured_jobs(config, capsys):
    assert main(["--config", str(config), "schedule", "--list", "--json"]) == 0
    jobs = json.loads(capsys.readouterr().out)
    ids = [j["id"] for j in jobs]
    assert ids[0] == CRAWL and "newsletter" in ids and "crawl:huggingface" not in ids
    [newsletter] = [j for j in jobs if j["id"] == "newsletter"]
    assert "mon 08:00" in newsletter["description"] and "sending is off" in newsletter["description"]
    assert "day_of_week='mon', hour='8', minute='0'" in newsletter["trigger"]
    assert main(["--config", str(config), "schedule", "--list"]) == 0
    assert "crawl openrouter every 0.1 min" in capsys.readouterr().out
