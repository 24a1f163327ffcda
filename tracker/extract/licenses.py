"""Licence names in prose, resolved through the reviewed licence table.

``Apache 2.0``, ``the MIT License``, ``Llama 3.1 Community License``, ``Gemma
Terms of Use``, ``CC-BY-NC-4.0``… A name is read only where the sentence talks
about a licence: ``… licence`` / ``… license`` / ``… terms of use`` after it,
``licensed`` / ``released`` / ``available`` ``under`` before it, ``is (now) X
licensed`` (SPDX licences only), or a ``License:`` label. Bare ``under X`` is accepted only for SPDX licences
(``under Apache 2.0``), never for a family name (``under the Qwen …``).
Every name resolves through :func:`tracker.normalize.licenses.license_table`
(its keys, aliases and names); a name the table does not know is not a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tracker.normalize.licenses import alias_form, license_table

_SUFFIX = re.compile(r"[\s-]+(?:community\s+)?(?:license|licence)(?:\s+agreement)?$|[\s-]+agreement$", re.I)
_CANDIDATE_BEFORE = re.compile(
    r"(?P<name>(?:[A-Z][\w.+-]*|\d[\w.+-]*)(?:[ ,-]+(?:[A-Z][\w.+-]*|\d[\w.+-]*|v\d[\w.]*|Version|version|"
    r"of|Use|NC|ND|SA|BY)){0,6})[ -]+(?:(?:Community|Research|Model|Open|Software|Non-Production)[ -]+)?"
    r"(?:License|Licence|license|licence|LICENSE|Terms of Use|terms of use)\b"
)
_CANDIDATE_UNDER = re.compile(
    r"\b(?:licen[sc]ed|released|available|distributed|published|open[- ]sourced|offered|provided)\s+"
    r"(?:\w+\s+){0,3}under\s+(?:the\s+|an?\s+)?(?:(?:flexible|permissive|open|commercially friendly|"
    r"same|new|more)\s+)*(?P<name>[A-Z][\w.+-]*(?:[ -][\w.+-]+){0,4})|"
    r"\bunder\s+(?:the\s+)?(?:(?:flexible|permissive)\s+)?(?P<spdx>Apache[ -]?(?:License[ ,]*(?:Version )?)?2\.0|"
    r"MIT|BSD[ -]\d-Clause|GPL[ -]?v?\d(?:\.\d)?|CC[ -]BY[\w .-]*\d\.\d)"
)
#: "DeepSeek-R1 is now MIT licensed", "the weights are Apache-2.0-licensed"
_CANDIDATE_LICENSED = re.compile(
    r"\b(?:is|are|was|were|be|being|now|fully)\s+(?:now\s+)?"
    r"(?P<name>[A-Z][\w.+]*(?:[ -][\w.+]+){0,2}?)[ -]licen[sc]ed\b"
)
_LABEL = re.compile(r"\b(?:License|Licence)\s*:\s*(?P<name>[^|;\n]{2,60})")


@dataclass(frozen=True)
class FoundLicense:
    key: str
    text: str
    start: int
    end: int


@cache
def _index() -> dict[str, str]:
    """alias form → licence key, from the table's keys, aliases and names (with and without "licence")."""
    table = license_table()
    out: dict[str, str] = {}
    for entry in table.entries:
        for name in (entry.key, entry.name, *entry.aliases):
            for variant in (name, _SUFFIX.sub("", name)):
                form = alias_form(variant)
                if form and form not in out:
                    out[form] = entry.key
    return out


def resolve(name: str) -> str | None:
    """The licence key a written name means, or None."""
    text = re.sub(r"\s+", " ", name).strip(" .,;:()[]\"'")
    text = re.sub(r"^(?:the|a|an|its|their|our)\s+", "", text, flags=re.IGNORECASE)
    candidates = [text, _SUFFIX.sub("", text)]
    candidates += [re.sub(r"\bVersion\s+", "", c, flags=re.IGNORECASE) for c in candidates]
    candidates += [c.replace(" ", "-") for c in candidates]
    index = _index()
    for candidate in candidates:
        key = index.get(alias_form(candidate))
        if key:
            return key
    return None


def _spdx(key: str) -> bool:
    return not key.startswith("LicenseRef-")


def find_licenses(text: str) -> list[FoundLicense]:
    """Licence names the text states (see the module docstring)."""
    found: list[FoundLicense] = []

    def add(name: str, start: int, end: int, *, spdx_only: bool = False) -> None:
        words = name.split()
        # try the longest tail first: "the flexible Apache 2.0" → "Apache 2.0"
        for size in range(len(words), 0, -1):
            for offset in range(0, len(words) - size + 1):
                candidate = " ".join(words[offset : offset + size])
                key = resolve(candidate)
                if key is None or key in ("LicenseRef-other", "LicenseRef-cc"):
                    continue
                if spdx_only and not _spdx(key):
                    continue
                if not any(f.start <= start < f.end or start <= f.start < end for f in found):
                    found.append(FoundLicense(key, text[start:end], start, end))
                return

    for match in _LABEL.finditer(text):
        add(match.group("name"), match.start("name"), match.end("name"))
    for match in _CANDIDATE_BEFORE.finditer(text):
        add(match.group(0), match.start(), match.end())
    for match in _CANDIDATE_UNDER.finditer(text):
        if match.group("spdx"):
            add(match.group("spdx"), match.start("spdx"), match.end("spdx"), spdx_only=True)
        elif match.group("name"):
            add(match.group("name"), match.start("name"), match.end("name"), spdx_only=True)
    for match in _CANDIDATE_LICENSED.finditer(text):
        add(match.group("name"), match.start("name"), match.end("name"), spdx_only=True)
    found.sort(key=lambda f: f.start)
    return found
