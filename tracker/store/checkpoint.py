"""WAL checkpoints on a thread of their own while a long SQLite write carries on.

In WAL mode, the commit that leaves more than ``wal_autocheckpoint`` pages in the WAL copies them into the
database file and fsyncs both files before it returns (``synchronous=NORMAL`` syncs only there). A chunked
crawl commits every chunk, so each chunk waited for its checkpoint's disk writes. :class:`Checkpointer`
takes that wait off the storing thread: the storing connection's automatic checkpoints are turned off and,
after each commit, a thread with its own connection runs the same passive checkpoint while the crawl
parses and stores the next chunk. :meth:`Checkpointer.finish` waits for it and runs the last one, so when
the crawl ends the database is in the state the automatic checkpoints would have left. Nothing about the
transactions changes: a checkpoint only copies committed pages, and a crash in between leaves a longer WAL
that the next connection reads and checkpoints as usual.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

#: SQLite's default ``wal_autocheckpoint`` (pages), restored on the storing connection by :meth:`finish`.
DEFAULT_AUTOCHECKPOINT = 1000


class Checkpointer:
    """Passive WAL checkpoints of one SQLite database, run on a daemon thread when asked."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.runs = 0
        self.error: BaseException | None = None
        self._held: dict[int, Any] = {}  # the storing connections whose automatic checkpoints are off
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="wal-checkpoint", daemon=True)
        self._thread.start()

    @classmethod
    def for_engine(cls, engine: Engine) -> Checkpointer | None:
        """A checkpointer for ``engine``'s database file (None for other databases and in-memory SQLite)."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        return cls(database)

    def hold(self, session: Session) -> None:
        """Turn the automatic checkpoints of ``session``'s connection off (the thread runs them instead);
        :meth:`finish` turns them back on."""
        dbapi = session.connection().connection.dbapi_connection
        if dbapi is None:
            return
        dbapi.execute("PRAGMA wal_autocheckpoint=0")
        self._held[id(dbapi)] = dbapi

    def request(self) -> None:
        """Ask for a checkpoint of what is committed now (call after a commit; returns at once)."""
        self._wanted.set()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.runs += 1

    def _loop(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self.database, timeout=60, check_same_thread=False)
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._stopping:
                    return
                self._checkpoint(conn)
        except BaseException as exc:  # the crawl goes on; finish() checkpoints in the caller's thread
            self.error = exc
            logger.warning("background WAL checkpoint failed", exc_info=True)
        finally:
            if conn is not None:
                conn.close()

    def finish(self) -> None:
        """Wait for the thread, run the last checkpoint here and give the held connections their automatic
        checkpoints back (call outside a transaction)."""
        self._stopping = True
        self._wanted.set()
        self._thread.join()
        for dbapi in self._held.values():
            with contextlib.suppress(sqlite3.Error):  # closed by its pool meanwhile: nothing to restore
                dbapi.execute(f"PRAGMA wal_autocheckpoint={DEFAULT_AUTOCHECKPOINT}")
        self._held.clear()
        conn = sqlite3.connect(self.database, timeout=60)
        try:
            self._checkpoint(conn)
        finally:
            conn.close()
