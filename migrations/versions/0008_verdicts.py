"""verdicts: outdated claims and why a dispute's values are comparable (issue 12).

* ``claims.valid_until``: for a claim with status ``outdated`` (true when it was
  published, not any more), when the value it states stopped being the primary
  source's ("was true until DATE");
* ``disputes.comparable_reason``: why the shown value and the contrary claims
  were weighed against each other at all (same model, metric, setting, offer…);
* ``disputes.weighed_observation_id``: the primary observation (``prices.id``)
  the first contrary claim was weighed against — the one in effect when it was
  published; every contrary claim's own is in ``disputes.data["weighed"]``.

* ``models.vendor`` rewritten to one key per vendor (``Qwen`` and ``qwen`` →
  ``qwen``, ``deepseek-ai`` → ``deepseek``: :func:`tracker.normalize.identity.vendor_key`).

Columns are added in place (no table rebuild), so the analyst views stay.

Revision ID: 0008
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.store.base
from tracker.normalize.identity import vendor_key

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("valid_until", tracker.store.base.UTCDateTime(), nullable=True))
    op.add_column("disputes", sa.Column("comparable_reason", sa.Text(), nullable=True))
    op.add_column("disputes", sa.Column("weighed_observation_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    models = sa.table("models", sa.column("vendor", sa.String()))
    for (vendor,) in bind.execute(sa.select(models.c.vendor).distinct()).all():
        if vendor_key(vendor) != vendor:
            bind.execute(models.update().where(models.c.vendor == vendor).values(vendor=vendor_key(vendor)))


def downgrade() -> None:
    op.drop_column("disputes", "weighed_observation_id")
    op.drop_column("disputes", "comparable_reason")
    op.drop_column("claims", "valid_until")
