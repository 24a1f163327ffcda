"""Write the site's files, touching only those whose content changed.

Each file is compared with what is on disk (size first, then bytes) and
written atomically (temporary file + rename) only when it differs, so a
rebuild with no data change rewrites nothing and a reader never sees half a
page. A manifest (``.tracker-site``) lists the files of the last build: files
it lists that the new build no longer produces are removed, and nothing else
in the folder is ever deleted. A non-empty folder without a manifest is
refused, so ``--out`` cannot clobber an unrelated directory.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from tracker.errors import TrackerError

MANIFEST = ".tracker-site"


class SiteError(TrackerError):
    """The site cannot be built where asked (or a page cannot be written)."""


class SiteWriter:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.written: list[str] = []
        self.unchanged: list[str] = []
        self.removed: list[str] = []
        self._produced: set[str] = set()
        self._previous = self._check_folder()

    def _check_folder(self) -> set[str]:
        out = self.out_dir
        if out.exists() and not out.is_dir():
            raise SiteError(f"{out} exists and is not a folder")
        manifest = out / MANIFEST
        if manifest.is_file():
            return {line for line in manifest.read_text(encoding="utf-8").splitlines() if line}
        if out.is_dir() and any(out.iterdir()):
            raise SiteError(
                f"{out} is not empty and was not built by tracker (no {MANIFEST} file): "
                "choose an empty or new folder with --out"
            )
        return set()

    @property
    def previous(self) -> frozenset[str]:
        """The files the last build produced (its manifest)."""
        return frozenset(self._previous)

    def missing(self) -> Iterator[str]:
        """Files of the last build that are no longer in the folder."""
        return (p for p in sorted(self._previous) if not self._target(p).is_file())

    def _target(self, rel_path: str) -> Path:
        pure = PurePosixPath(rel_path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise SiteError(f"refusing to write outside the site folder: {rel_path!r}")
        return self.out_dir.joinpath(*pure.parts)

    def write(self, rel_path: str, content: str | bytes) -> bool:
        """Write ``content`` at ``rel_path`` unless the file already holds it; True when written."""
        written = write_if_changed(self._target(rel_path), content)
        self.record(rel_path, written)
        return written

    def record(self, rel_path: str, written: bool) -> None:
        """Account for a file written (or found unchanged) by :func:`write_if_changed` elsewhere."""
        if rel_path in self._produced:
            raise SiteError(f"two pages want the same file: {rel_path}")
        self._produced.add(rel_path)
        (self.written if written else self.unchanged).append(rel_path)

    def keep(self, rel_path: str) -> bool:
        """Leave ``rel_path`` as the previous build wrote it (its page could not be rendered this time,
        or its inputs are unchanged); False when there is no such file (nothing is kept)."""
        if rel_path in self._produced:
            raise SiteError(f"two pages want the same file: {rel_path}")
        if not self._target(rel_path).is_file():
            return False
        self._produced.add(rel_path)
        self.unchanged.append(rel_path)
        return True

    def target(self, rel_path: str) -> Path:
        return self._target(rel_path)

    def adopt(self, rel_path: str, built: Path) -> bool:
        """Move ``built`` (a file made inside the site folder, e.g. the database copy) to ``rel_path``
        unless the file there is identical, in which case ``built`` is deleted; True when written."""
        target = self._target(rel_path)
        if rel_path in self._produced:
            raise SiteError(f"two pages want the same file: {rel_path}")
        self._produced.add(rel_path)
        if _same_file(target, built):
            built.unlink()
            self.unchanged.append(rel_path)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(built, 0o644)
        os.replace(built, target)
        self.written.append(rel_path)
        return True

    def finish(self) -> None:
        """Remove files of the previous build that this build did not produce; update the manifest."""
        for rel_path in sorted(self._previous - self._produced):
            target = self._target(rel_path)
            if target.is_file():
                target.unlink()
                self.removed.append(rel_path)
                _prune_empty_parents(target.parent, self.out_dir)
        listing = "".join(f"{p}\n" for p in sorted(self._produced))
        manifest = self.out_dir / MANIFEST
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if not _same_content(manifest, listing.encode("utf-8")):
            _atomic_write(manifest, listing.encode("utf-8"))


def write_if_changed(target: Path, content: str | bytes) -> bool:
    """Write ``content`` to ``target`` atomically unless it already holds exactly that; True when written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if _same_content(target, data):
        return False
    _atomic_write(target, data)
    return True


def _same_content(target: Path, data: bytes) -> bool:
    try:
        if os.stat(target).st_size != len(data):
            return False
        with open(target, "rb") as fh:
            return fh.read() == data
    except FileNotFoundError:
        return False


def _same_file(target: Path, source: Path) -> bool:
    try:
        if target.stat().st_size != source.stat().st_size:
            return False
        with target.open("rb") as a, source.open("rb") as b:
            while True:
                left, right = a.read(1 << 20), b.read(1 << 20)
                if left != right:
                    return False
                if not left:
                    return True
    except FileNotFoundError:
        return False


#: Temporary files are opened exclusively, created with the page's final mode (then set exactly, whatever
#: the umask): nothing in the folder is ever overwritten or followed.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
_temp_numbers = itertools.count()


def _atomic_write(target: Path, data: bytes) -> None:
    """``data`` written to a new temporary file beside ``target`` (its folders made when missing), then
    renamed over it: a reader sees the old file or the new one, never half a page.

    The temporary name is this process's (``.name.<pid>-<n>.tmp``; a leftover of an earlier process with
    the same id makes it fall back to :func:`tempfile.mkstemp`): a few system calls a file instead of
    ``mkstemp``'s random names and a ``mkdir`` of every page's folder whether it exists or not (at
    10,000 models a cold build writes 11,400 files into 10,000 new folders).
    """
    folder = os.path.dirname(target)
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}-{next(_temp_numbers)}.tmp")
    try:
        fd = os.open(tmp, _CREATE, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, _CREATE, 0o644)
    except FileExistsError:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    try:
        try:
            os.fchmod(fd, 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
