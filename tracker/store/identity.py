"""Model identity rows: create the ``models`` row a source record belongs to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from tracker.normalize.identity import vendor_key
from tracker.store.bulk import insert_returning, select_in
from tracker.store.tables import Model


def ensure_models(
    session: Session,
    entries: Iterable[tuple[str, str, str | None]],
    *,
    seen_at: dt.datetime,
    extra: Mapping[str, Mapping[str, Any]] | None = None,
    created: set[str] | None = None,
) -> dict[str, int]:
    """``{key: model id}`` for ``(key, vendor, name)`` entries, creating missing rows.

    ``extra[key]`` holds further column values for a row that gets created; the
    keys actually created are added to ``created`` when it is given.
    """
    wanted: dict[str, tuple[str, str | None]] = {}
    for key, vendor, name in entries:
        if key not in wanted or (wanted[key][1] is None and name):
            wanted[key] = (vendor, name)
    keys = sorted(wanted)
    ids: dict[str, int] = {k: i for i, k in select_in(session, Model.__table__, ["id", "key"], "key", keys)}
    missing = [
        {
            "key": key,
            "vendor": vendor_key(wanted[key][0]),  # one key per vendor, whatever its case or alias
            "name": wanted[key][1],
            "first_seen_at": seen_at,
            "is_derivative": False,
            "open_weight_status": "unknown",
            "updated_at": seen_at,
            "context_length": None,
            "openrouter_id": None,
            "released_at": None,
            **(extra or {}).get(key, {}),
        }
        for key in keys
        if key not in ids
    ]
    # rows are inserted in groups with the same columns (``extra`` may give some rows more)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in missing:
        groups.setdefault(tuple(row), []).append(row)
    for group in groups.values():
        ids.update(insert_returning(session, Model.__table__, group, "key"))
    if created is not None:
        created.update(row["key"] for row in missing)
    return ids
