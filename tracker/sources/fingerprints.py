"""A set of request fingerprints that costs their bytes, not a Python object each.

Scrapy's duplicate filter keeps one ``bytes`` object per request in a ``set`` (~53 bytes an object and
16–32 bytes of table for a 20-byte SHA-1): for a Hub crawl, one per repo, the largest part of what grew
with the crawl after the name index. :class:`FingerprintSet` keeps the fingerprints in one sorted
``bytes`` of fixed-width records (looked up by bisection) and a small ``set`` of the newest ones, merged
into the sorted records when it fills: exact (every fingerprint whole), about 20 bytes a request.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterator

#: Fingerprints held as objects before they are merged into the sorted records.
PENDING = 4096


class _Records:
    """The sorted records as a sequence of ``bytes`` (what :func:`bisect.bisect_left` needs)."""

    __slots__ = ("blob", "width")

    def __init__(self, blob: bytes, width: int) -> None:
        self.blob, self.width = blob, width

    def __len__(self) -> int:
        return len(self.blob) // self.width if self.width else 0

    def __getitem__(self, index: int) -> bytes:
        start = index * self.width
        return self.blob[start : start + self.width]

    def __iter__(self) -> Iterator[bytes]:
        width = self.width
        for start in range(0, len(self.blob), width):
            yield self.blob[start : start + width]


class FingerprintSet:
    """Fingerprints of one width (the fingerprinter's: 20 bytes by default); any other width is kept apart."""

    __slots__ = ("_other", "_pending", "_records")

    def __init__(self) -> None:
        self._records = _Records(b"", 0)
        self._pending: set[bytes] = set()
        self._other: set[bytes] = set()

    def __contains__(self, fingerprint: bytes) -> bool:
        if fingerprint in self._pending or fingerprint in self._other:
            return True
        records = self._records
        if len(fingerprint) != records.width or not records.blob:
            return False
        at = bisect_left(records, fingerprint)
        return at < len(records) and records[at] == fingerprint

    def add(self, fingerprint: bytes) -> None:
        if fingerprint in self:
            return
        if not self._records.width:
            self._records.width = len(fingerprint)
        if len(fingerprint) != self._records.width:
            self._other.add(fingerprint)
            return
        self._pending.add(fingerprint)
        if len(self._pending) >= PENDING:
            self._merge()

    def _merge(self) -> None:
        width = self._records.width
        merged = bytearray((len(self._records) + len(self._pending)) * width)
        for at, fingerprint in enumerate(heapq.merge(self._records, sorted(self._pending))):
            merged[at * width : (at + 1) * width] = fingerprint
        self._records = _Records(bytes(merged), width)
        self._pending = set()

    def __len__(self) -> int:
        return len(self._records) + len(self._pending) + len(self._other)
