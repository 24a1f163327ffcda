"""Core schema: runs, errors, models, crosswalk, observations, events, OpenRouter
state and price history, documents, claims and disputes.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 08:49:12.910790
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.store.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "http_cache",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("etag", sa.String(length=512), nullable=True),
        sa.Column("last_modified", sa.String(length=128), nullable=True),
        sa.Column("content_hash", sa.String(length=80), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("fetched_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_http_cache")),
    )
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("vendor", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=True),
        sa.Column("first_seen_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("released_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("is_derivative", sa.Boolean(), nullable=False),
        sa.Column("base_model_id", sa.Integer(), nullable=True),
        sa.Column("base_relation", sa.String(length=32), nullable=True),
        sa.Column("open_weight_status", sa.String(length=16), nullable=False),
        sa.Column("open_weight_evidence", tracker.store.base.JSONType, nullable=True),
        sa.Column("license_key", sa.String(length=128), nullable=True),
        sa.Column("license_class", sa.String(length=32), nullable=True),
        sa.Column("params_total", sa.BigInteger(), nullable=True),
        sa.Column("params_active", sa.BigInteger(), nullable=True),
        sa.Column("params_source", sa.String(length=32), nullable=True),
        sa.Column("context_length", sa.Integer(), nullable=True),
        sa.Column("hf_repo_id", sa.String(length=255), nullable=True),
        sa.Column("openrouter_id", sa.String(length=255), nullable=True),
        sa.Column("updated_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_model_id"],
            ["models.id"],
            name=op.f("fk_models_base_model_id_models"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("key", name=op.f("uq_models_key")),
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_models_vendor"), ["vendor"], unique=False)

    op.create_table(
        "openrouter_aliases",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("target_id", sa.String(length=255), nullable=True),
        sa.Column("target_name", sa.String(length=512), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("first_seen_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("last_changed_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openrouter_aliases")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("started_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("finished_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("observed_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("items_changed", sa.Integer(), nullable=False),
        sa.Column("items_delisted", sa.Integer(), nullable=False),
        sa.Column("items_rejected", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("counts", tracker.store.base.JSONType, nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runs_job"), ["job"], unique=False)
        batch_op.create_index(batch_op.f("ix_runs_source"), ["source"], unique=False)
        batch_op.create_index("ix_runs_source_started", ["source", "started_at"], unique=False)

    op.create_table(
        "crawl_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_crawl_errors_run_id_runs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_errors")),
    )
    with op.batch_alter_table("crawl_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_errors_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_crawl_errors_source"), ["source"], unique=False)

    op.create_table(
        "crosswalk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("created_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_crosswalk_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk")),
        sa.UniqueConstraint("namespace", "external_id", name=op.f("uq_crosswalk_namespace")),
    )
    with op.batch_alter_table("crosswalk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crosswalk_model_id"), ["model_id"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("vendor", sa.String(length=128), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("fetched_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("feed_url", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_documents_run_id_runs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_documents_url_hash", ["url", "content_hash"], unique=True)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("detected_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("data", tracker.store.base.JSONType, nullable=False),
        sa.Column("created_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_events_model_id_models"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_events_run_id_runs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_detected_at"), ["detected_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_model_id"), ["model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_subject"), ["subject"], unique=False)

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.Column("observed_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("fetched_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("response_hash", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("payload", tracker.store.base.JSONType, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_observations_run_id_runs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index("ix_observations_subject", ["source", "subject", "observed_at"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("mention", sa.String(length=512), nullable=True),
        sa.Column("attribute", sa.String(length=32), nullable=False),
        sa.Column("qualifier", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("value_num", tracker.store.base.Money(length=40), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("reporter", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("published_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("fetched_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("extra", tracker.store.base.JSONType, nullable=True),
        sa.Column("claim_hash", sa.String(length=80), nullable=False),
        sa.Column("created_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_claims_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_claims_model_id_models"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("claim_hash", name=op.f("uq_claims_claim_hash")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_attribute"), ["attribute"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_model_id"), ["model_id"], unique=False)

    op.create_table(
        "openrouter_listings",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("base_id", sa.String(length=255), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=512), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("canonical_slug", sa.String(length=255), nullable=True),
        sa.Column("hugging_face_id", sa.String(length=255), nullable=True),
        sa.Column("context_length", sa.Integer(), nullable=True),
        sa.Column("max_completion_tokens", sa.Integer(), nullable=True),
        sa.Column("modality", sa.String(length=64), nullable=True),
        sa.Column("input_modalities", tracker.store.base.JSONType, nullable=True),
        sa.Column("output_modalities", tracker.store.base.JSONType, nullable=True),
        sa.Column("created_upstream_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("knowledge_cutoff", sa.String(length=32), nullable=True),
        sa.Column("expiration_date", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("first_seen_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("last_changed_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("delisted_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("last_observation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["last_observation_id"],
            ["observations.id"],
            name=op.f("fk_openrouter_listings_last_observation_id_observations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_openrouter_listings_model_id_models"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openrouter_listings")),
    )
    with op.batch_alter_table("openrouter_listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_openrouter_listings_base_id"), ["base_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_openrouter_listings_model_id"), ["model_id"], unique=False)

    op.create_table(
        "prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=128), nullable=True),
        sa.Column("component", sa.String(length=48), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("min_prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("usd_per_mtok", tracker.store.base.Money(length=40), nullable=True),
        sa.Column("usd_per_unit", tracker.store.base.Money(length=40), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("raw", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("last_seen_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("extra", tracker.store.base.JSONType, nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name=op.f("fk_prices_model_id_models"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_prices_observation_id_observations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prices")),
    )
    with op.batch_alter_table("prices", schema=None) as batch_op:
        batch_op.create_index("ix_prices_current", ["source", "last_seen_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_prices_model_id"), ["model_id"], unique=False)
        batch_op.create_index("ix_prices_offer", ["source", "subject", "component", "tier"], unique=False)

    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("attribute", sa.String(length=32), nullable=False),
        sa.Column("qualifier", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", tracker.store.base.UTCDateTime(length=32), nullable=False),
        sa.Column("resolved_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("shown_claim_id", sa.Integer(), nullable=True),
        sa.Column("data", tracker.store.base.JSONType, nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_disputes_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shown_claim_id"],
            ["claims.id"],
            name=op.f("fk_disputes_shown_claim_id_claims"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_model_id"), ["model_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disputes_model_id"))

    op.drop_table("disputes")
    with op.batch_alter_table("prices", schema=None) as batch_op:
        batch_op.drop_index("ix_prices_offer")
        batch_op.drop_index(batch_op.f("ix_prices_model_id"))
        batch_op.drop_index("ix_prices_current")

    op.drop_table("prices")
    with op.batch_alter_table("openrouter_listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openrouter_listings_model_id"))
        batch_op.drop_index(batch_op.f("ix_openrouter_listings_base_id"))

    op.drop_table("openrouter_listings")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_model_id"))
        batch_op.drop_index(batch_op.f("ix_claims_attribute"))

    op.drop_table("claims")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index("ix_observations_subject")

    op.drop_table("observations")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_subject"))
        batch_op.drop_index(batch_op.f("ix_events_model_id"))
        batch_op.drop_index(batch_op.f("ix_events_kind"))
        batch_op.drop_index(batch_op.f("ix_events_detected_at"))

    op.drop_table("events")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_url_hash")
        batch_op.drop_index(batch_op.f("ix_documents_kind"))

    op.drop_table("documents")
    with op.batch_alter_table("crosswalk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crosswalk_model_id"))

    op.drop_table("crosswalk")
    with op.batch_alter_table("crawl_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_errors_source"))
        batch_op.drop_index(batch_op.f("ix_crawl_errors_run_id"))

    op.drop_table("crawl_errors")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_source_started")
        batch_op.drop_index(batch_op.f("ix_runs_source"))
        batch_op.drop_index(batch_op.f("ix_runs_job"))

    op.drop_table("runs")
    op.drop_table("openrouter_aliases")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_models_vendor"))

    op.drop_table("models")
    op.drop_table("http_cache")
