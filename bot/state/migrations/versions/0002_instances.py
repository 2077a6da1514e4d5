"""Running instances and the holder of each claim: a dead sender's deliveries are taken over
at once.

``instances`` has one row per bot process start (its random id, its name — host and role —,
when it started, its last heartbeat and when it stopped); ``deliveries.holder`` is the id of
the instance that claimed a delivery. An index on ``(status, holder)`` finds the few claims
still being sent without scanning the log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instances",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("instances_name", "instances", ["name"])
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("holder", sa.String(32), nullable=True))
        batch.create_index("deliveries_status_holder", ["status", "holder"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("deliveries_status_holder")
        batch.drop_column("holder")
    op.drop_index("instances_name", table_name="instances")
    op.drop_table("instances")
