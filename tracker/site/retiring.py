"""The home page's "retiring soon" list: announced retirements still to come as of the newest change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.normalize.retirements import Retiring, retiring_after
from tracker.site.contexts import RetiringView

#: Retirements shown on the home page at most.
SHOWN = 20


def retiring_views(data: Any, summaries: Mapping[int, Any]) -> tuple[RetiringView, ...]:
    """Soonest first; "soon" is measured from the data's newest change (the site's clock), not the machine's."""
    latest = data.latest_event_at
    if latest is None or not data.retirements:
        return ()
    today = latest.date()
    items = [
        Retiring(summaries[model_id].key, summaries[model_id].name, None, "", date, "openrouter")
        for model_id, date in data.retirements.items()
        if model_id in summaries
    ]
    paths = {
        summaries[model_id].key: summaries[model_id].path for model_id in data.retirements if model_id in summaries
    }
    return tuple(
        RetiringView(name=r.name or r.key, path=paths[r.key], retires_on=r.retires_on, days_left=r.days_left(today))
        for r in retiring_after(items, today)[:SHOWN]
    )
