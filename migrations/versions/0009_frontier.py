"""crawl frontier and listing health for the blogs and press crawls (issue 15).

* ``frontier``: every article URL discovered by a feed or an index page, with its state
  (pending / fetched with hash / failed with reason, attempts and next retry / gone);
* ``source_listings``: each configured feed or index page and whether it still works.

Revision ID: 0009
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.store.base

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frontier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("feed_url", sa.Text(), nullable=True),
        sa.Column("vendor", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("date_text", sa.String(length=128), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("gone_answers", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("next_retry_at", tracker.store.base.UTCDateTime(), nullable=True),
        sa.Column("first_seen_at", tracker.store.base.UTCDateTime(), nullable=False),
        sa.Column("last_attempt_at", tracker.store.base.UTCDateTime(), nullable=True),
        sa.Column("fetched_at", tracker.store.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frontier")),
    )
    op.create_index("ix_frontier_source_url", "frontier", ["source", "url"], unique=True)
    op.create_index("ix_frontier_source_state", "frontier", ["source", "state"], unique=False)
    op.create_table(
        "source_listings",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("problem_runs", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=True),
        sa.Column("moved_to", sa.Text(), nullable=True),
        sa.Column("checked_at", tracker.store.base.UTCDateTime(), nullable=False),
        sa.Column("last_ok_at", tracker.store.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_source_listings")),
    )


def downgrade() -> None:
    op.drop_table("source_listings")
    op.drop_index("ix_frontier_source_state", table_name="frontier")
    op.drop_index("ix_frontier_source_url", table_name="frontier")
    op.drop_table("frontier")
