"""A record a source sent that could not be used, and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rejection:
    #: What the record was about (an id), or a position such as ``data[17]``.
    subject: str
    #: Short code, e.g. ``invalid-id``, ``unparsable-price``, ``negative-price``.
    reason: str
    detail: str = ""
    url: str | None = None
