"""Crawl processes die with their parent (issue 14 item 4): kill -9 of a scheduler mid-crawl, SIGTERM to
`tracker crawl`, and `timeout` around it leave no process behind, never two crawls of one source at once,
and every run ends with exactly one status."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys

import pytest
from helpers.corpus import serve_openrouter, snapshot
from helpers.db import data_counts
from helpers.processes import alive, in_session
from helpers.server import Reply
from sched_helpers import HeldReply, TrackerProcess, clean_env, crawl_runs, wait_for, write_config

from tracker.config import load_settings
from tracker.schedule.locks import read_lock
from tracker.sources.runner import run_crawl

CRAWL = "crawl:openrouter"

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


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


@pytest.fixture
def patient_config(sched_settings, tmp_path):
    """``config`` with a download timeout long enough that an orphaned crawl would still be waiting for the reply
    (and a short grace for a stopped crawl: its download in flight never ends, so it is killed after that)."""
    settings = dataclasses.replace(
        sched_settings,
        http=dataclasses.replace(sched_settings.http, timeout_seconds=120.0, retries=0, stop_grace_seconds=2.0),
        schedule=dataclasses.replace(sched_settings.schedule, openrouter_interval_minutes=0.1),
    )
    return write_config(settings, tmp_path / "patient.toml")


def crawl_children(sid: int) -> list[int]:
    """The crawl processes of session ``sid`` (their thread is named ``tracker-crawl``)."""
    return [p.pid for p in in_session(sid) if p.comm == "tracker-crawl"]


def test_kill_9_of_a_scheduler_mid_crawl_ends_its_crawl_and_the_next_one_crawls_alone(
    corpus, seeded, served, patient_config, sessions, engine, tmp_path
):
    config = patient_config
    held = HeldReply(Reply(200, snapshot(corpus, "2026-03-17").read_bytes()))
    served.route("/api/v1/models", held)
    first = TrackerProcess(config, "schedule", cwd=tmp_path)
    try:
        assert held.arrived.wait(90), first.stderr
        [running] = wait_for(lambda: [r for r in crawl_runs(sessions) if r.status == "running"], what="a crawl")
        child = wait_for(lambda: read_lock(engine, CRAWL).child_pid, what="the lease to name its crawl process")
        assert crawl_children(first.pid) == [child]
        assert os.getpgid(child) != os.getpgid(first.pid)  # the crawl runs in its own process group
        os.kill(first.pid, signal.SIGKILL)  # the scheduler alone, not its group
        first.proc.wait(30)
        wait_for(lambda: not in_session(first.pid), timeout=30, what="every process of the killed scheduler to end")
        assert not alive(child)
    finally:
        held.release.set()  # a crawl process that survived would now store the listing and report success
        first.kill_group()
    assert data_counts(engine) == seeded
    lock = read_lock(engine, CRAWL)
    assert (lock.pid, lock.child_pid) == (first.pid, child)  # left behind by the dead holder

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
    # the fork server and any crawl child leave their own process groups, and end when they see the scheduler go
    wait_for(lambda: not in_session(second.pid), timeout=30, what="every process of the stopped scheduler to end")
    runs = {r.id: r for r in crawl_runs(sessions)}
    killed = runs[running.id]
    assert (killed.status, killed.error_message) == ("failed", "the process running this job died")
    assert killed.items_seen == 0  # the killed crawl stored nothing, ever
    later = [r for r in runs.values() if r.id > running.id]
    assert later and all(r.pid == second.pid for r in later)
    assert all(r.started_at >= killed.started_at for r in later)
    assert [r.status for r in later] == ["success"] * len(later)
    assert read_lock(engine, CRAWL).holder is None


def test_a_lease_is_not_taken_over_while_the_dead_holders_crawl_process_lives(engine, tmp_path):
    from tracker.schedule.locks import LockManager

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    holder = subprocess.Popen([sys.executable, "-c", "pass"])
    holder.wait()
    try:
        first = LockManager(engine, trigger="test")
        first.pid = holder.pid  # a holder that is gone …
        assert first.try_acquire(CRAWL).acquired
        assert first.set_child(CRAWL, sleeper.pid)  # … whose crawl process still runs
        other = LockManager(engine, trigger="test")
        outcome = other.try_acquire(CRAWL)
        assert outcome.status == "busy" and f"crawl process {sleeper.pid}" in outcome.reason()
        sleeper.kill()
        sleeper.wait()
        taken = other.try_acquire(CRAWL)
        assert taken.acquired and taken.other is not None and taken.other.child_pid == sleeper.pid
        assert read_lock(engine, CRAWL).child_pid is None
    finally:
        sleeper.kill()


def test_sigterm_to_tracker_crawl_stops_its_crawl_process_and_the_run_ends_failed_once(
    corpus, seeded, served, config, sessions, engine, tmp_path
):
    held = HeldReply(Reply(200, snapshot(corpus, "2026-03-17").read_bytes()))
    served.route("/api/v1/models", held)
    crawl = TrackerProcess(config, "crawl", "openrouter", cwd=tmp_path)
    try:
        assert held.arrived.wait(90), crawl.stderr
        [child] = wait_for(lambda: crawl_children(crawl.pid), what="the crawl process")
        assert os.getpgid(child) != crawl.pid
        crawl.signal(signal.SIGTERM)
        code = crawl.proc.wait(60)
        wait_for(lambda: not in_session(crawl.pid), timeout=30, what="every process of `tracker crawl` to end")
    finally:
        held.release.set()
        crawl.kill_group()
    assert code == 130, crawl.stderr
    assert "interrupted" in crawl.stderr
    last = crawl_runs(sessions)[-1]
    assert last.status == "failed" and last.finished_at is not None
    assert data_counts(engine) == seeded


def test_timeout_around_tracker_crawl_leaves_no_process(
    corpus, seeded, served, patient_config, sessions, engine, tmp_path
):
    timeout = shutil.which("timeout")
    assert timeout, "coreutils timeout is missing"
    held = HeldReply(Reply(200, snapshot(corpus, "2026-03-17").read_bytes()))
    served.route("/api/v1/models", held)
    proc = subprocess.Popen(
        [timeout, "-s", "TERM", "20", sys.executable, "-m", "tracker", "crawl", "openrouter"],
        env=clean_env(patient_config),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert held.arrived.wait(90)
        _out, err = proc.communicate(timeout=120)
        wait_for(lambda: not in_session(proc.pid), timeout=30, what="every process under `timeout` to end")
    finally:
        held.release.set()
        proc.kill()
        if in_session(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 124, err  # timeout's own code: the command was stopped
    runs = crawl_runs(sessions)
    assert [r.status for r in runs[1:]] == ["failed"]
    assert data_counts(engine) == seeded


def test_a_crawl_child_writes_to_the_stderr_its_parent_has_now(
    corpus, served, sched_settings, capfd, monkeypatch, tmp_path
):
    from tracker.sources.runner import _run_child, run_child

    assert _run_child is run_child  # the old private name still works for callers that used it
    log = tmp_path / "spawned.log"
    monkeypatch.setenv("CRAWL_SPAWN_LOG", str(log))
    capfd.readouterr()
    data = run_child(sched_settings, "openrouter", None, "INFO", 120)
    assert data is not None and data["status"] == "success"
    err = capfd.readouterr().err
    assert "Spider opened" in err and "Spider closed (finished)" in err  # Scrapy's log, on the parent's fd 2
    assert log.read_text().split()[1] == "openrouter"
