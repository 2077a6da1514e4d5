"""The initial schema: the tables the bot created before it used Alembic.

Guild schedules, digest users and their subscriptions, the delivery log, and the
``schema_version`` row (1) that releases before Alembic read. Databases those releases created
are identical and are stamped at this revision instead of running it.

Revision ID: 0001
Revises:
Create Date: 2025-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    schema_version = op.create_table(
        "schema_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name="schema_version_single_row"),
    )
    op.bulk_insert(schema_version, [{"id": 1, "version": 1}])

    op.create_table(
        "channel_schedules",
        sa.Column("guild_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("post_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("min_quality", sa.Float(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("configured_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "digest_users",
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("post_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "subscriptions",
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("digest_users.user_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("topic_key", sa.String(200), primary_key=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.UniqueConstraint("kind", "target_id", "day", name="deliveries_kind_target_day"),
        sa.CheckConstraint("kind IN ('channel', 'digest')", name="deliveries_kind"),
        sa.CheckConstraint("status IN ('sending', 'sent', 'failed')", name="deliveries_status"),
    )


def downgrade() -> None:
    for table in ("deliveries", "subscriptions", "digest_users", "channel_schedules"):
        op.drop_table(table)
    op.drop_table("schema_version")
