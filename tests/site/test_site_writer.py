"""The site writer: files written whole (temporary file + rename) with mode 0644, and only when changed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tracker.site import writer
from tracker.site.writer import write_if_changed


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_page_gets_its_folders_and_mode_0644_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "models" / "vendor" / "model" / "index.html"
    old = os.umask(0o077)
    try:
        assert write_if_changed(target, "<p>é</p>") is True
    finally:
        os.umask(old)
    assert target.read_bytes() == "<p>é</p>".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _leftovers(target.parent) == []


def test_an_unchanged_page_is_not_rewritten_and_a_changed_one_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "index.html"
    write_if_changed(target, b"one")
    inode = target.stat().st_ino
    assert write_if_changed(target, b"one") is False
    assert target.stat().st_ino == inode
    assert write_if_changed(target, b"two") is True  # same size, other bytes
    assert target.read_bytes() == b"two"
    assert target.stat().st_ino != inode  # a new file renamed over the old one, never rewritten in place
    assert _leftovers(tmp_path) == []


def test_a_leftover_temporary_file_with_this_process_name_is_left_alone(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(writer, "_temp_numbers", iter([7]))
    leftover = tmp_path / f".index.html.{os.getpid()}-7.tmp"
    leftover.write_bytes(b"someone else's")
    assert write_if_changed(tmp_path / "index.html", b"page") is True
    assert (tmp_path / "index.html").read_bytes() == b"page"
    assert leftover.read_bytes() == b"someone else's"
    assert _leftovers(tmp_path) == [leftover.name]


def test_a_failed_write_leaves_no_temporary_file_and_the_old_page(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "index.html"
    write_if_changed(target, b"old")

    def fail(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer.os, "write", fail)
    with pytest.raises(OSError):
        write_if_changed(target, b"new page")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []
