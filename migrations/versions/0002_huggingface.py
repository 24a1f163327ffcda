"""Hugging Face repos, licences, benchmarks (issue 3).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.store.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hf_orgs",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("first_crawled_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_hf_orgs")),
    )
    op.create_table(
        "hf_repos",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("id_lower", sa.String(length=255), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("org", sa.String(length=128), nullable=False),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=True),
        sa.Column("last_modified", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("created_upstream_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("gated", sa.String(length=16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("pipeline_tag", sa.String(length=64), nullable=True),
        sa.Column("library_name", sa.String(length=64), nullable=True),
        sa.Column("license_key", sa.String(length=128), nullable=True),
        sa.Column("license_class", sa.String(length=32), nullable=False),
        sa.Column("license_source", sa.String(length=16), nullable=True),
        sa.Column("license", tracker.store.base.JSONType, nullable=True),
        sa.Column("base_model", sa.String(length=255), nullable=True),
        sa.Column("base_models", tracker.store.base.JSONType, nullable=True),
        sa.Column("base_relation", sa.String(length=32), nullable=True),
        sa.Column("is_derivative", sa.Boolean(), nullable=False),
        sa.Column("params_total", sa.BigInteger(), nullable=True),
        sa.Column("params_total_source", sa.String(length=16), nullable=True),
        sa.Column("params_active", sa.BigInteger(), nullable=True),
        sa.Column("params_active_source", sa.String(length=16), nullable=True),
        sa.Column("context_length", sa.Integer(), nullable=True),
        sa.Column("open_weight_status", sa.String(length=16), nullable=False),
        sa.Column("open_weight_evidence", tracker.store.base.JSONType, nullable=True),
        sa.Column("card_state", sa.String(length=16), nullable=True),
        sa.Column("card_error", sa.String(length=64), nullable=True),
        sa.Column("card_error_detail", sa.Text(), nullable=True),
        sa.Column("card_sha", sa.String(length=64), nullable=True),
        sa.Column("card_hash", sa.String(length=80), nullable=True),
        sa.Column("card_document_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("first_seen_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("last_changed_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("removed_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("last_observation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_document_id"],
            ["documents.id"],
            name=op.f("fk_hf_repos_card_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["last_observation_id"],
            ["observations.id"],
            name=op.f("fk_hf_repos_last_observation_id_observations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_hf_repos_model_id_models"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hf_repos")),
        sa.UniqueConstraint("id_lower", name=op.f("uq_hf_repos_id_lower")),
    )
    with op.batch_alter_table("hf_repos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hf_repos_model_id"), ["model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hf_repos_org"), ["org"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hf_repos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hf_repos_org"))
        batch_op.drop_index(batch_op.f("ix_hf_repos_model_id"))
    op.drop_table("hf_repos")
    op.drop_table("hf_orgs")
