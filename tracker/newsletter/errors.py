"""Errors the newsletter reports to users."""

from __future__ import annotations

from tracker.errors import TrackerError


class NewsletterError(TrackerError):
    """An issue cannot be built, found or sent (bad week, missing archive, ...)."""
