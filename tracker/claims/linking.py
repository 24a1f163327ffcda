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
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import TrackerError
from tracker.normalize.identity import name_form, vendor_aliases
from tracker.store.bulk import in_chunks
from tracker.store.tables import Crosswalk, Model, OpenRouterListing
from tracker.store.tables.huggingface import HfRepo

V = TypeVar("V")


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


class IdTable(MutableMapping[int, V]):
    """A mapping of model ids (small, dense integers: autoincrement) to values, in a list indexed by id.

    A crawl's name index holds a key and a vendor per model: a list slot is 8 bytes where a dict entry, with
    its table's spare room, is 40–100. An id far beyond the table's size (a sparse or hand-made id) goes to a
    dict beside it, so the list never grows much past the number of values.
    """

    __slots__ = ("_count", "_far", "_slots")

    def __init__(self, values: Mapping[int, V] | None = None) -> None:
        self._slots: list[V | None] = []
        self._far: dict[int, V] = {}
        self._count = 0
        if values:
            self.update(values)

    def _near(self, model_id: int) -> bool:
        return 0 <= model_id < max(2 * self._count, len(self._slots)) + 1024

    def __getitem__(self, model_id: int) -> V:
        found = self.get(model_id)
        if found is None:
            raise KeyError(model_id)
        return found

    def get(self, model_id: int, default: Any = None) -> Any:  # type: ignore[override]
        if 0 <= model_id < len(self._slots):
            found = self._slots[model_id]
            if found is not None:
                return found
        return self._far.get(model_id, default) if self._far else default

    def __setitem__(self, model_id: int, value: V) -> None:
        if value is None:
            raise ValueError("an IdTable holds no None values")
        if model_id in self._far:
            self._far[model_id] = value
        elif self._near(model_id):
            slots = self._slots
            if model_id >= len(slots):
                slots.extend([None] * (model_id + 1 - len(slots)))
            if slots[model_id] is None:
                self._count += 1
            slots[model_id] = value
        else:
            self._far[model_id] = value
            self._count += 1

    def __delitem__(self, model_id: int) -> None:
        if 0 <= model_id < len(self._slots) and self._slots[model_id] is not None:
            self._slots[model_id] = None
        elif model_id in self._far:
            del self._far[model_id]
        else:
            raise KeyError(model_id)
        self._count -= 1

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, int) and self.get(model_id) is not None

    def __iter__(self) -> Iterator[int]:
        ids = [i for i, value in enumerate(self._slots) if value is not None]
        ids.extend(self._far)
        return iter(sorted(ids))

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"IdTable({dict(self.items())!r})"


@dataclass
class NameIndex:
    """Normalized names of every model the tracker knows, built once per store step.

    ``names``: normalized name → the model that has it, or the set of models when several do (most names
    belong to one model: an int takes a tenth of a one-element set's memory, and a crawl's index holds a
    name or two a repo); read it through :meth:`models_named`. ``keys`` and ``vendors`` by model id
    (:class:`IdTable`); ``by_key``: the lower-case keys a reviewed alias names (what :meth:`resolve` looks up).

    ``every_key`` False (a crawl's index, :class:`tracker.update.documents.NameIndexCache`): ``keys`` holds
    only the keys of models that share a name with another — the only keys linking reads (the candidates of
    an ambiguous name) — and a crawl's index holds no key a repo. A model that comes to share a name after
    its key was passed over waits in ``keys_wanted`` until :func:`load_wanted_keys` reads its key.
    """

    names: dict[str, int | set[int]] = field(default_factory=dict)
    derivatives: set[int] = field(default_factory=set)
    keys: IdTable[str] = field(default_factory=IdTable)
    vendors: IdTable[str] = field(default_factory=IdTable)
    by_key: dict[str, int] = field(default_factory=dict)
    every_key: bool = True
    keys_wanted: set[int] = field(default_factory=set)

    def _shared(self, model_ids: Iterable[int]) -> None:
        if not self.every_key:
            self.keys_wanted.update(m for m in model_ids if m not in self.keys)

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
            self._shared((model_id,))
        elif found != model_id:
            self.names[form] = {found, model_id}
            self._shared((found, model_id))
        return form

    def add_model(self, model_id: int, key: str, name: str | None, vendor: str, derivative: bool) -> set[str]:
        """A model's key and display name, its vendor and whether it is a derivative.

        Returns the normalized names whose resolution this can change: the model's own, and the reviewed
        aliases that name its key.
        """
        low = key.lower()
        if self.every_key:
            self.keys[model_id] = key
        self.vendors[model_id] = sys.intern(vendor)  # a few vendors, many models: one string each
        named = alias_forms().get(low, ())
        if named:  # only an alias's key is looked up by key (:meth:`resolve`): the others need no entry
            self.by_key[low] = model_id
        if derivative:
            self.derivatives.add(model_id)
        forms = {f for f in (self.add(key, model_id), self.add(name, model_id)) if f is not None}
        forms.update(named)
        if model_id in self.keys_wanted:  # it shares a name already: its key is at hand
            self.keys[model_id] = key
            self.keys_wanted.discard(model_id)
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


def load_wanted_keys(session: Session, index: NameIndex) -> None:
    """Read the keys of the models that came to share a name while their key was not held (``every_key`` False)."""
    for part in in_chunks(sorted(index.keys_wanted)):
        for model_id, key in session.execute(select(Model.id, Model.key).where(Model.id.in_(part))):
            index.keys[model_id] = key
    index.keys_wanted.clear()


def build_index(session: Session, *, every_key: bool = True) -> NameIndex:
    """Every name of every model: keys, names, OpenRouter ids/names/slugs, Hub repos, crosswalk ids.

    ``every_key`` False: only the keys linking reads (see :class:`NameIndex`), all of them read by the end.
    """
    index = NameIndex(every_key=every_key)
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
    if index.keys_wanted:
        load_wanted_keys(session, index)
    return index


def resolve_all(index: NameIndex, mentions: Iterable[str]) -> dict[str, Resolution]:
    return {m: index.resolve(m) for m in set(mentions)}
