"""Licences: Hub ``license`` / ``license_name`` / ``license_link`` → a canonical key and class.

Pure code over a reviewed data file (``data/licenses.toml``; how it is reviewed
is in ``docs/licenses.md``). Rules, in order:

* ``license: X`` where ``X`` is in the table → that entry (``apache-2.0`` → ``Apache-2.0``).
* ``license: other`` (or no ``license`` at all) with ``license_name: N`` → the entry
  whose aliases contain ``N`` (``qwen-research`` → ``LicenseRef-qwen-research``);
  else the entry whose ``links`` match ``license_link``; else an unreviewed
  ``LicenseRef-<N>`` read as ``open-weights-restricted`` until someone reviews it.
* ``license: other`` with no name and no known link → ``LicenseRef-other``.
* a list of licences → each is resolved; the key joins them with ``AND`` and the
  class is the most restrictive (read conservatively).
* nothing at all (no card value, no API tag; or the Hub's ``unknown``) → class
  ``unknown`` and no key. This is the only way to get ``unknown``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tracker.errors import TrackerError

CLASSES = ("permissive", "copyleft", "open-weights-restricted", "non-commercial", "proprietary", "unknown")
#: Least to most restrictive (``unknown`` is not on this scale).
RESTRICTIVENESS = ("permissive", "copyleft", "open-weights-restricted", "non-commercial", "proprietary")
COMMERCIAL = ("yes", "restricted", "no")
#: Hub values that carry no licence information.
NO_INFORMATION = frozenset({"", "unknown", "none", "n/a", "null"})


class LicenseTableError(TrackerError):
    """The reviewed licence data file is malformed."""


@dataclass(frozen=True, slots=True)
class LicenseEntry:
    """One reviewed row of the licence table."""

    key: str
    name: str
    license_class: str
    osi_approved: bool
    commercial_use: str
    use_restrictions: bool
    attribution: bool
    url: str
    aliases: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    """What a repo's licence declaration resolves to."""

    #: Canonical key (SPDX id or ``LicenseRef-…``); None when there is no licence information.
    key: str | None
    name: str | None
    license_class: str
    osi_approved: bool | None
    commercial_use: str | None
    use_restrictions: bool | None
    attribution: bool | None
    #: False when the key was made up for a licence name the table does not know yet.
    reviewed: bool
    #: ``id``, ``name``, ``link``, ``unnamed-other``, ``unreviewed``, ``none``.
    matched_by: str
    #: The declaration as found (``license``, ``license_name``, ``license_link``).
    declared: dict[str, Any] = field(default_factory=dict)

    def attributes(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "class": self.license_class,
            "osi_approved": self.osi_approved,
            "commercial_use": self.commercial_use,
            "use_restrictions": self.use_restrictions,
            "attribution": self.attribution,
            "reviewed": self.reviewed,
            "matched_by": self.matched_by,
        }


UNKNOWN = LicenseInfo(
    key=None,
    name=None,
    license_class="unknown",
    osi_approved=None,
    commercial_use=None,
    use_restrictions=None,
    attribution=None,
    reviewed=True,
    matched_by="none",
)


def alias_form(text: str) -> str:
    """How names are compared: lower case, runs of spaces/underscores as one ``-``."""
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def link_form(url: str) -> str:
    text = url.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.removeprefix("www.")
    return text.rstrip("/")


@dataclass(frozen=True)
class LicenseTable:
    entries: tuple[LicenseEntry, ...]
    by_alias: Mapping[str, LicenseEntry]
    by_key: Mapping[str, LicenseEntry]

    def lookup(self, name: str) -> LicenseEntry | None:
        return self.by_alias.get(alias_form(name))

    def by_link(self, url: str) -> LicenseEntry | None:
        target = link_form(url)
        best: tuple[int, LicenseEntry] | None = None
        for entry in self.entries:
            for prefix in entry.links:
                p = link_form(prefix)
                if target.startswith(p) and (best is None or len(p) > best[0]):
                    best = (len(p), entry)
        return best[1] if best else None


