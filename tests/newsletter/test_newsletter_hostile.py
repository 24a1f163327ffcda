"""Hostile text from sources: escaped in HTML, harmless in the text part and in headers."""

import email
import email.policy
from html.parser import HTMLParser

import pytest
from nl_data import NOW, WEEK, hostile_week
from nl_smtp import newsletter_settings

from tracker.deliver.errors import AddressError
from tracker.deliver.message import MessageTemplate, parse_sender
from tracker.deliver.subscribers import normalize_address
from tracker.newsletter.build import build_issue


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def hostile_issue(sessions, db_url, tmp_path):
    with sessions.begin() as session:
        hostile_week(session)
    return build_issue(sessions, newsletter_settings(db_url, tmp_path), WEEK, now=NOW)


def test_html_escapes_tags_attributes_and_javascript_links(hostile_issue):
    html = (hostile_issue.path / "email.html").read_text()
    parser = Tags()
    parser.feed(html)
    names = [tag for tag, _ in parser.tags]
    assert "script" not in names and "svg" not in names and "img" not in names and "i" not in names
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        href = (attrs.get("href") or "").strip().lower()
        if href:
            assert href.startswith("https://"), href
    # The text is still there for the reader to see, as text.
    text = " ".join(parser.text)
    assert '<script>alert("name")</script>' in text
    assert 'open" onclick="alert(3)' in text
    assert "<svg onload=alert(8)>" in text
    assert "javascript:alert(6)" not in html.lower()  # a non-http(s) source link is dropped, not linked


def test_text_part_keeps_hostile_text_on_one_line(hostile_issue):
    text = (hostile_issue.path / "email.txt").read_text()
    lines = text.splitlines()
    assert not [line for line in lines if line.startswith(("Bcc:", "X-Injected", "Unsubscribe: https://phish"))]
    [line] = [line for line in lines if "alert(5)" in line]
    assert "Unsubscribe: https://phish.example/" in line  # the fake footer stays inside the quote's line
    assert "javascript:" not in text.lower().replace("javascript:alert(4)", "")  # only inside the source's name
    assert text.splitlines()[-1].startswith("Unsubscribe: https://tracker.example.org/unsubscribe")


def test_subject_and_headers_cannot_be_injected(hostile_issue):
    subject = (hostile_issue.path / "subject.txt").read_text()
    assert subject.count("\n") == 1 and "Bcc" not in subject
    template = MessageTemplate(
        sender=parse_sender("tracker <news@tracker.example.org>"),
        subject="Week\r\nBcc: victim@example.com\nX-Evil: 1",
        text="t LINK",
        html_body="<p>LINK</p>",
        link_placeholder="LINK",
        date=NOW,
        list_id="weekly.tracker.example.org",
    )
    link = "https://tracker.example.org/unsubscribe?token=abc"
    raw = template.render("reader@example.org", link, "<x@tracker.example.org>")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Week Bcc: victim@example.com X-Evil: 1"
    assert parsed["To"] == "reader@example.org" and parsed["List-Unsubscribe"] == f"<{link}>"
    # Substituted values are checked before they go into the headers.
    for recipient, url, msg_id in (
        ("reader@example.org\r\nBcc: v@example.com", link, "<x@t.example.org>"),
        ("reader@example.org", "https://x.example/u>\r\nBcc: v@example.com", "<x@t.example.org>"),
        ("reader@example.org", "javascript:alert(1)", "<x@t.example.org>"),
        ("reader@example.org", link, "<x@t.example.org>\r\nBcc: v@example.com"),
    ):
        with pytest.raises(ValueError):
            template.render(recipient, url, msg_id)


@pytest.mark.parametrize(
    "address",
    ["victim@example.com\r\nBcc: other@example.com", "a@example.com>, b@example.com", "<a@example.com>", "a@b"],
)
def test_recipient_addresses_that_could_inject_are_refused(address):
    with pytest.raises(AddressError):
        normalize_address(address)
