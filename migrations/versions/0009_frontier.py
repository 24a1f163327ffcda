"""crawl frontier and listing health for the blogs and press crawls (issue 15).

* ``frontier``: every article URL discovered by a feed or an index page, with its state
  (pending / fetched with hash / failed with reason, attempts and next retry / gone);
* ``source_listings``: each configured feed or index page and whether it still works;
* ``offers`` / ``offer_fetches``: OpenRouter per-provider offers with history, and when each
  model's offers were last read.

Revision ID: 0009
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.store.base

revision = "0009"
down_revision = "0008"
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

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.String(length=255), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("offer", sa.String(length=255), nullable=False),
        sa.Column("provider", sa.String(length=128), nullable=False),
        sa.Column("quantization", sa.String(length=32), nullable=True),
        sa.Column("context_length", sa.Integer(), nullable=True),
        sa.Column("max_completion_tokens", sa.Integer(), nullable=True),
        sa.Column("max_prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("prices", tracker.store.base.JSONType, nullable=False),
        sa.Column("discount", sa.String(length=32), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("uptime_last_30m", sa.String(length=32), nullable=True),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("first_seen_at", tracker.store.base.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", tracker.store.base.UTCDateTime(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_offers_model_id_models"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_offers_observation_id_observations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    op.create_index("ix_offers_listing", "offers", ["listing_id", "last_seen_at"], unique=False)
    op.create_index(op.f("ix_offers_model_id"), "offers", ["model_id"], unique=False)
    op.create_table(
        "offer_fetches",
        sa.Column("listing_id", sa.String(length=255), nullable=False),
        sa.Column("fetched_at", tracker.store.base.UTCDateTime(), nullable=False),
        sa.Column("listing_hash", sa.String(length=80), nullable=True),
        sa.Column("offers_hash", sa.String(length=80), nullable=True),
        sa.Column("providers", sa.Integer(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_offer_fetches")),
    )


def downgrade() -> None:
    op.drop_table("offer_fetches")
    op.drop_index(op.f("ix_offers_model_id"), table_name="offers")
    op.drop_index("ix_offers_listing", table_name="offers")
    op.drop_table("offers")
    op.drop_table("source_listings")
    op.drop_index("ix_frontier_source_state", table_name="frontier")
    op.drop_index("ix_frontier_source_url", table_name="frontier")
    op.drop_table("frontier")
