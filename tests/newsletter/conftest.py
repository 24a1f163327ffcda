"""Newsletter fixtures: a real SMTP server on loopback and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nl_smtp import Recorder, SmtpServer, newsletter_settings, start_smtp

from tracker.config import Settings


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = start_smtp(Recorder())
    yield server
    server.controller.stop()


@pytest.fixture
def nl_settings(db_url: str, tmp_path: Path, smtp_server: SmtpServer) -> Settings:
    """Settings with a test archive, fixed site and unsubscribe URLs, and SMTP at the loopback server."""
    return newsletter_settings(db_url, tmp_path, smtp_server.port)
