"""A renamed model is one model on the site: the old id's page points to the new one. Pure.

OpenRouter sometimes moves a model to a new id (``anthropic/claude-3-5-haiku`` →
``anthropic/claude-3.5-haiku``); the diff reports one ``model_renamed`` event
(:class:`tracker.events.types.ModelRenamed`), but the store keeps a ``models``
row per id. The site folds them (:func:`fold_renamed`):

* **the link** (:func:`rename_links`): the old id's model (its OpenRouter id, else
  its key) is linked to the event's model when the two differ and the old model
  is no longer listed anywhere on OpenRouter (a rename whose old id is still
  listed is two models); chains follow to the newest id, a cycle links nothing;
* **one model**: the old model's listings, prices, claims, disputes, events and
  offers are shown under the new one, the old row leaves every table;
* **the old page** becomes a page that sends the browser to the new one
  (``renamed.html``, :class:`tracker.site.contexts.RenamedPage`), so links to the old id keep working.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from tracker.events.renames import rename_links, renames_of

__all__ = ["fold_renamed", "fold_rows", "rename_links", "renames_of"]


def fold_rows(
    listings: dict[int, list[Any]], prices: dict[int, list[Any]], links: Mapping[int, int]
) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """Listings and prices read for some models (and their renamed old ids), the old ids' under the new."""
    _merge(listings, links)
    for rows in listings.values():
        rows.sort(key=lambda r: r.id)
    _merge(prices, links)
    for rows in prices.values():
        rows.sort(key=lambda p: (p.subject, p.component, p.tier, p.first_seen_at, p.last_seen_at is None))
    return listings, prices


def _merge(groups: dict[int, list[Any]], links: Mapping[int, int], field: str = "model_id") -> None:
    for old, new in links.items():
        rows = groups.pop(old, [])
        if rows:
            moved = [dataclasses.replace(r, **{field: new}) for r in rows] if field else rows
            groups.setdefault(new, []).extend(moved)


def fold_renamed(
    data: Any, renames: Iterable[tuple[str, str]], listed: Mapping[int, bool] | None = None
) -> dict[str, str]:
    """Fold each renamed model into its new one in ``data`` (in place); returns old key → new key.

    ``listed`` (model id → listed on OpenRouter now) is read from ``data.listings`` unless given (a
    build that reads the listings a chunk at a time gives it); the links are kept in
    ``data.rename_ids`` (old model id → new) for rows read later (:func:`fold_rows`).
    """
    if listed is None:
        listed = {
            model_id: any(row.status == "listed" for row in rows) for model_id, rows in data.listings.items()
        }
    links = rename_links(renames, data.models, listed)
    data.rename_ids = links
    if not links:
        return {}
    keys = {m.id: m.key for m in data.models}
    fold_rows(data.listings, data.prices, links)
    _merge(data.claims, links)
    _merge(data.disputes, links)
    _merge(data.provider_offers, links, field="")
    for old, new in links.items():
        if old in data.retirements:
            data.retirements.setdefault(new, data.retirements.pop(old))
        if old in data.cards_by_model:
            data.cards_by_model.setdefault(new, data.cards_by_model.pop(old))
    data.events = [
        dataclasses.replace(e, model_id=links[e.model_id]) if e.model_id in links else e for e in data.events
    ]
    data.models = [
        dataclasses.replace(m, base_model_id=links.get(m.base_model_id, m.base_model_id))
        if m.base_model_id in links
        else m
        for m in data.models
        if m.id not in links
    ]
    return {keys[old]: keys[new] for old, new in links.items()}
