"""Database leases so that a job never runs twice at the same time.

Two schedulers started by mistake, or a scheduler and a manual ``tracker run``,
share the database; before a job runs they take its lease in ``job_locks``:

* a free lease (no row, or ``holder`` NULL) is taken by an INSERT or a
  compare-and-swap UPDATE on ``version`` — exactly one contender wins, on SQLite
  (writes are serialized) and on Postgres (the row lock makes the loser's UPDATE
  match nothing) alike;
* the holder renews ``expires_at`` from a heartbeat thread while the job runs;
* a lease is taken over when its holder is gone: on this host, when its process
  and the crawl process it started (``child_pid``) no longer exist; on another
  host, when the lease expired;
* for scheduled runs, ``last_tick`` remembers the scheduled time of the last run
  that started, so that a second scheduler firing the same tick skips it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.store.runs import process_gone, utcnow
from tracker.store.tables.scheduler import JobLock

log = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(seconds=120)


def this_host() -> str:
    return socket.gethostname()[:255]


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine."""
    return bool(pid) and not process_gone(this_host(), pid)


@dataclass(frozen=True)
class LockState:
    """What ``job_locks`` says about one job."""

    name: str
    holder: str | None
    host: str | None
    pid: int | None
    trigger: str | None
    acquired_at: dt.datetime | None
    expires_at: dt.datetime | None
    released_at: dt.datetime | None
    last_tick: dt.datetime | None
    version: int
    child_pid: int | None = None

    @property
    def held(self) -> bool:
        return self.holder is not None

    def holder_gone(self, now: dt.datetime) -> bool:
        """The holder is presumed dead: its process and its crawl process are gone (this host), or its lease
        expired (another host)."""
        if self.holder is None:
            return True
        if self.host == this_host():
            holder_gone = process_gone(self.host, self.pid) or not self.pid
            return holder_gone and (not self.child_pid or process_gone(self.host, self.child_pid))
        return self.expires_at is None or self.expires_at <= now

    def describe(self) -> str:
        if self.holder is None:
            return f"{self.name}: free"
        since = self.acquired_at.strftime("%Y-%m-%d %H:%M:%S UTC") if self.acquired_at else "?"
        child = f", crawl process {self.child_pid}" if self.child_pid else ""
        return f"{self.name}: held by pid {self.pid}{child} on {self.host} ({self.trigger or '?'}) since {since}"

    def to_dict(self) -> dict[str, object]:
        def iso(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "name": self.name,
            "held": self.held,
            "holder": self.holder,
            "host": self.host,
            "pid": self.pid,
            "child_pid": self.child_pid,
            "trigger": self.trigger,
            "acquired_at": iso(self.acquired_at),
            "expires_at": iso(self.expires_at),
            "released_at": iso(self.released_at),
            "last_tick": iso(self.last_tick),
        }


def _state(row: Any) -> LockState | None:
    if row is None:
        return None
    return LockState(
        name=row.name,
        holder=row.holder,
        host=row.host,
        pid=row.pid,
        trigger=row.trigger,
        acquired_at=row.acquired_at,
        expires_at=row.expires_at,
        released_at=row.released_at,
        last_tick=row.last_tick,
        version=row.version,
        child_pid=row.child_pid,
    )


_COLUMNS = tuple(JobLock.__table__.c)


def read_lock(engine: Engine, name: str) -> LockState | None:
    with engine.connect() as conn:
        row = conn.execute(select(*_COLUMNS).where(JobLock.name == name)).one_or_none()
    return _state(row)


def all_locks(engine: Engine) -> list[LockState]:
    with engine.connect() as conn:
        rows = conn.execute(select(*_COLUMNS).order_by(JobLock.name)).all()
    return [s for s in (_state(r) for r in rows) if s is not None]


@dataclass
class Outcome:
    """The answer to an acquire: ``acquired``, ``busy`` (someone else holds it) or ``done`` (tick already run)."""

    status: str
    lease: Lease | None = None
    other: LockState | None = None

    @property
    def acquired(self) -> bool:
        return self.status == "acquired"

    def reason(self) -> str:
        if self.status == "done" and self.other is not None and self.other.last_tick is not None:
            return f"already run for the tick of {self.other.last_tick.strftime('%Y-%m-%d %H:%M:%S UTC')}"
        if self.other is not None:
            return f"already running elsewhere ({self.other.describe()})"
        return self.status


