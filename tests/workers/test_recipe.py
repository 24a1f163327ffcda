"""The deployment recipe of docs/scaling.md, as written: Postgres, `tracker init`, three `tracker worker`, one
`tracker schedule --workers`, crawling 40 Hub organisations from the loopback server.

Asserted from the run history (``unit_runs``, ``runs``) and from the requests the server received:
each organisation is crawled exactly once for the tick, no two attempts of one organisation overlap,
a worker killed with SIGKILL in the middle of a task loses it to another worker and nothing is stored
twice, a second scheduler in the same tick crawls nothing again, and the shared Hub budget is never
exceeded at the server.
"""

import dataclasses
import itertools
import os
import signal
import threading
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers.corpus import FakeHub, hub_detail
from schedule.sched_helpers import TrackerProcess, only_sources, wait_for, write_config
from sqlalchemy import func, select, text

from tracker.config import HuggingFaceSettings, ScheduleSettings
from tracker.store.tables import Run
from tracker.store.tables.workers import UnitRun

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ORGS = [f"org{i:02d}" for i in range(40)]
#: Three organisations with many repos: their crawls burst far past the budget unless it holds them back.
BIG = {"org01": 10, "org02": 10, "org03": 10}
VICTIM = "org07"
BUDGET_REQUESTS = 12
BUDGET_SECONDS = 1.0
WORKER_ARGS = ("--heartbeat-seconds", "0.5", "--stalled-seconds", "3")


def repos_of(org):
    return [f"{org}/model-{j}" for j in range(BIG.get(org, 1))]


class HoldFirstListing:
    """The Hub's listing, except that the first listing request of ``org`` is held until released."""

    def __init__(self, hub, org):
        self.listing = hub._listing
        self.org = org
        self.arrived = threading.Event()
        self.release = threading.Event()

    def __call__(self, request):
        author = parse_qs(urlsplit(request.path).query).get("author", [""])[0]
        if author == self.org and not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(60)
        return self.listing(request)


@pytest.fixture
def hub(server):
    hub = FakeHub(server, {}, {}).install()
    for org in ORGS:
        for repo in repos_of(org):
            hub.add(hub_detail(repo, sha=f"{abs(hash(repo)):040d}"[:40]), f"# {repo}\n\nA synthetic model.\n".encode())
    held = HoldFirstListing(hub, VICTIM)
    server.route("/api/models", held)
    return held


@pytest.fixture
def config(queue_db, settings, server, tmp_path):
    settings = dataclasses.replace(
        only_sources(settings, "huggingface"),
        http=dataclasses.replace(settings.http, obey_robots_txt=False),
        huggingface=HuggingFaceSettings(
            url=server.url, orgs=tuple(ORGS), budget_requests=BUDGET_REQUESTS, budget_seconds=BUDGET_SECONDS
        ),
        # one tick for the whole test (ticks are aligned on the epoch: the next one is months away)
        schedule=ScheduleSettings(huggingface_interval_minutes=1_000_000),
    )
    return write_config(settings, tmp_path / "tracker.toml")


def attempts(sessions):
    with sessions() as session:
        return list(session.scalars(select(UnitRun).order_by(UnitRun.id)))


def finished(sessions):
    return [a for a in attempts(sessions) if a.status != "running" and a.status != "abandoned"]


def most_in_any_window(times, seconds):
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


