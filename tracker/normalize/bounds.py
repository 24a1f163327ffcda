"""What both databases accept, checked before anything is stored (pure).

Normalization only lets through values that SQLite *and* Postgres store as they
are, so that one bad record is a rejection with a reason, never a failed
transaction:

* integers stored in ``Integer`` columns fit a 4-byte signed integer
  (:data:`INT4_MAX`), those in ``BigInteger`` columns 8 bytes (:data:`INT8_MAX`);
* numbers written as text are at most :data:`MAX_NUMBER_CHARS` characters and
  ASCII digits only, and are rejected *before* parsing (``int()`` of a
  4,301-digit string raises, a superscript ``"²"`` passes ``isdigit()``);
* times fall between :data:`EARLIEST` and :data:`LATEST`;
* text has no NUL (Postgres refuses it), no other control character except tab
  and newlines, and no bidirectional override (U+202A–U+202E, U+2066–U+2069,
  U+200E/U+200F, U+061C), which could reorder what a reader sees; the raw
  observation keeps the upstream bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tracker.errors import NormalizationError

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1
#: Longer numeric strings are rejected before they are parsed.
MAX_NUMBER_CHARS = 40
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

#: C0 controls but tab / LF / CR, DEL, C1 controls, and the bidirectional controls.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """``text`` without NUL, control characters (tab and newlines kept) and bidi controls."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def bounded_count(value: Any, field: str, *, maximum: int = INT4_MAX) -> int | None:
    """A non-negative integer (int, integral float or a string of ASCII digits) not above ``maximum``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NormalizationError("bad-field", f"{field}={value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise NormalizationError("bad-field", f"{field}={value!r}")
        if abs(value) > maximum:
            raise NormalizationError("out-of-range", f"{field}={value!r} is above {maximum}")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_CHARS:
            raise NormalizationError("out-of-range", f"{field} has {len(text)} characters")
        if not (text.isascii() and text.isdigit()):
            raise NormalizationError("bad-field", f"{field}={value[:60]!r}")
        value = int(text)
    if not isinstance(value, int) or value < 0:
        raise NormalizationError("bad-field", f"{field}={str(value)[:60]!r}")
    if value > maximum:
        raise NormalizationError("out-of-range", f"{field}={str(value)[:60]} is above {maximum}")
    return value


def sane_time(value: dt.datetime, field: str) -> dt.datetime:
    """``value`` (aware) if it lies between :data:`EARLIEST` and :data:`LATEST`."""
    if not EARLIEST <= value <= LATEST:
        span = f"{EARLIEST.year}–{LATEST.year}"
        raise NormalizationError("out-of-range", f"{field}={value.isoformat()} is outside {span}")
    return value
