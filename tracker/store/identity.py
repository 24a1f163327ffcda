"""Model identity rows: create the ``models`` row a source record belongs to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.store.tables import Model


def ensure_models(
    session: Session, entries: Iterable[tuple[str, str, str | None]], *, seen_at: dt.datetime
) -> dict[str, int]:
    """``{key: model id}`` for ``(key, vendor, name)`` entries, creating missing rows."""
    wanted: dict[str, tuple[str, str | None]] = {}
    for key, vendor, name in entries:
        if key not in wanted or (wanted[key][1] is None and name):
            wanted[key] = (vendor, name)
    ids: dict[str, int] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        ids.update({k: i for i, k in session.execute(select(Model.id, Model.key).where(Model.key.in_(part)))})
    missing = [
        {
            "key": key,
            "vendor": wanted[key][0],
            "name": wanted[key][1],
            "first_seen_at": seen_at,
            "is_derivative": False,
            "open_weight_status": "unknown",
            "updated_at": seen_at,
        }
        for key in keys
        if key not in ids
    ]
    for start in range(0, len(missing), 1000):
        for model_id, key in session.execute(
            insert(Model).returning(Model.id, Model.key, sort_by_parameter_order=True),
            missing[start : start + 1000],
        ):
            ids[key] = model_id
    return ids
