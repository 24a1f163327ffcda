"""crawl_seen: what a crawl that stores in chunks has listed so far (issue 17 item 1).

Revision ID: 0018
Revises: 0017_workers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017_workers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_key", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_seen")),
    )
    op.create_index("ix_crawl_seen_key_subject", "crawl_seen", ["crawl_key", "subject"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_crawl_seen_key_subject", table_name="crawl_seen")
    op.drop_table("crawl_seen")
