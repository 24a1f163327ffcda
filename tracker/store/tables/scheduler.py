"""The scheduler's tables: APScheduler's job store and the job locks.

Both are created by the Alembic migration ``0005_scheduler`` (never by
APScheduler's own ``create``: its job store finds the table already there).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Integer, LargeBinary, String, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, UTCDateTime


class SchedulerJob(Base):
    """A job of ``tracker schedule`` as APScheduler 3.x stores it (pickled state, next run as a UNIX time).

    The columns are exactly those of APScheduler's ``SQLAlchemyJobStore``; the
    state holds only a job name (``crawl:openrouter``, ``site``, ``newsletter``), never settings or secrets.
    """

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    #: Seconds since the epoch (UTC), NULL while paused; APScheduler's format, not a money or time column of ours.
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class JobLock(Base):
    """A lease on one job (``crawl:openrouter``, ``site``, ``newsletter``) so that it never runs twice at once.

    ``holder`` is NULL when free. A holder renews ``expires_at`` while it works; a
    lease whose holder is gone (an expired lease on another host, a dead process
    on this one, whose crawl process is gone too) may be taken over. ``version`` grows on every change: takeovers
    are compare-and-swap updates on it, which works alike on SQLite and Postgres.
    ``last_tick`` is the scheduled time of the last scheduled run started, so that
    two schedulers firing the same tick run the job once.
    """

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    #: ``host:pid:token`` of the process holding the lease, NULL when free.
    holder: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    #: The crawl process working under the lease (on ``host``), NULL when none runs.
    child_pid: Mapped[int | None] = mapped_column(Integer)
    #: ``schedule``, ``cli``, ``test``: who took it.
    trigger: Mapped[str | None] = mapped_column(String(32))
    acquired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_tick: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)
