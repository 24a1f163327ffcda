"""A model page's quick key: what tells a rebuild that a page's inputs are unchanged without hashing them.

A model page's input hash (:func:`tracker.site.inputs.page_hash` of its model row, summary, events,
claims, disputes, lineage, card document, offers, catalog values and its rows' aggregates) costs
~85 µs a page: at 10,000 models most of a price change's worker time, spent on pages that did not
change. Most of those inputs come from tables that a price change does not touch, so the quick key
stands for all of them at once by the database stamp's figures of every such table
(:func:`static_digest`), and adds per model only what comes from the tables that change under it
(:data:`PER_MODEL`): its summary's digest, its event ids (events are only ever inserted), its base's
and derivatives' summary digests, its retirement date and its rows' aggregates. Equal quick keys
therefore mean equal inputs; when any other table changed, every quick key differs and each page's
full input hash decides, as before.

The record keeps both, as ``hash/key`` (:func:`joined`): a page whose quick key is the recorded one
keeps its recorded hash and file without its inputs being hashed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import orjson

from tracker.site.generators.model_pages import ModelPagesInputs
from tracker.site.queries import ModelRow

#: Tables whose rows enter a model page only through what :func:`model_key` hashes per model
#: (summaries, rows' aggregates, retirement dates, event ids).
PER_MODEL = frozenset({"prices", "openrouter_listings", "events"})
SEPARATOR = "/"


def static_digest(salt: str, figures: Mapping[str, object]) -> str:
    """PURE: the digest of the build's salt and the stamp figures of every table but :data:`PER_MODEL`."""
    rest = {name: values for name, values in figures.items() if name not in PER_MODEL}
    data = salt.encode() + b"\x00" + orjson.dumps(rest, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def model_key(static: str, pages: ModelPagesInputs, model: ModelRow, rows: Sequence[str]) -> str:
    """PURE (but for the digests it caches): the quick key of ``model``'s page; ``rows`` are the
    aggregates of its rows and of those of the models renamed into it."""
    site = pages.site
    summaries, digest = site.summaries, site.tables.digest
    h = hashlib.blake2b(static.encode(), digest_size=16)
    h.update(digest(summaries[model.id]))
    if model.base_model_id is not None and (base := summaries.get(model.base_model_id)) is not None:
        h.update(b"b" + digest(base))
    for summary, relation in pages.derivatives.get(model.id, ()):
        h.update(b"d" + digest(summary) + repr(relation).encode())
    events = pages.events.get(model.id, ())
    retires = site.data.retirements.get(model.id)
    h.update(repr(([e.id for e in events], retires, list(rows))).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def joined(digest: str, key: str) -> str:
    """What the record keeps for a model page: its input hash and its quick key."""
    return f"{digest}{SEPARATOR}{key}"


def split(recorded: str | None) -> tuple[str | None, str | None]:
    """PURE: (input hash, quick key) of what the record holds for a page (no key: recorded before keys)."""
    if recorded is None:
        return None, None
    digest, _sep, key = recorded.partition(SEPARATOR)
    return digest, key or None
