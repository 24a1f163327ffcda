"""The commands as a user runs them: tracker subscribers … and tracker newsletter …"""

import json

import pytest
from nl_data import fixed_week
from nl_smtp import MAIL_FROM, SECRET, SITE, UNSUBSCRIBE

from tracker.cli import main
from tracker.deliver.tokens import make_token


@pytest.fixture
def env(monkeypatch, db_url, tmp_path, smtp_server):
    for name, value in {
        "TRACKER_DATABASE_URL": db_url,
        "TRACKER_NEWSLETTER_DIR": str(tmp_path / "archive"),
        "TRACKER_UNSUBSCRIBE_SECRET": SECRET,
        "TRACKER_UNSUBSCRIBE_URL": UNSUBSCRIBE,
        "TRACKER_SITE_URL": SITE,
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(smtp_server.port),
        "TRACKER_MAIL_FROM": MAIL_FROM,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_subscriber_lifecycle(env, capsys):
    code, out, _ = run(capsys, "subscribers", "add", "Ada@Example.org", "bob@example.com")
    assert code == 0 and "ada@example.org: added (pending)" in out
    code, out, _ = run(capsys, "subscribers", "add", "--confirmed", "bob@example.com", "--json")
    assert json.loads(out) == [{"email": "bob@example.com", "before": "pending", "after": "confirmed", "changed": True}]
    assert run(capsys, "subscribers", "confirm", "ada@example.org")[1].strip() == "ada@example.org: pending → confirmed"
    code, out, _ = run(capsys, "subscribers", "list", "--json")
    assert [(s["email"], s["status"]) for s in json.loads(out)] == [
        ("ada@example.org", "confirmed"),
        ("bob@example.com", "confirmed"),
    ]
    # One-click unsubscribe with the signed token from a message's link.
    token = make_token(SECRET, "bob@example.com")
    assert "bob@example.com: confirmed → unsubscribed" in run(capsys, "subscribers", "remove", "--token", token)[1]
    forged = make_token("another-secret", "ada@example.org")
    code, _, err = run(capsys, "subscribers", "remove", "--token", forged)
    assert code == 2 and "invalid unsubscribe token" in err
    confirm_token = make_token(SECRET, "ada@example.org", purpose="confirm")
    code, _, err = run(capsys, "subscribers", "remove", "--token", confirm_token)
    assert code == 2, "a confirmation token must not unsubscribe"
    code, out, _ = run(capsys, "subscribers", "list", "--status", "confirmed")
    assert [line.split()[0] for line in out.splitlines()[:-1]] == ["ada@example.org"]
    assert out.splitlines()[-1] == "0 pending, 1 confirmed, 1 unsubscribed"
    # Adding an unsubscribed address again re-subscribes it (pending until confirmed).
    assert "bob@example.com: unsubscribed → pending" in run(capsys, "subscribers", "add", "bob@example.com")[1]
    code, out, _ = run(capsys, "subscribers", "remove", "nobody@example.org")
    assert code == 1 and "not a subscriber" in out


def test_invalid_addresses_change_nothing(env, capsys, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("# readers\nok@example.org\nnot-an-address\n")
    code, _, err = run(capsys, "subscribers", "add", "--file", str(path))
    assert code == 2 and "not-an-address" in err
    code, out, _ = run(capsys, "subscribers", "list", "--json")
    assert json.loads(out) == []
    code, _, err = run(capsys, "subscribers", "add", "x@example.org\r\nBcc: y@example.org")
    assert code == 2 and "line breaks" in err


def test_build_list_and_send(env, capsys, sessions):
    with sessions.begin() as session:
        fixed_week(session)
    run(capsys, "subscribers", "add", "--confirmed", "ada@example.org", "bob@example.com")
    code, out, _ = run(capsys, "newsletter", "build", "--week", "2026-W12", "--json")
    built = json.loads(out)
    assert code == 0 and built["week"] == "2026-W12" and built["items"] == 16 and built["written"]
    assert (env / "archive" / "2026-W12" / "email.html").is_file()
    code, out, _ = run(capsys, "newsletter", "send", "--week", "2026-W12", "--dry-run", str(env / "outbox"))
    assert code == 0 and "2 .eml file(s) written" in out
    code, out, _ = run(capsys, "newsletter", "send", "--week", "2026-W12")
    assert code == 0 and "sent 2, already sent before 0, failed 0" in out and "(1 SMTP connection)" in out
    code, out, _ = run(capsys, "newsletter", "send", "--week", "2026-W12", "--json")
    assert json.loads(out)["skipped"] == 2 and json.loads(out)["sent"] == 0
    code, out, _ = run(capsys, "newsletter", "build", "--week", "2026-W12")
    assert "kept as sent" in out
    code, out, _ = run(capsys, "newsletter", "list", "--json")
    [issue] = json.loads(out)
    assert issue["week"] == "2026-W12" and issue["deliveries"] == {"sent": 2}
    code, out, _ = run(capsys, "newsletter", "send", "--week", "2026-W99")
    assert code == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["newsletter", "--help"],
        ["newsletter", "build", "--help"],
        ["newsletter", "send", "--help"],
        ["newsletter", "list", "--help"],
        ["subscribers", "--help"],
        ["subscribers", "add", "--help"],
        ["subscribers", "confirm", "--help"],
        ["subscribers", "remove", "--help"],
        ["subscribers", "list", "--help"],
    ],
)
def test_every_command_has_help(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    assert "usage: tracker" in capsys.readouterr().out
