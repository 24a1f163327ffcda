"""Sending through a real SMTP server on loopback (aiosmtpd), parsed with the email package."""

import dataclasses
import email
import email.policy
import ssl
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.smtp import AuthResult
from nl_data import NOW, WEEK, fixed_week
from nl_smtp import SITE, UNSUBSCRIBE, Recorder, newsletter_settings, self_signed_cert, start_smtp
from sqlalchemy import select

from tracker.config import NewsletterSettings
from tracker.deliver import subscribers
from tracker.deliver.errors import DeliveryError
from tracker.deliver.tokens import read_token
from tracker.newsletter.send import send_issue
from tracker.store.tables import Run
from tracker.store.tables.newsletter import Delivery

READERS = ["ada@example.org", "bob@example.com", "cy@example.net"]


def subscribe(sessions, addresses, confirmed=True):
    with sessions.begin() as session:
        subscribers.add(session, addresses, confirmed=confirmed)


def deliveries(sessions):
    with sessions() as session:
        return {d.email: d for d in session.scalars(select(Delivery))}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


@pytest.fixture
def week_db(sessions):
    with sessions.begin() as session:
        fixed_week(session)
    return sessions


def test_each_confirmed_subscriber_gets_one_multipart_message_with_working_links(week_db, nl_settings, smtp_server):
    sessions = week_db
    subscribe(sessions, READERS)
    subscribe(sessions, ["pending@example.org"], confirmed=False)
    subscribe(sessions, ["gone@example.org"])
    with sessions.begin() as session:
        subscribers.unsubscribe(session, ["gone@example.org"])

    result = send_issue(sessions, nl_settings, WEEK, now=NOW)

    assert (result.sent, result.skipped, result.failed, result.uncertain) == (3, 0, 0, 0)
    received = smtp_server.handler.messages
    assert sorted(m.rcpt_tos[0] for m in received) == sorted(READERS)
    assert result.connections == 1 and len({m.session for m in received}) == 1  # one connection for all
    message_ids = set()
    for item in received:
        msg = item.message
        recipient = item.rcpt_tos[0]
        assert item.mail_from == "news@tracker.example.org"
        assert msg["To"] == recipient
        assert msg["From"] == "tracker weekly <news@tracker.example.org>"
        assert msg["Subject"].startswith("tracker weekly 2026-W12: 4 new models")
        assert msg.get_content_type() == "multipart/alternative"
        parts = list(msg.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
        text, html = parts[0].get_content(), parts[1].get_content()
        assert "input: $1.20 -> $0.78 per 1M tokens (−35%)" in text
        # One-click unsubscribe (RFC 8058): a signed link naming this recipient, in the headers and both parts.
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = msg["List-Unsubscribe"].strip("<>")
        assert link.startswith(UNSUBSCRIBE + "?token=")
        token = parse_qs(urlsplit(link).query)["token"][0]
        assert read_token("test-secret-for-links", token) == recipient
        assert f"Unsubscribe: {link}" in text
        links = Links()
        links.feed(html)
        assert link in links.hrefs
        assert "tracker-unsubscribe-" not in text + html  # no placeholder left
        # Every other link points at a page of the site.
        site_links = [h for h in links.hrefs if h != link and not h.startswith("https://example-news.com/")]
        assert site_links and all(h.startswith(SITE) for h in site_links)
        assert SITE + "models/qwen/qwen3-max/" in links.hrefs
        message_ids.add(msg["Message-ID"])
    assert len(message_ids) == 3

    rows = deliveries(sessions)
    assert set(rows) == set(READERS)
    assert all(r.status == "sent" and r.attempts == 1 and r.smtp_code == 250 and r.sent_at for r in rows.values())
    with sessions() as session:
        run = session.scalars(select(Run).where(Run.job == "newsletter-send")).one()
    assert run.status == "success" and run.counts["sent"] == 3


def test_sending_again_sends_nothing_twice_and_new_subscribers_get_theirs(week_db, nl_settings, smtp_server):
    sessions = week_db
    subscribe(sessions, READERS)
    send_issue(sessions, nl_settings, WEEK, now=NOW)
    again = send_issue(sessions, nl_settings, WEEK, now=NOW)
    assert (again.sent, again.skipped, again.connections) == (0, 3, 0)
    subscribe(sessions, ["late@example.org"])
    third = send_issue(sessions, nl_settings, WEEK, now=NOW)
    assert (third.sent, third.skipped) == (1, 3)
    counts = {}
    for m in smtp_server.handler.messages:
        counts[m.rcpt_tos[0]] = counts.get(m.rcpt_tos[0], 0) + 1
    assert counts == {address: 1 for address in [*READERS, "late@example.org"]}


def test_transient_failures_are_retried_a_bounded_number_of_times(week_db, nl_settings, smtp_server):
    sessions = week_db
    subscribe(sessions, READERS)
    handler = smtp_server.handler
    handler.rcpt_replies["ada@example.org"] = ["451 4.7.1 Greylisted, try again"]
    handler.data_replies["bob@example.com"] = ["452 4.3.1 Insufficient storage"] * 5
    handler.rcpt_replies["cy@example.net"] = ["550 5.1.1 No such user"]

    result = send_issue(sessions, nl_settings, WEEK, now=NOW)

    assert (result.sent, result.failed) == (1, 2)
    rows = deliveries(sessions)
    assert (rows["ada@example.org"].status, rows["ada@example.org"].attempts) == ("sent", 2)
    bob = rows["bob@example.com"]
    assert (bob.status, bob.attempts, bob.smtp_code) == ("failed", 3, 452)  # smtp.max_attempts = 3
    assert "Insufficient storage" in bob.last_error
    cy = rows["cy@example.net"]
    assert (cy.status, cy.attempts, cy.smtp_code) == ("failed", 1, 550) and "No such user" in cy.last_error
    assert [m.rcpt_tos[0] for m in handler.messages] == ["ada@example.org"]
    assert any("cy@example.net" in e and "550" in e for e in result.errors)
    # Failed rows are not retried by later runs: the attempt limit is per recipient and issue.
    handler.data_replies.clear()
    assert send_issue(sessions, nl_settings, WEEK, now=NOW).sent == 0


def test_a_subscriber_who_unsubscribes_before_their_turn_is_not_sent(week_db, nl_settings, smtp_server):
    sessions = week_db
    subscribe(sessions, READERS)

    def unsubscribe_cy(count):
        if count == 1:
            with sessions.begin() as session:
                subscribers.unsubscribe(session, ["cy@example.net"])

    smtp_server.handler.on_message = unsubscribe_cy
    result = send_issue(sessions, nl_settings, WEEK, now=NOW)
    assert (result.sent, result.cancelled) == (2, 1)
    assert deliveries(sessions)["cy@example.net"].status == "cancelled"
    assert not smtp_server.handler.to("cy@example.net")


def test_dry_run_writes_eml_files_and_changes_nothing(week_db, nl_settings, smtp_server, tmp_path):
    sessions = week_db
    subscribe(sessions, READERS)
    out = tmp_path / "outbox"
    result = send_issue(sessions, nl_settings, WEEK, dry_run_dir=out, now=NOW)
    files = sorted(out.glob("*.eml"))
    assert result.dry_run and result.written == 3 and len(files) == 3
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert sorted(m["To"] for m in parsed) == sorted(READERS)
    assert all(m.get_content_type() == "multipart/alternative" and m["List-Unsubscribe"] for m in parsed)
    assert smtp_server.handler.messages == [] and deliveries(sessions) == {}
    # The real send afterwards still reaches everyone.
    assert send_issue(sessions, nl_settings, WEEK, now=NOW).sent == 3


def test_the_issue_sent_is_the_archived_one_even_if_the_data_changes(week_db, nl_settings, smtp_server):
    sessions = week_db
    subscribe(sessions, ["ada@example.org"])
    send_issue(sessions, nl_settings, WEEK, now=NOW)
    from nl_data import add_model, at

    with sessions.begin() as session:
        add_model(session, "late/model", first_seen=at(22), name="Late Model")
    from tracker.newsletter.build import build_issue

    rebuilt = build_issue(sessions, nl_settings, WEEK, now=NOW)
    assert rebuilt.frozen and not rebuilt.written
    subscribe(sessions, ["bob@example.com"])
    send_issue(sessions, nl_settings, WEEK, now=NOW)
    first, second = (m.message.get_body(("plain",)).get_content() for m in smtp_server.handler.messages)
    assert "Late Model" not in second
    assert first.split("Unsubscribe:")[0] == second.split("Unsubscribe:")[0]


def test_the_default_secret_is_refused_for_real_sends(week_db, nl_settings):
    subscribe(week_db, READERS)
    unsafe = dataclasses.replace(
        nl_settings, newsletter=NewsletterSettings(archive_dir=nl_settings.newsletter.archive_dir)
    )
    with pytest.raises(DeliveryError, match="TRACKER_UNSUBSCRIBE_SECRET"):
        send_issue(week_db, unsafe, WEEK, now=NOW)


def test_an_unreachable_server_is_one_clear_error_and_loses_nothing(week_db, db_url, tmp_path):
    from nl_smtp import free_port

    subscribe(week_db, READERS)
    settings = newsletter_settings(db_url, tmp_path, free_port())
    with pytest.raises(DeliveryError, match=r"cannot use SMTP server 127\.0\.0\.1") as info:
        send_issue(week_db, settings, WEEK, now=NOW)
    assert "3 still to send" in str(info.value)
    assert {r.status for r in deliveries(week_db).values()} == {"pending"}
    with week_db() as session:
        assert session.scalars(select(Run.status).where(Run.job == "newsletter-send")).one() == "failed"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(security, week_db, db_url, tmp_path):
    cert, key = self_signed_cert(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password, session.ssl is not None))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    options = {"authenticator": authenticator}
    if security == "starttls":
        options.update(tls_context=server_ctx, require_starttls=True, auth_require_tls=True)
    else:  # implicit TLS: aiosmtpd does not see the socket's TLS, so it may offer AUTH anyway
        options.update(ssl_context=server_ctx, auth_require_tls=False)
    server = start_smtp(Recorder(), **options)
    try:
        subscribe(week_db, READERS)
        settings = newsletter_settings(
            db_url, tmp_path, server.port, security=security, user="mailer", password="s3cret", ca_file=str(cert)
        )
        result = send_issue(week_db, settings, WEEK, now=NOW)
        assert result.sent == 3 and result.connections == 1
        assert [(login, password) for login, password, _tls in logins] == [(b"mailer", b"s3cret")]
        if security == "starttls":
            assert logins[0][2], "the login came before STARTTLS"
        wrong = dataclasses.replace(settings, smtp=dataclasses.replace(settings.smtp, password="nope"))
        subscribe(week_db, ["late@example.org"])
        with pytest.raises(DeliveryError, match="refused the login"):
            send_issue(week_db, wrong, WEEK, now=NOW)
        untrusted = dataclasses.replace(settings, smtp=dataclasses.replace(settings.smtp, ca_file=None))
        with pytest.raises(DeliveryError, match="certificate verify failed"):
            send_issue(week_db, untrusted, WEEK, now=NOW)
    finally:
        server.controller.stop()


