"""The crawl workers' tables (``tracker worker``, docs/scaling.md): unit attempts and the shared request budget.

Created by the Alembic migration ``0017_workers``. Procrastinate's own tables (the
task queue) live in the Postgres schema ``procrastinate``, beside these, and are
applied by ``tracker init`` (:mod:`tracker.workers.queue`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.store.base import Base, UTCDateTime


class UnitRun(Base):
    """One attempt at one unit of crawl work (a Hub organisation, the OpenRouter listing…) for one tick.

    A unit is crawled once per tick: a task finding a finished attempt for its
    tick does nothing. An attempt whose worker died stays ``running`` until the
    retried task takes over: it becomes ``abandoned`` and the next attempt starts.
    """

    __tablename__ = "unit_runs"
    __table_args__ = (
        UniqueConstraint("unit", "tick", "attempt"),
        Index("ix_unit_runs_unit_tick", "unit", "tick"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``huggingface:org:Qwen``, ``openrouter``, ``offers``, ``blogs``…
    unit: Mapped[str] = mapped_column(String(300))
    #: The scheduled time the task was deferred for.
    tick: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    #: ``running``, ``success``, ``partial``, ``failed``, ``abandoned``.
    status: Mapped[str] = mapped_column(String(16))
    #: ``host:pid`` of the worker process.
    worker: Mapped[str] = mapped_column(String(255))
    #: The procrastinate job (``procrastinate.procrastinate_jobs.id``).
    job_id: Mapped[int | None] = mapped_column(Integer)
    #: The crawl's row in ``runs`` (its trigger is ``worker:<this id>``).
    run_id: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    message: Mapped[str | None] = mapped_column(Text)


class RequestBudget(Base):
    """One shared request budget (the Hub's, per token): its row is the lock every spend takes."""

    __tablename__ = "request_budgets"

    #: ``hf:<sha256 of the token, 16 hex>`` or ``hf:anonymous``: never the token itself.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The database's time at the last spend.
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RequestSpend(Base):
    """One request spent from a budget (kept for one window, then deleted)."""

    __tablename__ = "request_spends"
    __table_args__ = (Index("ix_request_spends_key_at", "budget_key", "spent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_key: Mapped[str] = mapped_column(String(64))
    spent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
