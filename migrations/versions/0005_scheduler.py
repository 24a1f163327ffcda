"""job store, locks, analyst views (issue 7).

* ``apscheduler_jobs``: APScheduler 3.x's SQLAlchemy job store table (the
  scheduler finds it here and never creates it itself);
* ``job_locks``: one lease per job, so that a job never runs twice at once;
* the analyst views ``current_models``, ``price_history``, ``model_claims`` and
  ``model_events`` (documented in docs/schema.md). The same SQL serves SQLite and
  Postgres. A later migration that rebuilds a table these views read (SQLite batch
  mode) must drop the views first and create them again afterwards.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.store.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _current_price(component: str, column: str) -> str:
    return f"""(SELECT p.{column} FROM prices p
     WHERE p.source = 'openrouter' AND p.subject = m.openrouter_id AND p.component = '{component}'
       AND p.tier = '' AND p.last_seen_at IS NULL
     ORDER BY p.first_seen_at DESC, p.id DESC LIMIT 1)"""


VIEWS: dict[str, str] = {
    "current_models": f"""
SELECT
    m.id AS model_id,
    m.key AS model_key,
    m.vendor,
    m.name,
    m.open_weight_status,
    m.license_key,
    COALESCE(m.license_class, 'unknown') AS license_class,
    m.params_total,
    m.params_active,
    m.params_source,
    m.context_length,
    {_current_price("prompt", "usd_per_mtok")} AS prompt_usd_per_mtok,
    {_current_price("prompt", "status")} AS prompt_price_status,
    {_current_price("completion", "usd_per_mtok")} AS completion_usd_per_mtok,
    {_current_price("completion", "status")} AS completion_price_status,
    m.is_derivative,
    b.key AS base_model_key,
    m.base_relation,
    m.hf_repo_id,
    m.openrouter_id,
    EXISTS (SELECT 1 FROM openrouter_listings l WHERE l.model_id = m.id AND l.status = 'listed')
        AS listed_on_openrouter,
    EXISTS (SELECT 1 FROM hf_repos r WHERE r.model_id = m.id AND r.status = 'listed') AS listed_on_huggingface,
    (SELECT COUNT(*) FROM disputes d WHERE d.model_id = m.id AND d.status = 'open') AS open_disputes,
    m.released_at,
    m.first_seen_at,
    m.updated_at
FROM models m
LEFT JOIN models b ON b.id = m.base_model_id
""",
    "price_history": """
SELECT
    p.id AS price_id,
    m.key AS model_key,
    p.source,
    p.subject AS offer,
    p.provider,
    p.component,
    p.tier,
    p.min_prompt_tokens,
    p.status,
    p.usd_per_mtok,
    p.usd_per_unit,
    p.unit,
    p.raw,
    p.first_seen_at,
    p.last_seen_at,
    p.last_seen_at IS NULL AS is_current,
    p.url,
    o.fetched_at
FROM prices p
LEFT JOIN models m ON m.id = p.model_id
LEFT JOIN observations o ON o.id = p.observation_id
""",
    "model_claims": """
SELECT
    c.id AS claim_id,
    m.key AS model_key,
    c.mention,
    c.attribute,
    c.qualifier,
    c.value,
    c.value_num,
    c.unit,
    c.reporter,
    c.source,
    c.url,
    c.quote,
    c.published_at,
    c.fetched_at,
    c.status,
    EXISTS (
        SELECT 1 FROM disputes x
        WHERE x.model_id = c.model_id AND x.attribute = c.attribute AND x.qualifier = c.qualifier
          AND x.status = 'open'
    ) AS disputed,
    d.kind AS document_kind,
    d.title AS document_title
FROM claims c
LEFT JOIN models m ON m.id = c.model_id
LEFT JOIN documents d ON d.id = c.document_id
""",
    "model_events": """
SELECT
    e.id AS event_id,
    e.kind,
    e.detected_at,
    m.key AS model_key,
    m.vendor,
    e.subject,
    e.source,
    e.run_id,
    e.data
FROM events e
LEFT JOIN models m ON m.id = e.model_id
""",
}


def upgrade() -> None:
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apscheduler_jobs_next_run_time"), ["next_run_time"], unique=False)

    op.create_table(
        "job_locks",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=True),
        sa.Column("acquired_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("expires_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("released_at", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("last_tick", tracker.store.base.UTCDateTime(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_locks")),
    )

    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body.strip()}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_table("job_locks")
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apscheduler_jobs_next_run_time"))
    op.drop_table("apscheduler_jobs")