def parse_table(data: Mapping[str, Any]) -> LicenseTable:
    """Validate the TOML document and index it; raises :class:`LicenseTableError`."""
    rows = data.get("license")
    if not isinstance(rows, list) or not rows:
        raise LicenseTableError("the licence table has no [[license]] entries")
    entries: list[LicenseEntry] = []
    by_alias: dict[str, LicenseEntry] = {}
    by_key: dict[str, LicenseEntry] = {}
    for position, row in enumerate(rows):
        where = f"[[license]] #{position + 1}"
        if not isinstance(row, Mapping):
            raise LicenseTableError(f"{where} is not a table")
        try:
            entry = LicenseEntry(
                key=_text(row, "key", where),
                name=_text(row, "name", where),
                license_class=_choice(row, "class", CLASSES[:-1], where),
                osi_approved=_flag(row, "osi_approved", where),
                commercial_use=_choice(row, "commercial_use", COMMERCIAL, where),
                use_restrictions=_flag(row, "use_restrictions", where),
                attribution=_flag(row, "attribution", where),
                url=str(row.get("url", "")),
                aliases=tuple(str(a) for a in row.get("aliases", ())),
                links=tuple(str(u) for u in row.get("links", ())),
                note=str(row.get("note", "")),
            )
        except (TypeError, ValueError) as exc:
            raise LicenseTableError(f"{where}: {exc}") from exc
        if entry.key in by_key:
            raise LicenseTableError(f"{where}: duplicate key {entry.key}")
        by_key[entry.key] = entry
        for alias in (entry.key, *entry.aliases):
            form = alias_form(alias)
            other = by_alias.get(form)
            if other is not None and other.key != entry.key:
                raise LicenseTableError(f"{where}: alias {alias!r} already means {other.key}")
            by_alias[form] = entry
        entries.append(entry)
    return LicenseTable(entries=tuple(entries), by_alias=by_alias, by_key=by_key)


def _text(row: Mapping[str, Any], name: str, where: str) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise LicenseTableError(f"{where}: {name} must be a non-empty string")
    return value


def _flag(row: Mapping[str, Any], name: str, where: str) -> bool:
    value = row.get(name)
    if not isinstance(value, bool):
        raise LicenseTableError(f"{where}: {name} must be true or false")
    return value


