"""A Hub crawl stores in chunks: killed halfway, it keeps the chunks it stored, and the next crawl
fetches only what is missing (requests counted at the loopback server)."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading

from helpers.corpus import FakeHub, hub_detail
from helpers.server import Reply
from sqlalchemy import func, select

from tracker.config import HuggingFaceSettings
from tracker.sources.runner import run_crawl
from tracker.store.tables import Document, Run
from tracker.store.tables.huggingface import HfRepo
from tracker.store.tables.seen import CrawlSeen

ORG = "resume-org"
REPOS = 1000
CHUNK = 100
KILL_AFTER_CARDS = 450


def synthetic_hub(server) -> FakeHub:
    details, cards = {}, {}
    for i in range(REPOS):
        repo_id = f"{ORG}/Model-{i:04d}"
        details[repo_id] = hub_detail(repo_id, sha=f"{i:040x}", cardData={"license": "apache-2.0"})
        cards[repo_id] = f"---\nlicense: apache-2.0\n---\n# Model {i}\n".encode()
    return FakeHub(server, details, cards).install()


def stored_repos(sessions) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(HfRepo.id)))


def test_a_crawl_killed_halfway_keeps_its_chunks_and_the_next_crawl_fetches_only_the_rest(settings, server, sessions):
    hub = synthetic_hub(server)
    crawl_settings = dataclasses.replace(
        settings, store_chunk=CHUNK, huggingface=HuggingFaceSettings(url=server.url, orgs=(ORG,), page_size=250)
    )
    child: dict[str, int | None] = {"pid": None}
    served = {"cards": 0}
    lock = threading.Lock()

    def card_then_kill(request, repo_id):
        with lock:
            served["cards"] += 1
            if served["cards"] == KILL_AFTER_CARDS and child["pid"]:
                os.kill(child["pid"], signal.SIGKILL)  # a crash in the middle of the crawl
        return Reply(200, hub.cards[repo_id], {"Content-Type": "text/plain"})

    for repo_id in hub.details:
        server.route(f"/{repo_id}/raw/main/README.md", lambda request, r=repo_id: card_then_kill(request, r))

    def on_child(pid):
        if pid is not None:
            child["pid"] = pid

    first = run_crawl(crawl_settings, "huggingface", trigger="test", on_child=on_child)
    assert first.status == "failed"
    kept = stored_repos(sessions)
    # whole chunks only, each with its card stored: nothing half-written
    assert 0 < len(kept) < REPOS and len(kept) % CHUNK == 0, len(kept)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == len(kept)
        assert set(session.scalars(select(HfRepo.card_state))) == {"ok"}
        assert session.scalar(select(func.count()).select_from(HfRepo).where(HfRepo.status != "listed")) == 0

    server.clear_log()
    for repo_id in hub.details:  # the second crawl is not killed
        hub.route_repo(repo_id)
    second = run_crawl(crawl_settings, "huggingface", trigger="test")
    assert second.status == "success", second.render()
    missing = REPOS - len(kept)
    assert len(hub.detail_requests()) == missing and len(hub.card_requests()) == missing
    assert len(hub.listing_requests()) == REPOS // 250
    assert stored_repos(sessions) == set(hub.details)
    assert (second.new, second.seen, second.delisted) == (missing, REPOS, 0)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == REPOS
        assert session.scalar(select(func.count()).select_from(CrawlSeen)) == 0  # both crawls' seen rows are gone
        assert session.get(Run, second.run_id).status == "success"