class LockManager:
    """Takes and renews leases for one process (or one scheduler: ``token`` tells two apart)."""

    def __init__(
        self,
        engine: Engine,
        *,
        lease: dt.timedelta = DEFAULT_LEASE,
        trigger: str = "cli",
        token: str | None = None,
    ) -> None:
        self.engine = engine
        self.lease = lease
        self.trigger = trigger
        self.host = this_host()
        self.pid = os.getpid()
        self.holder = f"{self.host}:{self.pid}:{token or secrets.token_hex(4)}"[:255]

    # ------------------------------------------------------------------ acquire

    def try_acquire(
        self, name: str, *, tick: dt.datetime | None = None, tick_tolerance: dt.timedelta = dt.timedelta(0)
    ) -> Outcome:
        """Take the lease of ``name`` if it is free or its holder is gone.

        With ``tick`` (a scheduled run), refuse as ``done`` when a run for this tick,
        or one no earlier than ``tick - tick_tolerance``, already started.
        """
        for _attempt in range(5):
            now = utcnow()
            current = read_lock(self.engine, name)
            last_tick = current.last_tick if current is not None else None
            if tick is not None and last_tick is not None and last_tick >= tick - tick_tolerance:
                return Outcome("done", other=current)
            if current is not None and current.held and not current.holder_gone(now):
                return Outcome("busy", other=current)
            values = {
                "holder": self.holder,
                "host": self.host,
                "pid": self.pid,
                "child_pid": None,
                "trigger": self.trigger,
                "acquired_at": now,
                "expires_at": now + self.lease,
                "released_at": None,
            }
            if tick is not None:
                values["last_tick"] = tick
            try:
                with self.engine.begin() as conn:
                    if current is None:
                        conn.execute(insert(JobLock).values(name=name, version=1, **values))
                        won = True
                    else:
                        result = conn.execute(
                            update(JobLock)
                            .where(JobLock.name == name, JobLock.version == current.version)
                            .values(version=current.version + 1, **values)
                        )
                        won = result.rowcount == 1
            except IntegrityError:
                won = False  # another contender inserted the row first: look again
            if won:
                if current is not None and current.held:
                    log.warning("took over the lease of %s from a holder that is gone (%s)", name, current.describe())
                    return Outcome("acquired", lease=Lease(self, name), other=current)
                return Outcome("acquired", lease=Lease(self, name))
        return Outcome("busy", other=read_lock(self.engine, name))

    def acquire(
        self,
        name: str,
        *,
        wait: float = 0.0,
        poll: float = 0.5,
        tick: dt.datetime | None = None,
        tick_tolerance: dt.timedelta = dt.timedelta(0),
    ) -> Outcome:
        """:meth:`try_acquire`, retried for up to ``wait`` seconds while the job is busy."""
        deadline = time.monotonic() + wait
        while True:
            outcome = self.try_acquire(name, tick=tick, tick_tolerance=tick_tolerance)
            if outcome.status != "busy" or time.monotonic() >= deadline:
                return outcome
            time.sleep(min(poll, max(deadline - time.monotonic(), 0.01)))

    @contextlib.contextmanager
    def held(
        self,
        name: str,
        *,
        wait: float = 0.0,
        tick: dt.datetime | None = None,
        tick_tolerance: dt.timedelta = dt.timedelta(0),
    ) -> Iterator[Outcome]:
        """``with manager.held("site") as outcome:`` — the lease is heartbeaten, and released on exit, when taken."""
        outcome = self.acquire(name, wait=wait, tick=tick, tick_tolerance=tick_tolerance)
        try:
            if outcome.lease is not None:
                outcome.lease.start_heartbeat()
            yield outcome
        finally:
            if outcome.lease is not None:
                outcome.lease.release()

    # ------------------------------------------------------------------ renew / release

    def renew(self, name: str) -> bool:
        """Push the expiry of our lease forward; False when it is no longer ours."""
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(JobLock)
                .where(JobLock.name == name, JobLock.holder == self.holder)
                .values(expires_at=now + self.lease, version=JobLock.version + 1)
            )
        return result.rowcount == 1

    def set_child(self, name: str, pid: int | None) -> bool:
        """Record the crawl process working under our lease of ``name`` (None: it is gone)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(JobLock)
                .where(JobLock.name == name, JobLock.holder == self.holder)
                .values(child_pid=pid, version=JobLock.version + 1)
            )
        return result.rowcount == 1

    def release(self, name: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(JobLock)
                .where(JobLock.name == name, JobLock.holder == self.holder)
                .values(holder=None, child_pid=None, expires_at=None, released_at=utcnow(), version=JobLock.version + 1)
            )
        return result.rowcount == 1


class Lease:
    """A held lease; renewed by a heartbeat thread until released."""

    def __init__(self, manager: LockManager, name: str) -> None:
        self.manager = manager
        self.name = name
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start_heartbeat(self) -> Lease:
        interval = max(self.manager.lease.total_seconds() / 3, 0.05)
        self._thread = threading.Thread(target=self._beat, args=(interval,), name=f"lease-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _beat(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                if not self.manager.renew(self.name):
                    self.lost = True
                    log.error("the lease of %s was taken over by another process", self.name)
                    return
            except OperationalError as exc:  # a busy database: try again at the next beat
                log.warning("could not renew the lease of %s: %s", self.name, exc.orig)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            self.manager.release(self.name)
        except OperationalError as exc:
            log.error("could not release the lease of %s (it will be taken over when it expires): %s", self.name, exc)
