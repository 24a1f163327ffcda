"""What a crawl did, in numbers: returned by the runner, printed by the CLI."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.events.types import Event


@dataclass
class CrawlSummary:
    source: str
    run_id: int | None = None
    #: ``success``, ``partial``, ``failed``.
    status: str = "failed"
    complete: bool = False
    seen: int = 0
    new: int = 0
    changed: int = 0
    delisted: int = 0
    unchanged: int = 0
    writes: int = 0
    requests: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    message: str | None = None
    finished_at: dt.datetime | None = None
    #: Source-specific extra figures (e.g. ``details_fetched`` for the Hub).
    extra: dict[str, Any] = field(default_factory=dict)

    def absorb(self, counts: Mapping[str, int], events: Iterable[Event] = ()) -> None:
        for name in ("seen", "new", "changed", "delisted", "unchanged", "writes"):
            setattr(self, name, getattr(self, name) + int(counts.get(name, 0)))
        self.events.update(e.kind for e in events)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "complete": self.complete,
            "seen": self.seen,
            "new": self.new,
            "changed": self.changed,
            "delisted": self.delisted,
            "unchanged": self.unchanged,
            "writes": self.writes,
            "requests": self.requests,
            "rejected": dict(self.rejected),
            "errors": dict(self.errors),
            "events": dict(self.events),
            "message": self.message,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "extra": self.extra,
        }

    def run_fields(self, *, requests: int, counts: dict[str, Any] | None = None) -> dict[str, Any]:
        """Keyword arguments for :func:`tracker.store.runs.finish_run` that record this summary on its run."""
        return {
            "status": self.status,
            "error_message": self.message,
            "counts": self.to_dict() if counts is None else counts,
            "complete": self.complete,
            "items_seen": self.seen,
            "items_new": self.new,
            "items_changed": self.changed,
            "items_delisted": self.delisted,
            "items_rejected": sum(self.rejected.values()),
            "errors": sum(self.errors.values()),
            "requests": requests,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CrawlSummary:
        summary = cls(source=data["source"])
        for name in (
            "run_id",
            "status",
            "complete",
            "seen",
            "new",
            "changed",
            "delisted",
            "unchanged",
            "writes",
            "requests",
            "message",
        ):
            if name in data:
                setattr(summary, name, data[name])
        summary.rejected = Counter(data.get("rejected") or {})
        summary.errors = Counter(data.get("errors") or {})
        summary.events = Counter(data.get("events") or {})
        summary.extra = dict(data.get("extra") or {})
        if data.get("finished_at"):
            summary.finished_at = dt.datetime.fromisoformat(data["finished_at"])
        return summary

    def render(self) -> str:
        """Human-readable lines for the terminal."""
        owed = self.extra.get("owed")
        lines = [
            f"{self.source}: {self.status}"
            + (f", {owed} owed" if owed and self.status != "success" else "")
            + ("" if self.complete or self.status == "failed" else " (listing incomplete: nothing delisted)"),
            f"  models seen {self.seen}, new {self.new}, changed {self.changed}, delisted {self.delisted}, "
            f"rejected {sum(self.rejected.values())}",
        ]
        for name, value in sorted(self.extra.items()):
            if isinstance(value, int | float | str):
                lines.append(f"  {name.replace('_', ' ')}: {value}")
        if self.rejected:
            reasons = ", ".join(f"{reason} ×{count}" for reason, count in self.rejected.most_common())
            lines.append(f"  rejected: {reasons}")
        if self.errors:
            reasons = ", ".join(f"{reason} ×{count}" for reason, count in self.errors.most_common())
            lines.append(f"  errors: {reasons}")
        if self.events:
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.events.items()))
            lines.append(f"  events: {kinds}")
        if self.message:
            lines.append(f"  {self.message}")
        return "\n".join(lines)
