"""Signed tokens for one-click links (unsubscribe, confirm).

A token is ``<base64url(address)>.<base64url(HMAC-SHA256(secret, purpose, address))>``:
it names the address it acts on, cannot be forged without the secret, and a
token made for one purpose (``confirm``) does not work for another
(``unsubscribe``). Tokens do not expire: an unsubscribe link in an old issue
must keep working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import urlencode, urlsplit

from tracker.deliver.errors import TokenError

PURPOSES = ("unsubscribe", "confirm")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenError("malformed token") from exc


def _signature(secret: str, purpose: str, address: str) -> bytes:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    message = f"tracker-token-v1\0{purpose}\0{address}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def make_token(secret: str, address: str, purpose: str = "unsubscribe") -> str:
    if not secret:
        raise ValueError("an empty secret cannot sign tokens")
    return f"{_b64(address.encode('utf-8'))}.{_b64(_signature(secret, purpose, address))}"


def read_token(secret: str, token: str, purpose: str = "unsubscribe") -> str:
    """The address a valid token acts on; :class:`TokenError` otherwise."""
    token = (token or "").strip()
    payload, dot, signature = token.partition(".")
    if not dot or not payload or not signature:
        raise TokenError("malformed token")
    try:
        address = _unb64(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TokenError("malformed token") from exc
    if not hmac.compare_digest(_unb64(signature), _signature(secret, purpose, address)):
        raise TokenError(f"invalid {purpose} token (wrong signature)")
    return address


def link(base_url: str, secret: str, address: str, purpose: str = "unsubscribe") -> str:
    """``base_url`` with ``token=…`` added to its query."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise ValueError(f"not an absolute http(s) URL without #fragment: {base_url!r}")
    separator = "&" if parts.query else "?"
    return f"{base_url}{separator}{urlencode({'token': make_token(secret, address, purpose)})}"
