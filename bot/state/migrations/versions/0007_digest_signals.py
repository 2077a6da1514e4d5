"""Personal digests learn: ``digest_signals`` holds each subscriber's signals.

One row per (user, kind, key): a topic or outlet weight in [-3, 3] (never 0: a weight back at
0 is deleted) or a hidden outlet (weight 1). A new table only; nothing existing changes, and
the downgrade drops it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_signals",
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('topic', 'outlet', 'hidden')", name="digest_signals_kind"),
        sa.CheckConstraint("weight BETWEEN -3 AND 3", name="digest_signals_weight"),
    )


def downgrade() -> None:
    op.drop_table("digest_signals")
