"""Where a briefing goes: a thread per briefing, and what a delivery could not do.

``briefing_schedules.thread`` (false for every existing schedule: they keep posting as before)
asks for a thread per briefing in a text or announcement channel. ``deliveries.notice`` records
what a delivered briefing could not do without failing (not published to followers, posted
without its thread), for ``/briefing status``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN on both databases (no table copy on SQLite)
    op.add_column(
        "briefing_schedules",
        sa.Column("thread", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("deliveries", sa.Column("notice", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("notice")
    with op.batch_alter_table("briefing_schedules") as batch:
        batch.drop_column("thread")
