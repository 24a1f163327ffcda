"""`tracker run`: every source, then the site and this week's issue, in one command; failures stay per source."""

import dataclasses
import datetime as dt
import email
import email.policy
import json
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from helpers.corpus import hub_details, serve_hub
from helpers.db import data_counts
from sched_helpers import only_sources, runs_of, write_config
from sqlalchemy import select, text

from tracker.cli import main
from tracker.config import HuggingFaceSettings, SmtpSettings
from tracker.deliver import subscribers
from tracker.newsletter.week import last_complete_week
from tracker.schedule.locks import LockManager
from tracker.sources.registry import enabled_sources
from tracker.store.tables.newsletter import Delivery
from tracker.urls import model_path

pytestmark = pytest.mark.slow


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def corpus_settings(corpus, served, sched_settings):
    """OpenRouter's 2026-03-17 listing and every recorded Hub repo and card, on the loopback server."""
    hub = serve_hub(served, corpus)
    orgs = tuple(sorted({repo.split("/")[0] for repo in hub.details}))
    settings = dataclasses.replace(sched_settings, huggingface=HuggingFaceSettings(url=served.url, orgs=orgs))
    return only_sources(settings, "openrouter", "huggingface")


def run(config, capsys, *args):
    code = main(["--config", str(config), "run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_tracker_run_builds_the_database_the_site_and_this_weeks_issue(
    corpus, corpus_settings, engine, sessions, tmp_path, capsys
):
    settings = corpus_settings
    config = write_config(settings, tmp_path / "tracker.toml")
    code, out, err = run(config, capsys)
    assert code == 0, out + err

    # progress while it works, a summary per source at the end
    sources = enabled_sources(settings)
    assert "openrouter" in sources and "huggingface" in sources
    for index, source in enumerate(sources, start=1):
        assert f"[{index}/{len(sources)}] crawling {source}…" in err
    table = {line.split()[0]: line.split() for line in out.splitlines()[1 : 1 + len(sources)]}
    assert out.splitlines()[0].split() == ["SOURCE", "STATUS", "ITEMS", "NEW", "CHANGED", "ERRORS", "REJECTED"]
    assert set(table) == set(sources)
    assert table["openrouter"][1:6] == ["success", "345", "345", "0", "0"]
    with engine.connect() as conn:
        repos = conn.execute(text("SELECT count(*) FROM hf_repos")).scalar_one()
        both = conn.execute(
            text("SELECT count(*) FROM current_models WHERE listed_on_openrouter AND listed_on_huggingface")
        ).scalar_one()
    assert table["huggingface"][1:3] == ["success", str(repos)] and repos == len(hub_details(corpus))
    assert both > 0  # the two sources meet in one table

    # the site
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    assert (site / model_path("qwen/qwen3-max") / "index.html").is_file()
    assert f"site: {len(list(site.rglob('*.html')))} pages" in out

    # this week's issue: the digest of the last complete ISO week, archived
    week = last_complete_week(dt.datetime.now(dt.UTC), dt.UTC).label
    folder = tmp_path / "newsletter" / week
    assert {p.name for p in folder.iterdir()} >= {"subject.txt", "email.html", "email.txt", "data.json"}
    assert f"newsletter: {week}:" in out

    [whole] = runs_of(sessions, "run")
    assert whole.status == "success" and whole.finished_at is not None
    assert [s["source"] for s in whole.counts["sources"]] == sources
    assert [r.status for r in runs_of(sessions, "site")] == ["success"]
    assert [r.status for r in runs_of(sessions, "newsletter-build")] == ["success"]

    # no network: every source fails with a clear message, and the site and issue are built from what is stored
    stored = data_counts(engine)
    offline = dataclasses.replace(
        settings,
        openrouter=dataclasses.replace(settings.openrouter, url=f"http://127.0.0.1:{closed_port()}/api/v1"),
        huggingface=dataclasses.replace(settings.huggingface, url=f"http://127.0.0.1:{closed_port()}"),
    )
    config = write_config(offline, tmp_path / "offline.toml")
    (site / "index.html").unlink()
    code, out, err = run(config, capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[1].split()[:2] == ["openrouter", "failed"] and lines[2].split()[:2] == ["huggingface", "failed"]
    assert "openrouter: http://127.0.0.1:" in out and "unreachable" in out and "Connection refused" in out
    assert "no source could be reached (no network?)" in out
    assert (site / "index.html").is_file() and "site: " in out and "failed" not in out.split("site: ")[1]
    assert f"newsletter: {week}:" in out
    assert data_counts(engine) == stored  # nothing lost, nothing delisted
    assert [r.status for r in runs_of(sessions, "run")] == ["success", "partial"]


def test_tracker_run_json(corpus, served, sched_settings, tmp_path, capsys):
    config = write_config(sched_settings, tmp_path / "tracker.toml")
    code, out, err = run(config, capsys, "--json")
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert summary["status"] == "success"
    [openrouter] = [s for s in summary["sources"] if s["source"] == "openrouter"]
    assert openrouter == {
        "source": "openrouter",
        "status": "success",
        "items": 345,
        "new": 345,
        "changed": 0,
        "delisted": 0,
        "errors": 0,
        "rejected": 0,
        "message": None,
        "run_id": openrouter["run_id"],
    }
    assert summary["site"]["status"] == "success" and summary["site"]["details"]["pages"] > 300
    assert summary["newsletter"]["details"]["issue"]["week"]
    assert summary["newsletter"]["details"]["send"] is None


def test_a_job_another_process_is_running_is_skipped_and_says_who(served, sched_settings, engine, tmp_path, capsys):
    config = write_config(sched_settings, tmp_path / "tracker.toml")
    daemon = LockManager(engine, trigger="schedule", token="daemon")
    with daemon.held("crawl:openrouter") as outcome:
        assert outcome.acquired
        code, out, _ = run(config, capsys)
    assert code == 0
    assert out.splitlines()[1].split()[:2] == ["openrouter", "skipped"]
    assert "already running elsewhere (crawl:openrouter: held by pid" in out and "(schedule)" in out
    assert (tmp_path / "site" / "index.html").is_file()  # the rest went on


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def inbox():
    for _ in range(5):
        box = Inbox()
        controller = Controller(box, hostname="127.0.0.1", port=closed_port())
        try:
            controller.start()
        except (OSError, RuntimeError):
            continue
        box.port = controller.port
        yield box
        controller.stop()
        return
    raise RuntimeError("cannot start the test SMTP server")


def test_the_issue_is_sent_only_with_send_and_only_once(served, sched_settings, sessions, inbox, tmp_path, capsys):
    settings = dataclasses.replace(
        sched_settings,
        smtp=SmtpSettings(host="127.0.0.1", port=inbox.port, mail_from="tracker <news@tracker.example.org>"),
        newsletter=dataclasses.replace(sched_settings.newsletter, unsubscribe_secret="a-test-secret"),
    )
    with sessions.begin() as session:
        subscribers.add(session, ["reader@example.org"], confirmed=True)
    config = write_config(settings, tmp_path / "tracker.toml")

    code, out, _ = run(config, capsys)
    assert code == 0 and inbox.messages == [] and "; sent " not in out

    code, out, _ = run(config, capsys, "--send")
    assert code == 0, out
    [(recipients, message)] = inbox.messages
    assert recipients == ["reader@example.org"]
    assert "tracker weekly" in message["Subject"]
    assert "sent 1, already sent 0, failed 0" in out

    code, out, _ = run(config, capsys, "--send")
    assert code == 0 and len(inbox.messages) == 1
    assert "sent 0, already sent 1" in out
    with sessions() as session:
        assert session.scalars(select(Delivery.status)).all() == ["sent"]
