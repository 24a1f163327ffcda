"""A fresh install: ``tracker run`` with no configuration file, only base URLs pointed at the loopback server.

The default source list is served on the loopback server through ``sources.mirror``
(:mod:`source_pages`: feeds, index pages, a sitemap index, GitHub releases feeds and changelog pages
built from ../shared/corpus/blogs and ../press), OpenRouter's listing of the models whose
per-provider offers are recorded, and every recorded Hub repo.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from claims.content_server import ContentServer
from helpers.corpus import serve_hub, snapshot
from helpers.server import FakeServer, Reply
from lxml import html as lxml_html
from source_pages import serve_defaults
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.cli import main
from tracker.config import load_settings
from tracker.sources.catalog import SHAPES, default_sources
from tracker.sources.registry import enabled_sources
from tracker.store.tables import Document

pytestmark = [pytest.mark.slow, pytest.mark.e2e]  # `tracker run` starts crawl processes


def serve_openrouter_with_offers(server: FakeServer, corpus: Path) -> set[str]:
    """The models of the recorded ``/endpoints`` responses, listed and with their offers; returns their ids."""
    responses = [
        json.loads(path.read_text("utf-8"))
        for path in sorted((corpus / "openrouter" / "endpoints").glob("*.json"))
        if "--" not in path.stem  # dated captures of a model served above
    ]
    ids = {r["data"]["id"] for r in responses}
    listing = json.loads(snapshot(corpus, "2026-05-16").read_text("utf-8"))
    models = [m for m in listing["data"] if m["id"] in ids]
    server.route("/api/v1/models", Reply(200, {"data": models}, {"Content-Type": "application/json"}))
    slugs = {m["id"]: m["canonical_slug"] for m in models}
    for payload in responses:
        if payload["data"]["id"] in slugs:
            path = f"/api/v1/models/{slugs[payload['data']['id']]}/endpoints"
            server.route(path, Reply(200, payload, {"Content-Type": "application/json"}))
    return set(slugs)


def test_a_fresh_tracker_run_with_no_configuration_crawls_every_default_source_kind(
    db_url: str,
    sessions: sessionmaker[Session],
    server: FakeServer,
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
):
    content = ContentServer(server, corpus)
    articles = serve_defaults(content, corpus)
    listed = serve_openrouter_with_offers(server, corpus)
    serve_hub(server, corpus)
    for name in [n for n in os.environ if n.startswith("TRACKER_") or n == "HF_TOKEN"]:
        monkeypatch.delenv(name)
    # no configuration file: the database and the base URLs only (and loopback as the one allowed host)
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_OPENROUTER_URL", f"{server.url}/api/v1")
    monkeypatch.setenv("TRACKER_HF_URL", server.url)
    monkeypatch.setenv("TRACKER_SOURCES_MIRROR", server.url)
    monkeypatch.setenv("TRACKER_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.sources.defaults and not settings.feeds  # the shipped list, nothing of the user's
    sources = enabled_sources(settings)
    assert sources == ["openrouter", "offers", "huggingface", "blogs", "press"]

    code = main(["run"])
    out, err = capfd.readouterr()

    assert code == 0, out + err
    table = {line.split()[0]: line.split() for line in out.splitlines()[1 : 1 + len(sources)]}
    assert set(table) == set(sources), out
    assert {source: row[1] for source, row in table.items()} == dict.fromkeys(sources, "success"), out
    assert int(table["openrouter"][2]) == len(listed) and int(table["huggingface"][2]) > 0
    assert all(row[5] == "0" for row in table.values()), out  # no fetch failed
    # every default source's post was fetched and read: at least one per shape, each of its kind
    with sessions() as session:
        stored = {url: kind for url, kind in session.execute(select(Document.url, Document.kind))}
    by_shape: Counter[str] = Counter()
    for source in default_sources():
        assert stored.get(articles[source.id]) == source.kind, f"{source.id}: {articles[source.id]} not stored"
        by_shape[source.shape] += 1
    assert set(by_shape) == set(SHAPES)
    assert int(table["blogs"][2]) + int(table["press"][2]) == len(default_sources())
    # the site and the issue were built in the working directory; its status page says every source is ok
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "newsletter").is_dir()
    status = lxml_html.fromstring((tmp_path / "site" / "status" / "index.html").read_text("utf-8"))
    results = {
        row[0].text_content().strip(): row[1].text_content().strip()
        for row in status.cssselect(".status-crawls tbody tr")
    }
    assert results == dict.fromkeys(sources, "ok")
    health = [row[3].text_content().strip() for row in status.cssselect(".status-listings tbody tr")]
    assert health == ["ok"] * len(default_sources()) and not status.cssselect("#broken")
