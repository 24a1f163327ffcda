"""Indexes for the per-chunk queries of a Hub crawl that scanned whole tables (issue 17).

* ``hf_repos.card_document_id``: a chunk's new card documents joined to their repos (``card_texts``);
* ``lower(hf_repos.base_model)``: the repos based on a chunk's new ones (``models_based_on``);
* ``crosswalk(namespace, lower(external_id))``: a chunk's repo ids among the declared links (``resolve_hub_models``);
* ``models(openrouter_id)`` where ``openrouter_id IS NOT NULL AND hf_repo_id IS NULL``: the OpenRouter
  models awaiting weights (``awaiting_weights``), a few hundred rows of a table a Hub crawl fills.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

AWAITING = sa.text("openrouter_id IS NOT NULL AND hf_repo_id IS NULL")


def upgrade() -> None:
    op.create_index("ix_hf_repos_card_document_id", "hf_repos", ["card_document_id"], unique=False)
    op.create_index("ix_hf_repos_base_model_lower", "hf_repos", [sa.text("lower(base_model)")], unique=False)
    op.create_index(
        "ix_crosswalk_namespace_external_id_lower",
        "crosswalk",
        ["namespace", sa.text("lower(external_id)")],
        unique=False,
    )
    op.create_index(
        "ix_models_awaiting_weights",
        "models",
        ["openrouter_id"],
        unique=False,
        sqlite_where=AWAITING,
        postgresql_where=AWAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_models_awaiting_weights", table_name="models")
    op.drop_index("ix_crosswalk_namespace_external_id_lower", table_name="crosswalk")
    op.drop_index("ix_hf_repos_base_model_lower", table_name="hf_repos")
    op.drop_index("ix_hf_repos_card_document_id", table_name="hf_repos")
