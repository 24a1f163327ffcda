"""Offline: the crawl says "unreachable" in one line per request; no Scrapy traceback reaches stderr."""

import dataclasses
import socket

from tracker.config import OpenRouterSettings
from tracker.sources.runner import run_crawl


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_source_is_summarised_without_tracebacks(settings, capfd):
    offline = dataclasses.replace(
        settings,
        openrouter=OpenRouterSettings(url=f"http://127.0.0.1:{closed_port()}/api/v1"),
        http=dataclasses.replace(settings.http, retries=0, obey_robots_txt=True),
    )
    summary = run_crawl(offline, "openrouter", trigger="test")
    err = capfd.readouterr().err
    assert summary.status == "failed" and dict(summary.errors) == {"unreachable": 1}
    assert "unreachable" in summary.render()
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 3, err
