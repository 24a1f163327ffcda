"""Offline, ``tracker run`` says "unreachable" per source on its own lines; Scrapy's error lines stay in the log."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.config import load_settings
from tracker.sources.quiet_log import DOWNLOAD_LOGGERS, DownloadErrorsAtDebug, demote_download_errors
from tracker.sources.registry import enabled_sources

#: What tracker itself writes on stderr during ``tracker run`` (progress), line by line.
OWN_LINE = re.compile(r"^(\[\d+/\d+\] crawling [a-z]+…|building .+…|  [a-z-]+: .+)$")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def offline_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> str:
    """No configuration file; every base URL (OpenRouter, the Hub, the default sources' mirror) on a closed port."""
    dead = f"http://127.0.0.1:{closed_port()}"
    for name in ("TRACKER_CONFIG", "TRACKER_HF_ORGS", "TRACKER_DEFAULT_SOURCES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_OPENROUTER_URL", f"{dead}/api/v1")
    monkeypatch.setenv("TRACKER_HF_URL", dead)
    monkeypatch.setenv("TRACKER_SOURCES_MIRROR", dead)
    monkeypatch.setenv("TRACKER_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("TRACKER_HTTP_RETRIES", "1")  # a request that gives up retrying is logged by Scrapy
    monkeypatch.setenv("TRACKER_OBEY_ROBOTS_TXT", "true")  # so is a robots.txt that cannot be fetched
    monkeypatch.chdir(tmp_path)
    return dead


@pytest.mark.slow
@pytest.mark.e2e  # `tracker run` starts crawl processes
def test_offline_tracker_run_prints_only_its_own_lines_and_says_unreachable(db_url, tmp_path, monkeypatch, capfd):
    offline_env(monkeypatch, db_url, tmp_path)
    sources = enabled_sources(load_settings())
    assert {"openrouter", "huggingface", "blogs", "press"} <= set(sources)

    code = main(["run"])
    out, err = capfd.readouterr()

    assert code == 1, out + err
    strangers = [line for line in err.splitlines() if not OWN_LINE.match(line)]
    assert strangers == [], "\n".join(strangers[:10])
    assert "ERROR" not in err and "Traceback" not in err and "[scrapy" not in err
    table = {line.split()[0]: line.split()[1] for line in out.splitlines()[1 : 1 + len(sources)]}
    for source in ("openrouter", "huggingface", "blogs", "press"):
        assert table[source] == "failed"
        assert re.search(rf"^  {source}: .*unreachable", out, re.MULTILINE), out
    assert "no source could be reached (no network?)" in out
    assert (tmp_path / "site" / "index.html").is_file()  # the site is still built from what is stored


def test_download_failures_logged_by_scrapy_become_debug_records_and_only_those():
    demote_download_errors()
    demote_download_errors()  # once per logger, however many crawls the process runs
    for name in DOWNLOAD_LOGGERS:
        assert sum(isinstance(f, DownloadErrorsAtDebug) for f in logging.getLogger(name).filters) == 1
    robots = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    record = robots.makeRecord(robots.name, logging.ERROR, __file__, 1, "Error downloading %s", ("x",), None)
    assert robots.filter(record) and record.levelno == logging.DEBUG and record.levelname == "DEBUG"
    other = logging.getLogger("scrapy.core.engine")
    record = other.makeRecord(other.name, logging.ERROR, __file__, 1, "engine broke", (), None)
    assert other.filter(record) and record.levelno == logging.ERROR


@pytest.mark.e2e  # one crawl process
def test_a_crawl_opens_no_control_port(db_url, tmp_path, monkeypatch, capfd):
    """Scrapy 2.19 starts an HTTP "remote control" server in every crawl by default (logged at INFO)."""
    offline_env(monkeypatch, db_url, tmp_path)
    assert main(["-v", "crawl", "openrouter"]) == 1  # offline: the crawl fails, its log is shown
    _out, err = capfd.readouterr()
    assert "unreachable" in err and "Spider opened" in err  # the crawl ran and logged at INFO
    assert "Remote control" not in err and "listening on port" not in err
