"""Entity linking: a model mention in prose (``Qwen3-Max``, ``Qwen 3 Max``) → a model, or unresolved.

A mention links to a model when its normalized name (case, spaces, ``-``, ``_``,
``.`` and parentheses ignored: :func:`tracker.normalize.identity.name_form`)
equals a normalized name the tracker knows for exactly one model:

* the model's key and display name (without the ``Vendor:`` prefix OpenRouter adds),
* its OpenRouter ids, names and canonical slugs, its Hub repo ids and every
  crosswalk id (``org/`` dropped),
* a reviewed alias (``data/aliases.toml``: ``Qwen3-Max-Preview`` → ``qwen/qwen3-max``).

Derivatives (quantized, fine-tuned repos) only count when no original has the
name. A name that fits several models is *ambiguous* and, like a name that fits
none, stays unresolved: the claim keeps its mention and no model. Never
substring matching: ``Qwen 3`` is not ``Qwen3-32B``, ``Qwen 3 (72B)`` is nothing.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import TrackerError
from tracker.normalize.identity import name_form, vendor_aliases
from tracker.store.tables import Crosswalk, Model, OpenRouterListing
from tracker.store.tables.huggingface import HfRepo


class AliasTableError(TrackerError):
    """``claims/data/aliases.toml`` is malformed."""


@dataclass(frozen=True)
class Aliases:
    #: mention form → model key
    mentions: dict[str, str]
    #: vendor (lower) → organisations / OpenRouter vendors (lower)
    vendors: dict[str, tuple[str, ...]]


@cache
def aliases() -> Aliases:
    raw = resources.files("tracker.claims").joinpath("data/aliases.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise AliasTableError(f"aliases.toml is not valid TOML: {exc}") from exc
    mentions: dict[str, str] = {}
    for row in data.get("mention", []):
        name, model = row.get("name"), row.get("model")
        if not isinstance(name, str) or not isinstance(model, str) or not row.get("note"):
            raise AliasTableError(f"a [[mention]] needs name, model and note: {row!r}")
        mentions[mention_form(name)] = model.strip()
    vendors = {
        str(k).lower(): tuple(str(v).lower() for v in values)
        for k, values in (data.get("vendors") or {}).items()
        if isinstance(values, list)
    }
    return Aliases(mentions=mentions, vendors=vendors)


@cache
def alias_forms() -> dict[str, tuple[str, ...]]:
    """Model key (lower case) → the mention forms a reviewed alias gives it."""
    out: dict[str, list[str]] = {}
    for form, key in aliases().mentions.items():
        out.setdefault(key.lower(), []).append(form)
    return {key: tuple(forms) for key, forms in out.items()}


def mention_form(text: str) -> str:
    """``Qwen 3 (72B)`` → ``qwen372b``; ``Qwen: Qwen3 Max`` → ``qwen3max`` (the ``Vendor:`` prefix dropped)."""
    text = re.sub(r"^[^:/]{1,40}:\s+", "", text.strip())
    text = text.rsplit("/", 1)[-1]
    text = text.split(":", 1)[0]
    return name_form(re.sub(r"[()\[\]]", " ", text))


def same_vendor(document_vendor: str | None, model_vendor: str | None) -> bool:
    """Whether a document's vendor is the model's vendor (``meta`` ↔ ``meta-llama``, ``qwen`` ↔ ``Qwen``)."""
    if not document_vendor or not model_vendor:
        return False
    names = {document_vendor.lower(), *vendor_aliases(document_vendor)}
    names.update(aliases().vendors.get(document_vendor.lower(), ()))
    model_names = {model_vendor.lower(), *vendor_aliases(model_vendor)}
    model_names.update(aliases().vendors.get(model_vendor.lower(), ()))
    return bool(names & model_names)


@dataclass(frozen=True)
class Resolution:
    mention: str
    model_id: int | None
    #: ``alias``, ``normalized-name``; for unresolved mentions ``unknown`` or ``ambiguous``.
    method: str
    candidates: tuple[int, ...] = ()


@dataclass
class NameIndex:
    """Normalized names of every model the tracker knows, built once per store step.

    ``names``: normalized name → the model that has it, or the set of models when several do (most names
    belong to one model: an int takes a tenth of a one-element set's memory, and a crawl's index holds a
    name or two a repo); read it through :meth:`models_named`.
    """

    names: dict[str, int | set[int]] = field(default_factory=dict)
    derivatives: set[int] = field(default_factory=set)
    keys: dict[int, str] = field(default_factory=dict)
    vendors: dict[int, str] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)

    def add(self, name: str | None, model_id: int | None) -> str | None:
        """Index ``name`` for ``model_id``; returns its normalized form (None: not indexed)."""
        if not name or model_id is None:
            return None
        form = mention_form(name)
        if len(form) < 2:
            return None
        found = self.names.get(form)
        if found is None:
            self.names[form] = model_id
        elif isinstance(found, set):
            found.add(model_id)
        elif found != model_id:
            self.names[form] = {found, model_id}
        return form

    def add_model(self, model_id: int, key: str, name: str | None, vendor: str, derivative: bool) -> set[str]:
        """A model's key and display name, its vendor and whether it is a derivative.

        Returns the normalized names whose resolution this can change: the model's own, and the reviewed
        aliases that name its key.
        """
        low = key.lower()
        self.keys[model_id] = key
        self.vendors[model_id] = sys.intern(vendor)  # a few vendors, many models: one string each
        self.by_key[key if low == key else low] = model_id  # a lower-case key is not stored twice
        if derivative:
            self.derivatives.add(model_id)
        forms = {f for f in (self.add(key, model_id), self.add(name, model_id)) if f is not None}
        forms.update(alias_forms().get(low, ()))
        return forms

    def models_named(self, form: str) -> set[int]:
        """The models that have the normalized name ``form``."""
        found = self.names.get(form)
        if found is None:
            return set()
        return set(found) if isinstance(found, set) else {found}

    def resolve(self, mention: str) -> Resolution:
        form = mention_form(mention)
        alias = aliases().mentions.get(form)
        if alias is not None and alias.lower() in self.by_key:
            return Resolution(mention, self.by_key[alias.lower()], "alias")
        found = self.models_named(form)
        originals = {m for m in found if m not in self.derivatives}
        candidates = originals or found
        if len(candidates) == 1:
            return Resolution(mention, next(iter(candidates)), "normalized-name")
        if len(candidates) > 1:
            return Resolution(mention, None, "ambiguous", tuple(sorted(candidates)))
        return Resolution(mention, None, "unknown")


def build_index(session: Session) -> NameIndex:
    """Every name of every model: keys, names, OpenRouter ids/names/slugs, Hub repos, crosswalk ids."""
    index = NameIndex()
    for model_id, key, name, vendor, derivative in session.execute(
        select(Model.id, Model.key, Model.name, Model.vendor, Model.is_derivative)
    ):
        index.add_model(model_id, key, name, vendor, derivative)
    for listing_id, model_id, name, slug in session.execute(
        select(
            OpenRouterListing.id, OpenRouterListing.model_id, OpenRouterListing.name, OpenRouterListing.canonical_slug
        ).where(OpenRouterListing.variant.is_(None))
    ):
        index.add(listing_id, model_id)
        index.add(name, model_id)
        index.add(slug, model_id)
    for repo_id, model_id in session.execute(select(HfRepo.id, HfRepo.model_id)):
        index.add(repo_id, model_id)
    for external, model_id in session.execute(select(Crosswalk.external_id, Crosswalk.model_id)):
        index.add(external, model_id)
    return index


def resolve_all(index: NameIndex, mentions: Iterable[str]) -> dict[str, Resolution]:
    return {m: index.resolve(m) for m in set(mentions)}
