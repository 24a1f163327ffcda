"""The machine's process list (Linux ``/proc``): which processes a test started are still there."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str
    comm: str


def processes() -> list[Proc]:
    """Every process that exists now (zombies included, state ``Z``)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        state, ppid, pgid, sid = raw[raw.rindex(")") + 2 :].split()[:4]
        out.append(Proc(int(entry.name), int(ppid), int(pgid), int(sid), state, comm))
    return out


def in_session(sid: int) -> list[Proc]:
    """The live processes of session ``sid`` (a process started with ``start_new_session`` and its descendants)."""
    return [p for p in processes() if p.sid == sid and p.state != "Z"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not any(p.pid == pid and p.state == "Z" for p in processes())
