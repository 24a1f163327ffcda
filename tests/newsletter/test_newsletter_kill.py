"""A sender killed mid-run (SIGKILL, a real process) and started again delivers to each recipient exactly once."""

import os
import signal
import subprocess
import sys
import threading

import pytest
from nl_data import NOW, WEEK, fixed_week
from nl_smtp import MAIL_FROM, SECRET, SITE, UNSUBSCRIBE, newsletter_settings
from sqlalchemy import select

from tracker.deliver import subscribers
from tracker.newsletter.build import build_issue
from tracker.store.tables import Run
from tracker.store.tables.newsletter import Delivery

RECIPIENTS = [f"reader{i:02d}@example.org" for i in range(1, 11)]


def sender_command(db_url, tmp_path, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        TRACKER_DATABASE_URL=db_url,
        TRACKER_SMTP_HOST="127.0.0.1",
        TRACKER_SMTP_PORT=str(port),
        TRACKER_MAIL_FROM=MAIL_FROM,
        TRACKER_NEWSLETTER_DIR=str(tmp_path / "archive"),
        TRACKER_UNSUBSCRIBE_SECRET=SECRET,
        TRACKER_UNSUBSCRIBE_URL=UNSUBSCRIBE,
        TRACKER_SITE_URL=SITE,
    )
    return [sys.executable, "-m", "tracker", "newsletter", "send", "--week", WEEK], env


@pytest.fixture
def ready(sessions, db_url, tmp_path):
    with sessions.begin() as session:
        fixed_week(session)
        subscribers.add(session, RECIPIENTS, confirmed=True)
    build_issue(sessions, newsletter_settings(db_url, tmp_path), WEEK, now=NOW)
    return sessions


@pytest.mark.slow
@pytest.mark.parametrize(
    "moment",
    [
        "awaiting-the-reply-to-message-4",  # the server has message 4, the sender never hears its 250
        "before-message-5-begins",  # message 4 fully acknowledged, message 5's MAIL FROM just sent
    ],
)
def test_killed_sender_restarted_delivers_exactly_once(moment, ready, db_url, tmp_path, smtp_server):
    sessions = ready
    handler = smtp_server.handler
    command, env = sender_command(db_url, tmp_path, smtp_server.port)
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = threading.Event()

    def kill() -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        killed.set()

    if moment.startswith("awaiting"):
        handler.on_message = lambda count: kill() if count == 4 else None
    else:
        handler.on_mail = lambda count: kill() if count == 5 else None
    try:
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed.wait(timeout=30) and proc.returncode == -signal.SIGKILL
    handler.on_message = handler.on_mail = None
    assert len(handler.messages) == 4

    with sessions() as session:
        states = sorted(session.scalars(select(Delivery.status)))
    if moment.startswith("awaiting"):
        assert states.count("sent") == 3 and states.count("sending") == 1  # the 4th: maybe delivered
    else:
        assert states.count("sent") == 4 and "sending" not in states

    rerun = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    per_recipient = {r: len(handler.to(r)) for r in RECIPIENTS}
    assert per_recipient == dict.fromkeys(RECIPIENTS, 1)

    with sessions() as session:
        rows = {d.email: d.status for d in session.scalars(select(Delivery))}
        runs = session.scalars(select(Run).where(Run.job == "newsletter-send").order_by(Run.id)).all()
    assert [r.status for r in runs] == ["failed", "success"]
    assert runs[0].error_message == "the sending process died"
    if moment.startswith("awaiting"):
        # Not resent: it may have arrived (here it did). Reported, never duplicated.
        assert list(rows.values()).count("uncertain") == 1
        assert list(rows.values()).count("sent") == 9
        assert "sent 6, already sent before 3" in rerun.stdout
        assert "may or may not have arrived" in rerun.stdout
    else:
        assert set(rows.values()) == {"sent"}
        assert "sent 6, already sent before 4" in rerun.stdout

    # A third run has nothing left to do.
    third = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and "sent 0" in third.stdout
    assert len(handler.messages) == 10
