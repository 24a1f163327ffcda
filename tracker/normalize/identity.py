"""Pure helpers for telling that two source ids name one model.

Allowed link methods, strongest first: ``manual`` (a reviewed entry in
``data/identity.toml``), ``declared-hf-id`` (OpenRouter's ``hugging_face_id``),
``exact-id`` (the same ``org/name``, ignoring case), ``normalized-name`` (the same
vendor and the same name once case and the separators ``- _ .`` and spaces are
ignored). Never substring matching: ``qwen3-32b`` does not link to ``qwen3-32b-awq``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tracker.errors import TrackerError

#: Link methods with their confidence, strongest first.
METHODS: dict[str, float] = {
    "manual": 1.0,
    "declared-hf-id": 0.95,
    "exact-id": 1.0,
    "normalized-name": 0.8,
}
METHOD_RANK = {name: rank for rank, name in enumerate(METHODS)}
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


class IdentityTableError(TrackerError):
    """``data/identity.toml`` is malformed."""


@dataclass(frozen=True, slots=True)
class ManualLink:
    openrouter: str
    huggingface: str
    note: str = ""


@dataclass(frozen=True)
class IdentityTable:
    #: lower-case OpenRouter vendor → lower-case Hub organisations
    vendors: dict[str, tuple[str, ...]]
    manual: tuple[ManualLink, ...]


@cache
def identity_table() -> IdentityTable:
    raw = resources.files("tracker.normalize").joinpath("data/identity.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise IdentityTableError(f"identity.toml is not valid TOML: {exc}") from exc
    vendors = {
        str(k).lower(): tuple(str(o).lower() for o in v)
        for k, v in (data.get("vendors") or {}).items()
        if isinstance(v, list)
    }
    manual = []
    for row in data.get("manual") or []:
        if not isinstance(row.get("openrouter"), str) or not is_repo_id(str(row.get("huggingface", ""))):
            raise IdentityTableError(f"manual link needs openrouter and a valid huggingface repo id: {row!r}")
        manual.append(ManualLink(row["openrouter"].strip(), row["huggingface"].strip(), str(row.get("note", ""))))
    return IdentityTable(vendors=vendors, manual=tuple(manual))


def is_repo_id(text: str) -> bool:
    return bool(_REPO_ID.match(text)) and ".." not in text


def org_of(repo_id: str) -> str:
    return repo_id.split("/", 1)[0]


def name_form(name: str) -> str:
    """``Qwen2.5-72B-Instruct`` and ``qwen-2.5-72b-instruct`` → ``qwen2572binstruct``."""
    return re.sub(r"[\s._-]+", "", name.lower())


def vendor_orgs(vendor: str) -> tuple[str, ...]:
    """Lower-case Hub organisations an OpenRouter vendor publishes under (itself included)."""
    vendor = vendor.lower()
    orgs = identity_table().vendors.get(vendor, ())
    return (vendor, *[o for o in orgs if o != vendor])


def repo_name_key(repo_id: str) -> tuple[str, str]:
    """``(org, normalized name)`` of a Hub repo id."""
    org, _, name = repo_id.partition("/")
    return org.lower(), name_form(name)


def openrouter_name_keys(base_id: str) -> list[tuple[str, str]]:
    """``(org, normalized name)`` pairs an OpenRouter base id may match."""
    vendor, _, name = base_id.partition("/")
    form = name_form(name)
    return [(org, form) for org in vendor_orgs(vendor)]


def same_organisation(repo_id: str, other_repo_id: str) -> bool:
    return org_of(repo_id).lower() == org_of(other_repo_id).lower()


def vendor_aliases(vendor: str) -> set[str]:
    """Lower-case names one vendor goes by across sources (``deepseek`` ↔ ``deepseek-ai``)."""
    vendor = vendor.strip().lower()
    names = {vendor, *vendor_orgs(vendor)}
    for or_vendor, orgs in identity_table().vendors.items():
        if vendor in orgs:
            names.add(or_vendor)
            names.update(orgs)
    return names


@cache
def _home_orgs() -> dict[str, str]:
    """Lower-case Hub organisation → the OpenRouter vendor whose first (home) organisation it is."""
    out: dict[str, str] = {}
    for or_vendor, orgs in identity_table().vendors.items():
        if orgs and orgs[0] not in identity_table().vendors:
            out.setdefault(orgs[0], or_vendor)
    return out


def vendor_key(vendor: str) -> str:
    """The one key a vendor is stored under: lower case, a Hub home organisation under its OpenRouter name.

    ``Qwen`` → ``qwen``, ``inclusionAI`` → ``inclusionai``, ``deepseek-ai`` →
    ``deepseek`` (its home organisation in ``data/identity.toml``). A secondary
    organisation (``facebook`` beside ``meta-llama``) keeps its own name.
    """
    lower = vendor.strip().lower()
    return _home_orgs().get(lower, lower)


@cache
def _display_names() -> dict[str, str]:
    raw = resources.files("tracker.normalize").joinpath("data/identity.toml").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for or_vendor, orgs in (tomllib.loads(raw).get("vendors") or {}).items():
        for org in orgs if isinstance(orgs, list) else ():
            if str(org).lower() == str(or_vendor).lower() and str(org) != str(or_vendor):
                out[str(or_vendor).lower()] = str(org)
    return out


def vendor_display(key: str, seen: str | None = None) -> str:
    """The name a vendor is shown under: its own spelling (``Qwen``, ``inclusionAI``) when known."""
    if seen and seen.lower() == key:
        return seen
    return _display_names().get(key, key)
