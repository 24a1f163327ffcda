"""One exception tree for the whole project.

The CLI turns any :class:`TrackerError` into a one-line message and a non-zero
exit status; anything else is a bug and shows a traceback.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Base class of every error the tracker reports to users."""


class ConfigError(TrackerError):
    """The configuration file or an environment variable is wrong."""


class DatabaseError(TrackerError):
    """The database cannot be opened or migrated."""


class NormalizationError(TrackerError):
    """A source record cannot be normalized; ``reason`` is a short code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class CrawlError(TrackerError):
    """A crawl could not complete (network, HTTP status, unparsable body)."""


class BackfillError(TrackerError):
    """An archived response cannot be imported."""


class ReadOnlyQueryError(TrackerError):
    """``tracker query`` was asked to change the database."""
