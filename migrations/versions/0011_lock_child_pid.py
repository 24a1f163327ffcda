"""job_locks.child_pid: the crawl process working under a lease (issue 14 item 4).

A lease is taken over only when its holder and the holder's child are gone,
so that a crawl left running by a killed scheduler never runs beside a second one.

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("job_locks", sa.Column("child_pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_locks") as batch:
        batch.drop_column("child_pid")
