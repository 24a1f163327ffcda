"""Access to ../shared/corpus files in date order, and serving them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.server import FakeServer, Reply


def openrouter_snapshots(corpus: Path) -> list[Path]:
    """The ``/models`` snapshots, oldest first (file names sort by capture time)."""
    return sorted((corpus / "openrouter").glob("models-*.json"))


def snapshot(corpus: Path, name: str) -> Path:
    return corpus / "openrouter" / f"models-{name}.json"


def serve_openrouter(server: FakeServer, path: Path) -> None:
    """Serve one recorded snapshot at ``/api/v1/models`` exactly as recorded."""
    server.route("/api/v1/models", Reply(200, path.read_bytes(), {"Content-Type": "application/json"}))


def load(path: Path) -> Any:
    return json.loads(path.read_bytes())