def _choice(row: Mapping[str, Any], name: str, allowed: Iterable[str], where: str) -> str:
    value = row.get(name)
    if value not in tuple(allowed):
        raise LicenseTableError(f"{where}: {name} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


@cache
def license_table() -> LicenseTable:
    """The reviewed table shipped with the package."""
    text = resources.files("tracker.normalize").joinpath("data/licenses.toml").read_text(encoding="utf-8")
    try:
        return parse_table(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise LicenseTableError(f"licenses.toml is not valid TOML: {exc}") from exc


def _info(entry: LicenseEntry, matched_by: str, declared: dict[str, Any]) -> LicenseInfo:
    return LicenseInfo(
        key=entry.key,
        name=entry.name,
        license_class=entry.license_class,
        osi_approved=entry.osi_approved,
        commercial_use=entry.commercial_use,
        use_restrictions=entry.use_restrictions,
        attribution=entry.attribution,
        reviewed=True,
        matched_by=matched_by,
        declared=declared,
    )


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9.+-]+", "-", name.strip()).strip("-.")
    return slug[:100] or "unnamed"


def _unreviewed(name: str, declared: dict[str, Any]) -> LicenseInfo:
    other = license_table().by_key["LicenseRef-other"]
    return LicenseInfo(
        key=f"LicenseRef-{_slug(name)}",
        name=name.strip()[:200],
        license_class=other.license_class,
        osi_approved=False,
        commercial_use=other.commercial_use,
        use_restrictions=other.use_restrictions,
        attribution=other.attribution,
        reviewed=False,
        matched_by="unreviewed",
        declared=declared,
    )


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    return []


def resolve_license(
    license: Any = None, license_name: Any = None, license_link: Any = None, commercial: Any = None
) -> LicenseInfo:
    """Resolve a card's (or the API's) licence declaration through the reviewed table.

    ``commercial``: the card's own ``commercial:`` flag. ``false`` beside a custom
    licence (``other``, or a name the table does not know) makes it non-commercial:
    facebook/opt-125m's ``license: other`` + ``commercial: false``.
    """
    info = _resolve_license(license, license_name, license_link)
    if _is_false(commercial) and info.key is not None and (not info.reviewed or info.key == "LicenseRef-other"):
        declared = {**info.declared, "commercial": commercial}
        return dataclasses.replace(
            info, license_class="non-commercial", commercial_use="no", declared=declared, matched_by=info.matched_by
        )
    return info


def _is_false(value: Any) -> bool:
    if value is False:
        return True
    return isinstance(value, str) and value.strip().lower() in ("false", "no")


def _resolve_license(license: Any, license_name: Any, license_link: Any) -> LicenseInfo:
    table = license_table()
    ids = [v.strip() for v in _strings(license) if v.strip()]
    names = [v.strip() for v in _strings(license_name) if v.strip()]
    links = [v.strip() for v in _strings(license_link) if v.strip()]
    declared: dict[str, Any] = {"license": license, "license_name": license_name, "license_link": license_link}
    declared = {k: v for k, v in declared.items() if v is not None}
    ids = [i for i in ids if alias_form(i) not in NO_INFORMATION]
    resolved: list[LicenseInfo] = []
    named_other = False
    for ident in ids:
        if alias_form(ident) == "other":
            named_other = True
            continue
        entry = table.lookup(ident)
        resolved.append(_info(entry, "id", declared) if entry else _unreviewed(ident, declared))
    if named_other or (not ids and (names or links)):
        resolved.append(_resolve_other(names, links, declared))
    if not resolved:
        return UNKNOWN
    if len(resolved) == 1:
        return resolved[0]
    return _combine(resolved, declared)


def _resolve_other(names: list[str], links: list[str], declared: dict[str, Any]) -> LicenseInfo:
    table = license_table()
    for name in names:
        entry = table.lookup(name)
        if entry is not None:
            return _info(entry, "name", declared)
    for link in links:
        entry = table.by_link(link)
        if entry is not None:
            return _info(entry, "link", declared)
    if names:
        return _unreviewed(names[0], declared)
    return _info(table.by_key["LicenseRef-other"], "unnamed-other", declared)


def _combine(parts: list[LicenseInfo], declared: dict[str, Any]) -> LicenseInfo:
    unique: dict[str, LicenseInfo] = {}
    for part in parts:
        if part.key is not None:
            unique.setdefault(part.key, part)
    parts = list(unique.values())
    if len(parts) == 1:
        return parts[0]
    worst = max(parts, key=lambda p: RESTRICTIVENESS.index(p.license_class))
    commercial = max((p.commercial_use or "yes" for p in parts), key=COMMERCIAL.index)
    return LicenseInfo(
        key=" AND ".join(sorted(p.key for p in parts if p.key)),
        name=" + ".join(p.name or "" for p in parts),
        license_class=worst.license_class,
        osi_approved=all(bool(p.osi_approved) for p in parts),
        commercial_use=commercial,
        use_restrictions=any(bool(p.use_restrictions) for p in parts),
        attribution=any(bool(p.attribution) for p in parts),
        reviewed=all(p.reviewed for p in parts),
        matched_by="+".join(sorted({p.matched_by for p in parts})),
        declared=declared,
    )


def license_from_tags(tags: Iterable[Any]) -> LicenseInfo:
    """The API's ``license:…`` tags (fallback when no card declaration is readable)."""
    values = [t.split(":", 1)[1] for t in tags if isinstance(t, str) and t.startswith("license:")]
    if not values:
        return UNKNOWN
    return resolve_license(values if len(values) > 1 else values[0])
