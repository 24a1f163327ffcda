"""SMTP: one connection reused for many messages, and failures sorted by what they mean.

:class:`SmtpSender` connects once (``none``, ``starttls`` or ``ssl``; login
when a user is configured) and sends message after message on that
connection, reconnecting only when the server dropped it before a message
began. Each :meth:`SmtpSender.send` either returns the server's acceptance or
raises one of:

* :class:`TransientFailure` — a 4xx reply or a connection lost *before* the
  message body was complete: nothing was delivered, trying again is safe;
* :class:`ServerFailure` (a kind of transient failure) — a failure that is not
  about this recipient: ``MAIL FROM`` refused, ``421`` (the server is closing),
  the connection lost before the message began. Every recipient would meet it:
  the sender defers the whole send rather than failing recipients one by one;
* :class:`PermanentFailure` — a 5xx reply: do not try again;
* :class:`UncertainFailure` — the connection was lost *after* the body's final
  ``.`` was sent and before the reply: the message may or may not have been
  accepted.

``before_data`` is called right before the body goes on the wire (after the
server's ``354``): the caller records there that delivery is under way, which
is what lets a crashed run tell "certainly not sent" from "maybe sent".
:class:`DeliveryError` means the server cannot be used at all (unreachable,
TLS or login refused).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from types import TracebackType

from tracker.config import SmtpSettings
from tracker.deliver.errors import DeliveryError

log = logging.getLogger(__name__)

SECURITY = ("none", "starttls", "ssl")


class SmtpFailure(Exception):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"{code} {message}" if code else message)
        self.code = code
        self.message = message


class TransientFailure(SmtpFailure):
    """Not delivered; safe to try again later."""


class ServerFailure(TransientFailure):
    """Not about one recipient (MAIL FROM refused, 421, connection lost): defer the whole send."""


class PermanentFailure(SmtpFailure):
    """Refused for good (5xx)."""


class UncertainFailure(SmtpFailure):
    """The body was sent but no reply arrived: it may have been delivered."""


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())[:500]


def classify(code: int, reply: bytes | str, stage: str) -> SmtpFailure:
    text = f"{stage}: {_text(reply)}"
    if 400 <= code < 500 or code == -1:
        return TransientFailure(code, text)
    return PermanentFailure(code, text)


def dot_stuff(data: bytes) -> bytes:
    """The DATA payload: CRLF line ends, leading dots doubled, terminated by ``CRLF.CRLF``."""
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    data = data.replace(b"\r\n.", b"\r\n..")
    if data.startswith(b"."):
        data = b"." + data
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpSender:
    """A reusable SMTP connection; use as a context manager."""

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.security not in SECURITY:
            raise DeliveryError(f"smtp.security must be one of {', '.join(SECURITY)}, not {settings.security!r}")
        if settings.user and settings.security == "none" and not _is_loopback(settings.host):
            raise DeliveryError(
                "refusing to send the SMTP password unencrypted: set TRACKER_SMTP_SECURITY to starttls or ssl"
            )
        self.settings = settings
        self.conn: smtplib.SMTP | None = None
        #: Connections opened so far (one for a whole run unless the server drops it).
        self.connections = 0

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.ca_file:
            try:
                context.load_verify_locations(cafile=self.settings.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise DeliveryError(f"smtp.ca_file {self.settings.ca_file}: {exc}") from exc
        return context

    def open(self) -> None:
        """Connect, secure and log in; :class:`DeliveryError` when that fails."""
        s = self.settings
        where = f"{s.host}:{s.port}"
        local = socket.gethostname() or "localhost"
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    s.host, s.port, local_hostname=local, timeout=s.timeout_seconds, context=self._tls_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, local_hostname=local, timeout=s.timeout_seconds)
            conn.ehlo()
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise DeliveryError(f"SMTP server {where} does not offer STARTTLS")
                conn.starttls(context=self._tls_context())
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password or "")
        except DeliveryError:
            _quietly_close(conn)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _quietly_close(conn)
            raise DeliveryError(
                f"SMTP server {where} refused the login: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            _quietly_close(conn)
            raise DeliveryError(f"cannot use SMTP server {where} ({s.security}): {exc}") from exc
        self.conn = conn
        self.connections += 1
        log.info("connected to %s (%s)", where, s.security)

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(conn)

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        _quietly_close(conn)

    def _reset(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def send(
        self, sender: str, recipient: str, data: bytes, before_data: Callable[[], None] | None = None
    ) -> tuple[int, str]:
        """Send one message (``data``: the RFC 5322 bytes); returns the server's final reply."""
        if self.conn is None:
            self.open()
        try:
            code, reply = self._envelope(sender, recipient)
        except smtplib.SMTPServerDisconnected:
            # Dropped while idle: nothing of this message was sent; reconnect once.
            self._drop()
            self.open()
            try:
                code, reply = self._envelope(sender, recipient)
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                raise ServerFailure(None, f"connection lost before the message: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise ServerFailure(None, f"connection lost before the message: {exc}") from exc
        if code != 354:
            if code == 421:
                self._drop()
            else:
                self._reset()
            if code == 421 or (isinstance(reply, str) and reply.startswith("MAIL FROM:")):
                raise ServerFailure(code, f"refused: {_text(reply)}")
            raise classify(code, reply, "refused")
        conn = self.conn
        assert conn is not None
        try:
            if before_data is not None:
                before_data()
        except BaseException:
            self._drop()  # the server discards a transaction whose body never ends
            raise
        payload = dot_stuff(data)
        try:
            conn.send(payload)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TransientFailure(None, f"connection lost while sending the message: {exc}") from exc
        try:
            code, reply = conn.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise UncertainFailure(None, f"no reply after the message was sent: {exc}") from exc
        if code != 250:
            if code == 421:
                self._drop()
                raise ServerFailure(code, f"DATA: {_text(reply)}")
            raise classify(code, reply, "DATA")
        return code, _text(reply)

    def _envelope(self, sender: str, recipient: str) -> tuple[int, bytes | str]:
        """MAIL FROM, RCPT TO and DATA; returns the reply that ended it (354 to go on)."""
        conn = self.conn
        assert conn is not None
        code, reply = conn.mail(sender)
        if code != 250:
            return code, f"MAIL FROM: {_text(reply)}"
        code, reply = conn.rcpt(recipient)
        if code not in (250, 251):
            return code, f"RCPT TO: {_text(reply)}"
        conn.putcmd("data")
        code, reply = conn.getreply()
        return code, reply


def _quietly_close(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    with contextlib.suppress(OSError):
        conn.close()
