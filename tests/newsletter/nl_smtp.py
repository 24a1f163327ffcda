"""A real SMTP server on loopback (aiosmtpd) that records what arrives, and newsletter settings for tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tracker.config import NewsletterSettings, Settings, SiteSettings, SmtpSettings

SITE = "https://tracker.example.org/"
UNSUBSCRIBE = "https://tracker.example.org/unsubscribe"
SECRET = "test-secret-for-links"
MAIL_FROM = "tracker weekly <news@tracker.example.org>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage | None
    raw: bytes
    session: int


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every accepted message and can script replies."""

    messages: list[Received] = field(default_factory=list)
    #: recipient → replies to give to RCPT TO, in order (then 250).
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    #: recipient → replies to give after DATA, in order (then 250); ``DROP`` keeps the message and hangs up.
    data_replies: dict[str, list[str]] = field(default_factory=dict)
    #: replies to give to MAIL FROM, in order (then 250): a server-wide refusal.
    mail_replies: list[str] = field(default_factory=list)
    #: called with the count of MAIL FROM commands seen, before replying.
    on_mail: Callable[[int], None] | None = None
    #: called with the number of messages received so far, before replying 250.
    on_message: Callable[[int], None] | None = None
    mails: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        with self.lock:
            self.mails += 1
            count = self.mails
        if self.on_mail is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_mail, count)
        with self.lock:
            scripted = self.mail_replies.pop(0) if self.mail_replies else None
        if scripted is not None:
            return scripted
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        scripted = self.rcpt_replies.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        recipient = envelope.rcpt_tos[0]
        scripted = self.data_replies.get(recipient)
        if scripted:
            reply = scripted.pop(0)
            if reply == "DROP":  # accept the message, then hang up before replying
                self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), None, b"", id(session)))
                server.transport.close()
            return reply
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw, id(session)))
            count = len(self.messages)
        if self.on_message is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_message, count)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpServer:
    handler: Recorder
    port: int
    controller: Controller


def start_smtp(handler: Recorder, **kwargs: Any) -> SmtpServer:
    for _ in range(5):
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        try:
            controller.start()
        except (OSError, RuntimeError):
            continue
        return SmtpServer(handler, port, controller)
    raise RuntimeError("cannot start the test SMTP server")


def newsletter_settings(db_url: str, tmp_path: Path, smtp_port: int = 25, **smtp: Any) -> Settings:
    return Settings(
        database_url=db_url,
        newsletter=NewsletterSettings(
            archive_dir=str(tmp_path / "archive"),
            unsubscribe_secret=SECRET,
            unsubscribe_url=UNSUBSCRIBE,
        ),
        site=SiteSettings(base_url=SITE),
        smtp=SmtpSettings(
            host="127.0.0.1",
            port=smtp_port,
            mail_from=MAIL_FROM,
            timeout_seconds=10.0,
            retry_delay_seconds=0.0,
            **smtp,
        ),
    )


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 / localhost and its key (PEM), made on the spot."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path
