"""Epoch AI model CSVs ("All AI models", "Notable", "Large-scale"): one row per model.

Column sets differ between exports (31 to 43 columns); only ``Model`` is required. Read, when present:

* ``Model accessibility`` → open-weight evidence: ``Open weights (unrestricted | restricted use |
  non-commercial)`` → ``open``; ``API access`` / ``Hosted access (no API)`` → ``api-only``; ``Unreleased`` →
  ``no-weights``; empty → no value. Any other label is counted (``unknown-accessibility``) and the row kept
  without it;
* ``Parameters`` (a float in text, ``235000000000.0``) → total parameters;
* ``Publication date`` (``YYYY-MM-DD``) → release date;
* ``Link`` → a Hugging Face repo when it points at one (``huggingface.co/org/name``).

Rows without a model name are rejected (``no-name``); a parameter count that is not a number rejects the row.
Epoch names no OpenRouter ids and no offer: its values are evidence, never compared with a price.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from tracker.errors import NormalizationError
from tracker.normalize.peers.types import CatalogEntry, CatalogParse, CatalogValue, EntryProblem, count_value, exact

CATALOG = "epoch"
ACCESSIBILITY = {
    "open weights (unrestricted)": "open",
    "open weights (restricted use)": "open",
    "open weights (non-commercial)": "open",
    "api access": "api-only",
    "hosted access (no api)": "api-only",
    "unreleased": "no-weights",
}
_HF_REPO = re.compile(r"^https?://huggingface\.co/([A-Za-z0-9][\w.-]*/[\w.-]+)/?$")


def parse_epoch(text: str, *, version: str, snapshot_at: dt.datetime | None) -> CatalogParse:
    result = CatalogParse(catalog=CATALOG, version=version, snapshot_at=snapshot_at)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or "Model" not in reader.fieldnames:
        raise NormalizationError("not-a-catalog", f"Epoch CSV without a Model column: {reader.fieldnames!r}"[:200])
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        name = (row.get("Model") or "").strip()
        if not name:
            result.rejected.append(EntryProblem(f"line {line}", "no-name"))
            continue
        key = name[:300]
        if key in seen:
            result.ignored.append(EntryProblem(key, "duplicate-row", f"line {line}"))
            continue
        seen.add(key)
        values: list[CatalogValue] = []
        access = (row.get("Model accessibility") or "").strip()
        if access:
            status = ACCESSIBILITY.get(access.lower())
            if status is None:
                result.ignored.append(EntryProblem(key, "unknown-accessibility", access[:100]))
            else:
                quote = f"Model accessibility: {access}"
                values.append(CatalogValue("openness", "", status, None, None, quote[:300]))
        params = (row.get("Parameters") or "").strip()
        if params:
            try:
                number = exact(params, "Parameters", noise=False)
                values.append(count_value("params_total", int(number), "Parameters"))
            except NormalizationError as exc:
                result.rejected.append(EntryProblem(key, exc.reason, exc.detail))
                continue
        published = (row.get("Publication date") or "").strip()
        if published:
            try:
                day = dt.date.fromisoformat(published)
                values.append(
                    CatalogValue("release_date", "", day.isoformat(), None, None, f"Publication date: {published}")
                )
            except ValueError:
                result.ignored.append(EntryProblem(key, "bad-date", published[:40]))
        link = (row.get("Link") or "").strip().split(",")[0].strip()
        match = _HF_REPO.match(link)
        if not values:
            result.ignored.append(EntryProblem(key, "no-values"))
            continue
        result.entries.append(
            CatalogEntry(
                catalog=CATALOG,
                key=key,
                offer="",
                openrouter_ids=(),
                hf_repos=(match.group(1),) if match else (),
                name=name,
                values=tuple(values),
            )
        )
    return result
