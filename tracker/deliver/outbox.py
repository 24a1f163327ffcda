"""The dry-run outbox: each message written as an ``.eml`` file instead of being sent."""

from __future__ import annotations

import re
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def eml_name(index: int, recipient: str) -> str:
    """``00001-reader@example.org.eml``: sortable, and safe on any file system."""
    slug = _UNSAFE.sub("_", recipient).strip("._") or "recipient"
    return f"{index:05d}-{slug[:120]}.eml"


def write_eml(folder: Path, index: int, recipient: str, message: bytes) -> Path:
    """Write one message (its RFC 5322 bytes, CRLF line ends) as ``folder/<index>-<recipient>.eml``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / eml_name(index, recipient)
    path.write_bytes(message)
    return path