def test_a_password_is_never_sent_unencrypted_to_a_remote_server(week_db, db_url, tmp_path):
    subscribe(week_db, READERS)
    settings = newsletter_settings(db_url, tmp_path, 25, user="mailer", password="x")
    settings = dataclasses.replace(settings, smtp=dataclasses.replace(settings.smtp, host="mail.example.org"))
    with pytest.raises(DeliveryError, match="unencrypted"):
        send_issue(week_db, settings, WEEK, now=NOW)


def test_lines_starting_with_a_dot_and_long_links_arrive_intact(smtp_server):
    from tracker.config import SmtpSettings
    from tracker.deliver.message import MessageTemplate, parse_sender
    from tracker.deliver.smtp import SmtpSender

    body = "first\n.\n..two dots\n.hidden line\nUnsubscribe: LINK\n" + "é" * 300 + "\nlast"
    html = "<p>" + "x" * 500 + '<a href="LINK">Unsubscribe</a> · .</p>'
    template = MessageTemplate(
        sender=parse_sender("t <t@tracker.example.org>"),
        subject="dots",
        text=body,
        html_body=html,
        link_placeholder="LINK",
        date=NOW,
        list_id="l.example.org",
    )
    link = "https://tracker.example.org/u?list=weekly&token=" + "A" * 150
    raw = template.render("ada@example.org", link, "<dots@tracker.example.org>")
    assert max(len(line) for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n")) <= 76  # QP line limit
    with SmtpSender(SmtpSettings(host="127.0.0.1", port=smtp_server.port, timeout_seconds=5)) as sender:
        code, _ = sender.send("t@tracker.example.org", "ada@example.org", raw)
        code2, _ = sender.send("t@tracker.example.org", "ada@example.org", raw)
    assert code == code2 == 250 and sender.connections == 1
    received = smtp_server.handler.messages[0].message
    text_part = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html_part = received.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text_part == body.replace("LINK", link)
    assert html_part == html.replace("LINK", link.replace("&", "&amp;"))


def test_unsubscribe_tokens_cannot_be_forged_or_reused_for_another_address():
    from tracker.deliver.errors import TokenError
    from tracker.deliver.tokens import link, make_token

    token = make_token("k", "ada@example.org")
    assert read_token("k", token) == "ada@example.org"
    payload, signature = token.split(".")
    other = make_token("k", "bob@example.com").split(".")[0]
    for bad in (f"{other}.{signature}", token[:-2], "garbage", f"{payload}.", make_token("k2", "ada@example.org")):
        with pytest.raises(TokenError):
            read_token("k", bad)
    assert link("https://x.example/u?list=weekly", "k", "ada@example.org").startswith(
        "https://x.example/u?list=weekly&token="
    )


def test_dot_stuffing_and_line_ends():
    from tracker.deliver.smtp import dot_stuff

    assert dot_stuff(b".a\r\nb\n.c\r.d") == b"..a\r\nb\r\n..c\r\n..d\r\n.\r\n"
    assert dot_stuff(b"x\r\n") == b"x\r\n.\r\n"


def test_a_connection_lost_after_the_message_is_uncertain_and_not_resent_unless_asked(
    week_db, nl_settings, smtp_server
):
    sessions = week_db
    subscribe(sessions, READERS)
    smtp_server.handler.data_replies["bob@example.com"] = ["DROP"]
    result = send_issue(sessions, nl_settings, WEEK, now=NOW)
    assert (result.sent, result.uncertain, result.failed) == (2, 1, 0)
    assert result.connections == 2  # reconnected for the next recipient
    assert any(e.startswith("uncertain: bob@example.com") for e in result.errors)
    assert deliveries(sessions)["bob@example.com"].status == "uncertain"
    assert len(smtp_server.handler.to("bob@example.com")) == 1  # the server did get it
    again = send_issue(sessions, nl_settings, WEEK, now=NOW)
    assert (again.sent, again.uncertain) == (0, 1)
    forced = send_issue(sessions, nl_settings, WEEK, now=NOW, resend_uncertain=True)
    assert (forced.sent, forced.uncertain) == (1, 0)
    assert len(smtp_server.handler.to("bob@example.com")) == 2  # only when asked for
