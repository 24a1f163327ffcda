"""Fixtures of the site tests: built sites (small fixed database, and the OpenRouter corpus with the
Qwen3-Max story), a loopback file server that serves a site under a sub-path, and Debian chromium."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from helpers.corpus import openrouter_snapshots
from site_fixtures import BuiltSite, add_qwen_story, fill_small_database, site_settings, write_newsletter_archive

from tracker.backfill import backfill_openrouter
from tracker.site.build import build_site
from tracker.store.db import make_engine, make_sessionmaker, session_scope

CHROMIUM = "/usr/bin/chromium"
PREFIX = "/mirror/tracker-site/"


@pytest.fixture
def small_site(sessions, db_url, tmp_path) -> BuiltSite:
    """The small fixed database, built once into ``tmp_path/site``."""
    with session_scope(sessions) as session:
        fill_small_database(session)
    newsletter = tmp_path / "newsletter"
    write_newsletter_archive(newsletter)
    settings = site_settings(db_url, newsletter, workers=1)
    out = tmp_path / "site"
    return BuiltSite(out, build_site(sessions, settings, out), settings)


@pytest.fixture(scope="session")
def corpus_site(corpus, _sqlite_template, tmp_path_factory) -> BuiltSite:
    """All recorded OpenRouter snapshots backfilled (SQLite), plus the Qwen3-Max openness story, built once."""
    root = tmp_path_factory.mktemp("corpus-site")
    db = root / "tracker.db"
    shutil.copyfile(_sqlite_template, db)
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    summaries = backfill_openrouter(factory, url, openrouter_snapshots(corpus), trigger="test")
    assert all(s.status == "success" for s in summaries)
    with session_scope(factory) as session:
        add_qwen_story(session)
    newsletter = root / "newsletter"
    write_newsletter_archive(newsletter)
    settings = site_settings(url, newsletter)
    out = root / "site"
    result = build_site(factory, settings, out)
    engine.dispose()
    return BuiltSite(out, result, settings)


class _SubPathHandler(SimpleHTTPRequestHandler):
    """Serves the site folder under ``PREFIX`` only; anything else is a 404 (and is logged)."""

    outside: list[str]

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(PREFIX):
            self.outside.append(path)
            return os.path.join(self.directory, "__outside_the_site__")
        return super().translate_path("/" + clean[len(PREFIX) :])

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class SiteServer:
    base: str
    outside: list[str]


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve(folder)`` → a loopback server with the folder at ``http://127.0.0.1:PORT/mirror/tracker-site/``."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> SiteServer:
        outside: list[str] = []
        handler = type("Handler", (_SubPathHandler,), {"outside": outside})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        host, port = httpd.server_address[:2]
        return SiteServer(f"http://{host}:{port}{PREFIX}", outside)

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-default-apps",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--metrics-recording-only",
            ],
        )
        yield browser
        browser.close()
