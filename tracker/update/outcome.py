"""What one update did: the counts a crawl summary shows, the extra figures, and the events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tracker.events.types import Event

COUNTS = ("seen", "new", "changed", "delisted", "unchanged", "writes")


@dataclass
class Outcome:
    #: ``seen``, ``new``, ``changed``, ``delisted``, ``unchanged``, ``writes``.
    counts: Counter[str] = field(default_factory=Counter)
    #: Source-specific figures (claims written, disputes opened, …); only non-zero ones are shown.
    extra: dict[str, int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    #: Models a chunk touched whose shown values are refreshed at the end of the crawl (OpenRouter chunks).
    affected: set[int] = field(default_factory=set)

    def absorb(self, counts: Mapping[str, int], events: Iterable[Event] = ()) -> None:
        for name in COUNTS:
            self.counts[name] += int(counts.get(name, 0))
        self.events.extend(events)

    def shown_extra(self) -> dict[str, int]:
        return {name: value for name, value in self.extra.items() if value}
