"""Text bound for a terminal: control characters shown, never obeyed (pure).

Upstream names and descriptions are untrusted: an ``ESC [`` sequence could
recolour, move the cursor, set the window title or hide text, a BEL rings, a
right-to-left override reorders what follows. On a terminal every C0 control
but newline and tab, DEL, every C1 control and the bidirectional controls are
written as a visible ``\\u001b`` / ``\\u202e`` — the same notation as a JSON
escape, so JSON printed to a terminal stays valid and means the same text.
Output to a file or a pipe is left exact (CSV and JSON keep the data as stored).
"""

from __future__ import annotations

import re
from typing import TextIO

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _shown(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character that could drive a terminal made visible."""
    return _UNSAFE.sub(_shown, text)


def is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
