"""Which model a renamed model became: the rule the site and ``tracker models`` share. Pure.

OpenRouter sometimes moves a model to a new id (``anthropic/claude-3-5-haiku`` →
``anthropic/claude-3.5-haiku``); the diff reports one ``model_renamed`` event, but the
store keeps a ``models`` row per id. The old id's model (its OpenRouter id, else its key)
is linked to the event's model when the two differ and the old model is no longer listed
anywhere on OpenRouter (a rename whose old id is still listed is two models); chains
follow to the newest id, a cycle links nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tracker.events.types import ModelRenamed


def renames_of(events: Iterable[Any]) -> list[tuple[str, str]]:
    """``(old listing id, new model key)`` of every ``model_renamed`` stored event, oldest first."""
    # The kind first: a stored event is decoded only when used (tracker.store.events.StoredEvent).
    renamed = [e for e in events if e.kind == ModelRenamed.kind and isinstance(e.event, ModelRenamed)]
    renamed.sort(key=lambda e: (e.event.detected_at, e.id))
    return [(e.event.old_id, e.event.model_key or e.event.subject) for e in renamed]


def rename_links(
    renames: Iterable[tuple[str, str]],
    models: Sequence[Any],
    listed: Mapping[int, bool],
) -> dict[int, int]:
    """Old model id → new model id, from ``(old listing id, new model key)`` pairs.

    ``models`` carry ``id``, ``key`` and ``openrouter_id``; ``listed``: model id → whether one
    of its OpenRouter listings is listed now.
    """
    by_key = {m.key: m.id for m in models}
    by_listing = {m.openrouter_id: m.id for m in models if m.openrouter_id}
    direct: dict[int, int] = {}
    for old_id, new_key in renames:
        old = by_listing.get(old_id, by_key.get(old_id))
        new = by_key.get(new_key)
        if old is None or new is None or old == new or listed.get(old, False):
            continue
        direct[old] = new
    links: dict[int, int] = {}
    for old in direct:
        seen = {old}
        target = direct[old]
        while target in direct and target not in seen:
            seen.add(target)
            target = direct[target]
        if target not in seen:
            links[old] = target
    return links
