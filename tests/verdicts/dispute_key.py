"""The labelled dispute key (``key/disputes.json``) applied to a database's open disputes.

``classify(session)`` reads every open dispute with its contrary claims and
labels it from the key: ``real`` when every contrary claim it lists is labelled
real, ``false`` when one is labelled false, ``unlabelled`` when a contrary claim
has no entry. Used by ``test_dispute_key.py`` and ``benchmarks/dispute_key.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.tables import Claim, Dispute, Model

KEY = Path(__file__).parent / "key" / "disputes.json"
FIELDS = ("model", "attribute", "qualifier", "value", "source")


@dataclass(frozen=True)
class Labelled:
    model: str
    attribute: str
    qualifier: str
    summary: str
    #: ``real``, ``false`` or ``unlabelled``.
    label: str
    why: tuple[str, ...]
    contrary: tuple[tuple[str, str], ...]  # (source, value)


@dataclass
class Classification:
    disputes: list[Labelled] = field(default_factory=list)

    def count(self, label: str) -> int:
        return sum(1 for d in self.disputes if d.label == label)

    @property
    def share_real(self) -> float:
        return self.count("real") / len(self.disputes) if self.disputes else 1.0


def load_key(path: Path = KEY) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["entries"]


def lookup(entries: Iterable[dict[str, Any]], **claim: str) -> dict[str, Any] | None:
    """The most specific entry matching ``claim`` (model, attribute, qualifier, value, source)."""
    best: tuple[int, dict[str, Any]] | None = None
    for entry in entries:
        if all(entry.get(k) is None or entry[k] == claim.get(k) for k in FIELDS):
            score = sum(1 for k in FIELDS if entry.get(k) is not None)
            if best is None or score > best[0]:
                best = (score, entry)
    return best[1] if best else None


def real_entries(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e["real"]]


def classify(session: Session, entries: list[dict[str, Any]] | None = None) -> Classification:
    entries = load_key() if entries is None else entries
    out = Classification()
    rows = session.execute(
        select(Dispute, Model.key)
        .join(Model, Model.id == Dispute.model_id)
        .where(Dispute.status == "open")
        .order_by(Model.key, Dispute.attribute, Dispute.qualifier)
    ).all()
    for dispute, key in rows:
        data = dispute.data or {}
        claims = session.scalars(select(Claim).where(Claim.id.in_(data.get("contrary", [])))).all()
        labels, why = [], []
        for claim in claims:
            entry = lookup(
                entries,
                model=key,
                attribute=dispute.attribute,
                qualifier=dispute.qualifier,
                value=claim.value,
                source=claim.source,
            )
            labels.append("unlabelled" if entry is None else ("real" if entry["real"] else "false"))
            if entry is not None:
                why.append(entry["why"])
        label = "unlabelled" if "unlabelled" in labels else ("false" if "false" in labels or not labels else "real")
        out.disputes.append(
            Labelled(
                model=key,
                attribute=dispute.attribute,
                qualifier=dispute.qualifier,
                summary=str(data.get("summary", "")),
                label=label,
                why=tuple(dict.fromkeys(why)),
                contrary=tuple((c.source, c.value) for c in claims),
            )
        )
    return out
