"""The digest's "catalogs that disagree with the source this week": disagreements first stored this week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from tracker.peers.report import label_of, new_disagreements

#: Disagreements listed in one issue (the rest are counted; the catalog page lists all).
MAX_LISTED = 10


def week_disagreements(
    session: Session, *, start: dt.datetime, end: dt.datetime, link: Any
) -> tuple[list[dict[str, str]], int]:
    """Rows for the newsletter (catalog, model, attribute, both values, verdict, link) and how many more."""
    found = new_disagreements(session, since=start, until=end)
    found.sort(key=lambda f: (f.catalog, f.model_key or "", f.label))
    rows = []
    for f in found[:MAX_LISTED]:
        o = f.outcome
        if o.verdict == "stale" and o.stale_since is not None:
            verdict = f"stale since {o.stale_since.date().isoformat()}"
        else:
            verdict = "wrong" + (f" by {o.percent:+}%" if o.percent is not None else "")

        def text(value: Any) -> str:
            return "—" if value is None else format(value.normalize(), "f")

        rows.append(
            {
                "catalog": f.source,
                "name": f.model_name or f.model_key or f.entry,
                "attribute": label_of(f.attribute, f.qualifier),
                "catalog_value": text(f.catalog_value),
                "primary_value": text(o.primary),
                "verdict": verdict,
                "url": link(f.model_key) if f.model_key else "",
            }
        )
    return rows, max(0, len(found) - MAX_LISTED)
