"""A seller's page that prices a model states *its offer's* context window. Pure.

Rule: in a vendor's own document (not a model card, not the press), a context length
stated for a model the same document also prices (a vendor price claim for that model)
describes the window that seller's API serves — DeepSeek's "Models & Pricing" page
listing ``deepseek-chat`` with ``CONTEXT LENGTH 64K`` and its per-token prices — not
the model's native context. Such a claim is tagged ``extra["window"] = "served"`` and
``extra["offer"] = "vendor api"`` (the offer a vendor's own price is, see
:mod:`tracker.claims.comparability`), so it is weighed only against the same offer's
served window, and against a native window only as "served at most native".

A claim that already names its window or offer keeps it. A model is matched by its
``model_id``, or by its mention while unresolved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

VENDOR_API = "vendor api"


class RecordLike(Protocol):
    model_id: int | None
    mention: str | None
    attribute: str
    reporter: str
    extra: dict[str, Any] | None


R = TypeVar("R", bound=RecordLike)


def _subject(record: RecordLike) -> tuple[str, str]:
    if record.model_id is not None:
        return ("model", str(record.model_id))
    return ("mention", (record.mention or "").strip().lower())


def offer_windows(records: Sequence[R], document_kind: str) -> list[R]:
    """``records`` of one document with the context lengths of priced models tagged as the offer's window."""
    if document_kind != "vendor":
        return list(records)
    priced = {_subject(r) for r in records if r.attribute == "price" and r.reporter == "vendor"}
    out: list[R] = []
    for record in records:
        extra = record.extra or {}
        if (
            record.attribute == "context_length"
            and record.reporter == "vendor"
            and _subject(record) in priced
            and _subject(record) != ("mention", "")
            and not extra.get("window")
            and not extra.get("offer")
        ):
            record = dataclasses.replace(record, extra={**extra, "window": "served", "offer": VENDOR_API})
        out.append(record)
    return out
