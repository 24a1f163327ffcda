"""The offers crawl stores ``store_chunk`` models per transaction: the database ends up as with one
transaction, the pipeline holds at most a chunk, and a crawl killed halfway keeps its chunks (the next
crawl reads only the models not stored)."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from helpers.corpus import OFFER_FILES, snapshot
from helpers.server import Reply
from helpers.worlds import copy_world
from sqlalchemy import select, text

from tracker.config import Settings
from tracker.sources.runner import run_crawl
from tracker.store.db import make_engine
from tracker.store.tables.offers import OfferFetch

FILES = OFFER_FILES
COMPARED = ("offers", "offer_fetches", "observations", "events")


def rows(db_url: str) -> dict[str, Counter[tuple[Any, ...]]]:
    engine = make_engine(db_url)
    try:
        out = {}
        with engine.connect() as conn:
            for table in COMPARED:
                result = conn.execute(text(f'SELECT * FROM "{table}"'))
                names = list(result.keys())
                out[table] = Counter(
                    tuple(
                        (n, v)
                        for n, v in zip(names, row, strict=True)
                        if n not in ("id", "run_id", "observation_id", "payload", "data") and not n.endswith("_at")
                    )
                    for row in result
                )
        return out
    finally:
        engine.dispose()


class Endpoints:
    """The listing and the endpoints responses of ``FILES`` on the loopback server; counts the reads."""

    def __init__(self, server, corpus: Path) -> None:
        self.server = server
        self.responses = {
            name: json.loads((corpus / "openrouter" / "endpoints" / f"{name}.json").read_text("utf-8"))
            for name in FILES
        }
        ids = {r["data"]["id"] for r in self.responses.values()}
        listing = json.loads(snapshot(corpus, "2026-05-16").read_text("utf-8"))
        models = [m for m in listing["data"] if m["id"] in ids]
        server.route("/api/v1/models", Reply(200, {"data": models}, {"Content-Type": "application/json"}))
        self.slugs = {m["id"]: m["canonical_slug"] for m in models}
        self.served: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.kill: tuple[int, int] | None = None  # (after this many reads, pid)
        self.serve(self.responses)

    def serve(self, payloads: dict[str, dict]) -> None:
        for payload in payloads.values():
            listing_id = payload["data"]["id"]
            path = f"/api/v1/models/{self.slugs[listing_id]}/endpoints"
            self.server.route(path, lambda request, p=payload, i=listing_id: self.answer(p, i))

    def answer(self, payload: dict, listing_id: str) -> Reply:
        with self.lock:
            self.served[listing_id] += 1
            if self.kill is not None and sum(self.served.values()) == self.kill[0]:
                os.kill(self.kill[1], signal.SIGKILL)  # a crash in the middle of the crawl
        return Reply(200, payload, {"Content-Type": "application/json"})


def offers_on(settings: Settings, db_url: str, chunk: int, refresh_hours: float = 0) -> Settings:
    return dataclasses.replace(
        settings,
        database_url=db_url,
        store_chunk=chunk,
        openrouter=dataclasses.replace(settings.openrouter, offers="all", offers_refresh_hours=refresh_hours),
    )


def test_offers_in_chunks_of_three_store_what_one_transaction_stores(
    settings: Settings, server, corpus: Path, tmp_path: Path, _sqlite_template: Path
):
    served = Endpoints(server, corpus)
    changed = copy.deepcopy(served.responses)
    eps = changed["openai__gpt-oss-120b"]["data"]["endpoints"]
    eps[0]["pricing"]["prompt"] = "0.000001"
    eps.pop(1)
    changed["z-ai__glm-5.1"]["data"]["endpoints"].pop(0)
    results = {}
    for chunk in (3, 100_000):
        db_url = f"sqlite:///{tmp_path / f'chunk-{chunk}.db'}"
        copy_world(_sqlite_template, db_url)
        configured = offers_on(settings, db_url, chunk)
        served.serve(served.responses)
        assert run_crawl(configured, "openrouter", trigger="test").status == "success"
        first = run_crawl(configured, "offers", trigger="test")
        served.serve(changed)
        second = run_crawl(configured, "offers", trigger="test")
        assert (first.status, second.status) == ("success", "success"), second.render()
        results[chunk] = (first, second, rows(db_url))
    (first, second, streamed), (first_whole, second_whole, whole) = results[3][:3], results[100_000][:3]
    assert first.extra["stored_chunks"] == 4 and first.extra["peak_models_held"] == 3
    assert "stored_chunks" not in first_whole.extra
    assert second.events == second_whole.events == {"offer_removed": 2, "cheapest_offer_changed": 1}
    for a, b in ((first, first_whole), (second, second_whole)):
        assert (a.seen, a.new, a.changed, a.delisted, a.writes) == (b.seen, b.new, b.changed, b.delisted, b.writes)
    for table in COMPARED:
        assert streamed[table] == whole[table], (table, sorted(streamed[table] - whole[table]))


def test_an_offers_crawl_killed_halfway_keeps_its_chunks_and_the_next_reads_the_rest(
    settings: Settings, server, corpus: Path, sessions, db_url: str
):
    served = Endpoints(server, corpus)
    configured = offers_on(settings, db_url, chunk=3, refresh_hours=24)
    assert run_crawl(configured, "openrouter", trigger="test").status == "success"

    def on_child(pid):
        if pid is not None:
            served.kill = (8, pid)

    first = run_crawl(configured, "offers", trigger="test", on_child=on_child)
    assert first.status == "failed"
    with sessions() as session:
        kept = set(session.scalars(select(OfferFetch.listing_id)))
    assert 0 < len(kept) < len(FILES) and len(kept) % 3 == 0, kept

    served.kill = None
    served.served.clear()
    second = run_crawl(configured, "offers", trigger="test")
    assert second.status == "success", second.render()
    # the models stored by the killed crawl are fresh: the next crawl reads only the others
    assert set(served.served) == {served.responses[n]["data"]["id"] for n in FILES} - kept
    assert second.extra["models_read"] == len(FILES) - len(kept)
    with sessions() as session:
        assert len(set(session.scalars(select(OfferFetch.listing_id)))) == len(FILES)
