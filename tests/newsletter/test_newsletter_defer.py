"""A server-wide SMTP refusal defers the whole send; the next send serves every owed recipient exactly once."""

import pytest
from nl_data import NOW, WEEK, fixed_week
from sqlalchemy import select, update

from tracker.cli import main
from tracker.deliver import subscribers
from tracker.newsletter.send import SendDeferred, retryable, send_issue
from tracker.store.tables import Run
from tracker.store.tables.newsletter import Delivery

READERS = [f"reader{i:02d}@example.org" for i in range(50)]
GONE = "reader03@example.org"


@pytest.fixture
def week_db(sessions):
    with sessions.begin() as session:
        fixed_week(session)
        subscribers.add(session, READERS, confirmed=True)
    return sessions


def statuses(sessions):
    with sessions() as session:
        return {d.email: d.status for d in session.scalars(select(Delivery))}


def test_a_451_to_mail_from_defers_and_the_next_send_serves_everyone_once(week_db, nl_settings, smtp_server):
    handler = smtp_server.handler
    handler.rcpt_replies[GONE] = ["550 5.1.1 No such user"]

    def refuse_after_ten(count: int) -> None:
        if count == 11:  # the server starts refusing every sender after ten messages
            handler.mail_replies.extend(["451 4.3.0 Temporary server error"] * 10)

    handler.on_mail = refuse_after_ten
    with pytest.raises(SendDeferred, match="deferred, 40 owed") as info:
        send_issue(week_db, nl_settings, WEEK, now=NOW)
    assert "1 failed for good" in str(info.value) and "451" in str(info.value)
    first = statuses(week_db)
    assert sum(1 for s in first.values() if s == "sent") == 9
    assert first[GONE] == "failed"  # refused for that recipient: stays failed
    assert sum(1 for s in first.values() if s == "pending") == 40  # nobody failed for the server's trouble
    with week_db() as session:
        run = session.scalars(select(Run).where(Run.job == "newsletter-send")).one()
        assert run.status == "failed" and "451" in run.error_message
    # the server recovers
    handler.mail_replies.clear()
    handler.on_mail = None
    again = send_issue(week_db, nl_settings, WEEK, now=NOW)
    assert (again.sent, again.skipped, again.failed, again.pending) == (40, 9, 0, 0)
    for reader in READERS:
        assert len(handler.to(reader)) == (0 if reader == GONE else 1), reader
    assert statuses(week_db)[GONE] == "failed"


def test_rows_failed_for_a_server_reason_are_owed_and_resumed(week_db, nl_settings, smtp_server):
    assert send_issue(week_db, nl_settings, WEEK, now=NOW).sent == 50
    # as an older version left them: failed after three MAIL FROM refusals
    with week_db.begin() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.email.in_(READERS[:5]))
            .values(status="failed", smtp_code=451, last_error="refused: MAIL FROM: 451 4.3.0 try later", sent_at=None)
        )
    again = send_issue(week_db, nl_settings, WEEK, now=NOW)
    assert again.sent == 5
    assert all(len(smtp_server.handler.to(r)) == (2 if r in READERS[:5] else 1) for r in READERS)


@pytest.mark.parametrize(
    ("status", "code", "error", "owed"),
    [
        ("failed", 451, "refused: MAIL FROM: 451 4.3.0 try later", True),
        ("failed", 421, "refused: RCPT TO: 421 closing", True),
        ("failed", None, "connection lost before the message: [Errno 104]", True),
        ("failed", 550, "refused: MAIL FROM: 550 sender rejected", False),
        ("failed", 550, "refused: RCPT TO: 550 5.1.1 No such user", False),
        ("failed", 452, "DATA: 452 4.3.1 Insufficient storage", False),
        ("sent", 451, "refused: MAIL FROM: 451", False),
    ],
)
def test_which_failed_rows_are_owed(status, code, error, owed):
    assert retryable(status, code, error) is owed


def test_the_cli_exits_non_zero_with_what_is_owed(week_db, nl_settings, smtp_server, tmp_path, capsys, monkeypatch):
    smtp_server.handler.mail_replies.extend(["421 4.3.2 Service shutting down"] * 10)
    s = nl_settings
    config = tmp_path / "tracker.toml"
    config.write_text(
        f"""database_url = "{s.database_url}"
[newsletter]
archive_dir = "{s.newsletter.archive_dir}"
unsubscribe_secret = "{s.newsletter.unsubscribe_secret}"
unsubscribe_url = "{s.newsletter.unsubscribe_url}"
[site]
base_url = "{s.site.base_url}"
[smtp]
host = "127.0.0.1"
port = {s.smtp.port}
mail_from = "{s.smtp.mail_from}"
retry_delay_seconds = 0
""",
        encoding="utf-8",
    )
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    code = main(["--config", str(config), "newsletter", "send", "--week", WEEK])
    err = capsys.readouterr().err
    assert code == 2 and "deferred, 50 owed" in err and len(err.strip().splitlines()) == 1
    assert set(statuses(week_db).values()) == {"pending"}
