"""Role pings: ``briefing_pings`` holds the role a schedule mentions for a topic.

One row per (schedule, topic key): the topic's name as configured, the role's id, who set it
and when. Rows go with their schedule (``ON DELETE CASCADE``). Existing schedules have no
pings, so they keep posting exactly as before (never mentioning anyone). The downgrade drops
the table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "briefing_pings",
        sa.Column(
            "schedule_id",
            sa.BigInteger(),
            sa.ForeignKey("briefing_schedules.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("topic_key", sa.String(200), primary_key=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.Column("configured_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("briefing_pings")
