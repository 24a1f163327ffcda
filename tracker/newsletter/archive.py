"""The issue archive: ``<archive_dir>/<YYYY-Www>/`` with the rendered files and the data used.

Layout (fixed, read by the site's newsletter archive too):

* ``subject.txt`` — the subject line and a newline;
* ``email.html`` — the HTML part, CSS inlined;
* ``email.txt`` — the plain-text part;
* ``data.json`` — the :class:`~tracker.newsletter.content.IssueContext`, from
  which :func:`rerender` reproduces the three files byte for byte.

Files are replaced atomically and only when their bytes change.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from tracker.newsletter.content import IssueContext, context_from_dict, context_to_dict
from tracker.newsletter.errors import NewsletterError
from tracker.newsletter.render import RenderedIssue, render_issue

SUBJECT, HTML, TEXT, DATA = "subject.txt", "email.html", "email.txt", "data.json"


def issue_dir(archive_dir: str | Path, week: str) -> Path:
    return Path(archive_dir) / week


def data_bytes(context: IssueContext) -> bytes:
    """The canonical data.json (sorted keys, two-space indent, UTF-8, final newline)."""
    text = json.dumps(context_to_dict(context), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def data_hash(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def files_of(context: IssueContext, rendered: RenderedIssue) -> dict[str, bytes]:
    return {
        SUBJECT: (rendered.subject + "\n").encode("utf-8"),
        HTML: rendered.html.encode("utf-8"),
        TEXT: rendered.text.encode("utf-8"),
        DATA: data_bytes(context),
    }


def write_issue(folder: Path, context: IssueContext, rendered: RenderedIssue) -> bool:
    """Write the four files; True when any of them changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = False
    for name, content in files_of(context, rendered).items():
        path = folder / name
        if path.is_file() and path.read_bytes() == content:
            continue
        _atomic_write(path, content)
        changed = True
    return changed


def _atomic_write(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_context(folder: Path) -> IssueContext:
    """The context stored in ``folder/data.json``."""
    path = folder / DATA
    try:
        data = json.loads(path.read_bytes())
        return context_from_dict(data)
    except FileNotFoundError as exc:
        raise NewsletterError(f"no archived issue at {folder} (run `tracker newsletter build` first)") from exc
    except (ValueError, TypeError) as exc:
        raise NewsletterError(f"{path} is not a readable issue: {exc}") from exc


def rerender(folder: Path) -> RenderedIssue:
    """Render an archived issue again from its data.json."""
    return render_issue(read_context(folder))
