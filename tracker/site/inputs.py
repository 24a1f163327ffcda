"""What the last build was made from: the stamp of its inputs and one input hash per page.

Recorded in the output folder (``.tracker-site-inputs.json``) rather than in the database: the
hashes describe the files of *that* folder (two folders built from one database each keep their
own), a build can read from a read-only replica, and deleting the folder forgets them. A rebuild
whose stamp (database aggregates, settings, newsletter archive, templates and site code) equals
the recorded one has nothing to do; otherwise only pages whose input hash differs from the
recorded one, or whose file is missing, are rendered. A missing, unreadable or older-version
file means "nothing is known": everything is rendered (and files still written only if changed).

Everything here is pure except :func:`read_inputs`, :func:`write_inputs` and :func:`code_stamp`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tracker.paths import templates_dir

FILE = ".tracker-site-inputs.json"
#: Bump when the meaning of the recorded hashes changes.
VERSION = 1


@dataclass(frozen=True)
class BuiltInputs:
    """The inputs of one build: its stamp, its counts and each produced file's input hash."""

    stamp: str
    models: int = 0
    pages: int = 0
    #: Site-relative file → input hash.
    hashes: dict[str, str] = field(default_factory=dict)
    #: What the build reported (repeated by a rebuild that finds nothing changed).
    problems: tuple[str, ...] = ()


def page_hash(salt: str, *parts: Any) -> str:
    """PURE: the input hash of a page from the values it is rendered from.

    Values are the site's dataclasses (rows, summaries, page contexts), whose ``repr`` shows every
    field deterministically (dicts keep insertion order, which comes from sorted queries).
    """
    h = hashlib.blake2b(salt.encode(), digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def content_hash(content: str | bytes) -> str:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def build_stamp(database: str, settings: Any, archive: str, code: str) -> str:
    """PURE: one stamp over everything a build reads."""
    return hashlib.blake2b("\x00".join((database, repr(settings), archive, code)).encode(), digest_size=16).hexdigest()


def unchanged(previous: BuiltInputs | None, stamp: str, listed: Iterable[str], missing: Iterable[str]) -> bool:
    """PURE: the last build's output is still right: same stamp, the folder's file list (``listed``)
    is the one the record hashed, and none of its files is ``missing``."""
    return (
        previous is not None
        and previous.stamp == stamp
        and set(listed) == set(previous.hashes)
        and not any(True for _ in missing)
    )


def needs_render(previous: BuiltInputs | None, rel_path: str, digest: str) -> bool:
    """PURE: a page must be rendered unless the last build recorded the same input hash for it."""
    return previous is None or previous.hashes.get(rel_path) != digest


def read_inputs(out_dir: Path) -> BuiltInputs | None:
    try:
        raw = orjson.loads((out_dir / FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(raw, dict) or raw.get("version") != VERSION or not isinstance(raw.get("hashes"), dict):
        return None
    return BuiltInputs(
        stamp=str(raw.get("stamp", "")),
        models=int(raw.get("models", 0)),
        pages=int(raw.get("pages", 0)),
        hashes={str(k): str(v) for k, v in raw["hashes"].items()},
        problems=tuple(str(p) for p in raw.get("problems", ())),
    )


def write_inputs(out_dir: Path, built: BuiltInputs) -> None:
    """Write the record atomically (a build that dies before this leaves the old record, never half of one)."""
    data = orjson.dumps(
        {
            "version": VERSION,
            "stamp": built.stamp,
            "models": built.models,
            "pages": built.pages,
            "problems": list(built.problems),
            "hashes": dict(sorted(built.hashes.items())),
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{FILE}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, out_dir / FILE)


def code_stamp() -> str:
    """The templates and the site's code: a change to either re-renders every page."""
    h = hashlib.blake2b(digest_size=16)
    site_code = Path(__file__).resolve().parent
    for folder, pattern in ((templates_dir() / "site", "*"), (site_code, "*.py")):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def archive_stamp(folder: Path) -> str:
    """The newsletter archive's files (names, sizes, contents)."""
    h = hashlib.blake2b(digest_size=16)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()
