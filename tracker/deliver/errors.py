"""Errors of the delivery side, reported to users as one line."""

from __future__ import annotations

from tracker.errors import TrackerError


class DeliveryError(TrackerError):
    """Mail cannot be sent at all: the SMTP server is unreachable, refuses the login, the sender is invalid."""


class AddressError(TrackerError):
    """An e-mail address is not valid."""


class TokenError(TrackerError):
    """A signed link token is malformed, forged or meant for something else."""
