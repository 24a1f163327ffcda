"""`tracker worker` and `tracker schedule --workers` say clearly when they cannot run (one line, exit 2)."""

import dataclasses

import pytest

from tracker.cli import main
from tracker.config import HuggingFaceSettings
from tracker.sources.settings import scrapy_settings


@pytest.mark.parametrize("command", [["worker"], ["schedule", "--workers"]])
def test_on_sqlite_the_workers_say_they_need_postgres(command, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    assert main(command) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "needs Postgres" in err and "tracker schedule" in err
    assert not (tmp_path / "tracker.db").exists()  # refused before touching the database


def test_every_crawl_process_gets_the_shared_budget_but_never_the_token(settings):
    hub = HuggingFaceSettings(url="https://hub.example", token="hf_secret", budget_requests=450, budget_seconds=300)
    budget = scrapy_settings(dataclasses.replace(settings, huggingface=hub), run_id=None)["TRACKER_HUB_BUDGET"]
    assert budget["host"] == "hub.example" and budget["requests"] == 450 and budget["seconds"] == 300
    assert "hf_secret" not in repr(scrapy_settings(dataclasses.replace(settings, huggingface=hub), run_id=None))
    off = scrapy_settings(settings, run_id=None)["TRACKER_HUB_BUDGET"]
    assert off["requests"] == 0  # the middleware is not configured: crawls pay nothing