def test_three_workers_and_one_scheduler_crawl_40_organisations_once_each(hub, config, server, sessions, tmp_path):
    t0 = time.monotonic()
    phases = {}
    init = TrackerProcess(config, "init", cwd=tmp_path)
    assert init.wait() == 0, init.stderr
    assert "task queue for `tracker worker`" in init.stdout
    workers = [TrackerProcess(config, "worker", *WORKER_ARGS, cwd=tmp_path) for _ in range(3)]
    scheduler = TrackerProcess(config, "schedule", "--workers", *WORKER_ARGS, cwd=tmp_path)
    processes = [*workers, scheduler]
    try:
        wait_for(lambda: "40 tasks deferred" in scheduler.stdout, what="the tick's tasks", timeout=60)
        phases["deferred"] = time.monotonic() - t0
        # a worker is killed in the middle of its task: the listing of VICTIM is held at the server
        assert hub.arrived.wait(90), [w.stderr for w in workers]
        victim = wait_for(
            lambda: next((a for a in attempts(sessions) if a.unit == f"huggingface:org:{VICTIM}"), None),
            what="the victim's attempt",
        )
        killed = next(w for w in workers if victim.worker.endswith(f":{w.pid}"))
        os.kill(killed.pid, signal.SIGKILL)
        killed.proc.wait(10)
        hub.release.set()
        phases["worker killed"] = time.monotonic() - t0
        wait_for(lambda: len(finished(sessions)) == len(ORGS), timeout=150, what="every organisation crawled")
        requests_after_tick = len(server.requests)
        phases["crawled"] = time.monotonic() - t0

        # a second scheduler in the same tick (a standby, a restart) defers the tick again: nothing runs twice
        second = TrackerProcess(config, "schedule", "--workers", *WORKER_ARGS, cwd=tmp_path)
        processes.append(second)
        wait_for(lambda: "40 tasks deferred" in second.stdout, what="the second scheduler's tasks", timeout=60)
        wait_for(
            lambda: sum(w.stdout.count("skipped (already crawled") for w in workers) >= len(ORGS),
            timeout=90,
            what="the re-deferred tasks to be skipped",
        )
        phases["re-deferred and skipped"] = time.monotonic() - t0
    finally:
        for process in processes:
            process.signal(signal.SIGTERM)
        hub.release.set()
        for process in processes:
            if process is not killed:
                process.wait(60)

    history = attempts(sessions)
    by_unit = {}
    for attempt in history:
        by_unit.setdefault(attempt.unit, []).append(attempt)
    # each organisation exactly once for the tick, all on the same tick
    assert sorted(by_unit) == sorted(f"huggingface:org:{org}" for org in ORGS)
    assert len({a.tick for a in history}) == 1
    for unit, tries in by_unit.items():
        assert [a.status for a in tries if a.status != "abandoned"] == ["success"], (unit, tries)
        # no two attempts of one organisation at once
        for earlier, later in itertools.pairwise(tries):
            assert earlier.finished_at is not None and earlier.finished_at <= later.started_at, unit
    # the killed worker's task finished on another worker
    victim_tries = by_unit[f"huggingface:org:{VICTIM}"]
    assert [a.status for a in victim_tries] == ["abandoned", "success"]
    assert victim_tries[0].worker.endswith(f":{killed.pid}")
    assert not victim_tries[1].worker.endswith(f":{killed.pid}")
    assert len({a.worker for a in history}) == 3  # the work was spread over the three workers

    with sessions() as session:
        # the crawls (``runs``, each naming its attempt) of one organisation never overlap either
        crawl_of = {run.trigger: run for run in session.scalars(select(Run).where(Run.job == "crawl"))}
        for unit, tries in by_unit.items():
            spans = [crawl_of[f"worker:{a.id}"] for a in tries]
            for earlier, later in itertools.pairwise(spans):
                assert earlier.finished_at <= later.started_at, unit
        runs = Counter(session.scalars(select(Run.status).where(Run.job == "crawl", Run.source == "huggingface")))
        assert runs == {"success": len(ORGS), "failed": 1}  # the killed crawl is recorded as failed
        repos = session.scalar(text("SELECT count(*) FROM hf_repos"))
        assert repos == sum(len(repos_of(org)) for org in ORGS)
        # nothing stored twice: one observation per repo and content, one event per kind and subject
        doubled = session.execute(
            text("SELECT subject, content_hash FROM observations GROUP BY 1, 2 HAVING count(*) > 1")
        ).all()
        assert doubled == []
        assert session.execute(text("SELECT kind, subject FROM events GROUP BY 1, 2 HAVING count(*) > 1")).all() == []
        assert session.scalar(select(func.count()).select_from(UnitRun)) == len(ORGS) + 1

    # at the server: one listing per organisation, two for the one whose worker was killed
    listings = Counter(
        parse_qs(urlsplit(r.path).query).get("author", [""])[0] for r in server.requests_to("/api/models")
    )
    assert listings == {org: 2 if org == VICTIM else 1 for org in ORGS}
    # the second scheduler's tasks asked the Hub nothing
    assert len(server.requests) == requests_after_tick
    # the shared budget held at the server, for the bursts of the big organisations too
    assert most_in_any_window([r.time for r in server.requests], BUDGET_SECONDS) <= BUDGET_REQUESTS
    print(
        f"\nrequests {len(server.requests)}, most in any {BUDGET_SECONDS:g} s: "
        f"{most_in_any_window([r.time for r in server.requests], BUDGET_SECONDS)} (budget {BUDGET_REQUESTS}); "
        + ", ".join(f"{name} at {seconds:.0f} s" for name, seconds in phases.items())
    )
