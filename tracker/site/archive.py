"""Read the newsletter archive (``<archive_dir>/<YYYY-Www>/``) for the site's archive pages.

Each issue folder holds ``subject.txt``, ``email.html``, ``email.txt`` and
``data.json`` (see docs/architecture.md). The site shows the subject and the
plain-text part (escaped) and offers ``data.json``; the HTML part is not
republished, so the site never serves markup it did not render itself.
Folders that are not ISO weeks or lack a subject or text part are skipped
and reported.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")


@dataclass(frozen=True)
class ArchivedIssue:
    week: str
    subject: str
    text: str
    data_json: bytes | None


def read_archive(archive_dir: Path) -> tuple[list[ArchivedIssue], list[str]]:
    """Issues oldest first, and one message per folder that could not be read."""
    if not archive_dir.is_dir():
        return [], []
    issues, problems = [], []
    for folder in sorted(p for p in archive_dir.iterdir() if p.is_dir()):
        if not _WEEK.match(folder.name):
            continue
        try:
            subject = (folder / "subject.txt").read_text(encoding="utf-8").strip()
            text = (folder / "email.txt").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"newsletter {folder.name}: {exc}")
            log.warning("skipping newsletter issue %s: %s", folder.name, exc)
            continue
        data_file = folder / "data.json"
        data = data_file.read_bytes() if data_file.is_file() else None
        issues.append(ArchivedIssue(folder.name, subject or folder.name, text, data))
    return issues, problems
