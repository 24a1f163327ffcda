"""crawl workers (issue 17 item 3): unit attempts per tick and the shared request budget.

* ``unit_runs``: every attempt of a worker at one unit of crawl work for one tick;
* ``request_budgets`` / ``request_spends``: the Hub's request budget shared by every crawl process.

Procrastinate's task-queue tables are not Alembic's: ``tracker init`` applies them in the
Postgres schema ``procrastinate`` (docs/scaling.md).

Revision ID: 0017_workers
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.store.base

revision = "0017_workers"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=300), nullable=False),
        sa.Column("tick", tracker.store.base.UTCDateTime(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("started_at", tracker.store.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", tracker.store.base.UTCDateTime(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_runs")),
        sa.UniqueConstraint("unit", "tick", "attempt", name=op.f("uq_unit_runs_unit")),
    )
    op.create_index("ix_unit_runs_unit_tick", "unit_runs", ["unit", "tick"], unique=False)
    op.create_table(
        "request_budgets",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("updated_at", tracker.store.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_request_budgets")),
    )
    op.create_table(
        "request_spends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_key", sa.String(length=64), nullable=False),
        sa.Column("spent_at", tracker.store.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_spends")),
    )
    op.create_index("ix_request_spends_key_at", "request_spends", ["budget_key", "spent_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_request_spends_key_at", table_name="request_spends")
    op.drop_table("request_spends")
    op.drop_table("request_budgets")
    op.drop_index("ix_unit_runs_unit_tick", table_name="unit_runs")
    op.drop_table("unit_runs")
