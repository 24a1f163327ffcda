"""Typed table cells: check glyphs are booleans, links keep text and target, footnote markers apart.

``:heavy_check_mark: Apache2`` is (yes, "Apache2"); ``✗`` is no; ``64K(2)`` is "64K" with the
footnote marker "2"; ``[MIT](https://…/LICENSE)`` keeps "MIT" and its target (licences resolve
through the licence table's names, else its links); ``Apache 2.0<br/>Llama`` is two parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_YES = re.compile(r"^(?::heavy_check_mark:|:white_check_mark:|:check_mark:|[✓✔✅☑]|yes\b)\s*", re.IGNORECASE)
_NO = re.compile(r"^(?::x:|:heavy_multiplication_x:|:cross_mark:|[✗✘❌]|no\b)\s*", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_FOOTNOTE = re.compile(r"(?<=[\w%)])\s?(?:\((\d{1,2})\)|\[(\d{1,2})\]|([*†‡]+)|([¹²³⁴⁵⁶⁷⁸⁹]))$")
_BREAK = re.compile(r"<br\s*/?>|\s+/\s+|;\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Cell:
    """One cell as data: its text without glyphs, links and markers, and what they said."""

    text: str
    #: True for a check glyph, False for a cross, None when the cell has neither.
    flag: bool | None = None
    links: tuple[tuple[str, str], ...] = ()
    footnote: str | None = None
    parts: tuple[str, ...] = field(default_factory=tuple)


def read_cell(raw: str) -> Cell:
    """The cell ``raw`` (as split from a ``| … |`` row) as a :class:`Cell`."""
    text = raw.replace("**", "").replace("__", "").strip()
    links = tuple((m.group(1).strip(), m.group(2)) for m in _LINK.finditer(text))
    text = _LINK.sub(lambda m: m.group(1), text)
    flag: bool | None = None
    yes = _YES.match(text)
    if yes:
        flag, text = True, text[yes.end() :]
    else:
        no = _NO.match(text)
        if no and (len(text) == no.end() or not text[no.end() :][:1].isalpha() or no.group(0).strip() != "no"):
            flag, text = False, text[no.end() :]
    text = re.sub(r"\s+", " ", text).strip()
    footnote = None
    marker = _FOOTNOTE.search(text)
    if marker and marker.start() > 0:
        footnote = next(g for g in marker.groups() if g)
        text = text[: marker.start()].rstrip()
    parts = tuple(p.strip() for p in _BREAK.split(text) if p.strip())
    return Cell(text=text, flag=flag, links=links, footnote=footnote, parts=parts)
