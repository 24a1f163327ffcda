"""Helpers of the scheduling tests: settings as a TOML file, the CLI in a subprocess, a held-up reply, runs."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.server import Reply
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import ENV_VARS, Settings
from tracker.store.tables import Run

REPO = Path(__file__).resolve().parents[2]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def settings_toml(settings: Settings) -> str:
    """``settings`` written as the TOML file a user would write (None values left out)."""
    top, sections = [], []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value):
            lines = [f"[{f.name}]"]
            for inner in dataclasses.fields(value):
                item = getattr(value, inner.name)
                if item is not None:
                    lines.append(f"{inner.name} = {_toml_value(item)}")
            sections.append("\n".join(lines))
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            for entry in value:
                lines = [f"[[{f.name}]]"]
                lines += [f"{i.name} = {_toml_value(getattr(entry, i.name))}" for i in dataclasses.fields(entry)]
                sections.append("\n".join(lines))
        elif value is not None and value != ():
            top.append(f"{f.name} = {_toml_value(value)}")
    return "\n".join(top) + "\n\n" + "\n\n".join(sections) + "\n"


def write_config(settings: Settings, path: Path) -> Path:
    path.write_text(settings_toml(settings), encoding="utf-8")
    return path


def only_sources(settings: Settings, *names: str) -> Settings:
    """``settings`` with every other registered source disabled (those that have an ``enabled`` setting)."""
    from tracker.sources.registry import SOURCES

    changes = {}
    for source in SOURCES:
        section = getattr(settings, source, None)
        if source not in names and dataclasses.is_dataclass(section) and hasattr(section, "enabled"):
            changes[source] = dataclasses.replace(section, enabled=False)
        elif source in names and dataclasses.is_dataclass(section) and hasattr(section, "enabled"):
            changes[source] = dataclasses.replace(section, enabled=True)
    return dataclasses.replace(settings, **changes)


def clean_env(config: Path) -> dict[str, str]:
    """The environment of a CLI subprocess: no TRACKER_* or HF_TOKEN from outside, the config file set."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS and not k.startswith("TRACKER_")}
    env["TRACKER_CONFIG"] = str(config)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class TrackerProcess:
    """``tracker ARGS`` as a real process in its own session (a test can kill its whole process group).

    Its output is collected by background threads, so a test can look at it while it runs.
    """

    def __init__(self, config: Path, *args: str, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracker", "-v", *args],
            env=clean_env(config),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.pid = self.proc.pid
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            self.proc.send_signal(sig)

    def wait(self, timeout: float = 120) -> int:
        try:
            code = self.proc.wait(timeout)
        finally:
            self.kill_group()
        for reader in self._readers:
            reader.join(10)
        return code

    def kill_group(self) -> None:
        """SIGKILL the process and its children (a no-op once they are gone)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)


class HeldReply:
    """A route that holds every request until released (a crawl caught mid-fetch), then answers ``reply``."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.count = 0

    def __call__(self, _request: Any) -> Reply:
        self.count += 1
        self.arrived.set()
        self.release.wait(120)
        return self.reply


def wait_for(predicate: Callable[[], Any], timeout: float = 90.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def crawl_runs(sessions: sessionmaker[Session], source: str = "openrouter") -> list[Run]:
    with sessions() as session:
        return list(session.scalars(select(Run).where(Run.job == "crawl", Run.source == source).order_by(Run.id)).all())


def runs_of(sessions: sessionmaker[Session], job: str) -> list[Run]:
    with sessions() as session:
        return list(session.scalars(select(Run).where(Run.job == job).order_by(Run.id)).all())
