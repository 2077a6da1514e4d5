"""Several briefing schedules per guild: ``channel_schedules`` becomes ``briefing_schedules``.

Each schedule has its own id, a name unique in its guild (``name_key`` is its case-folded
form), the weekdays it posts on, an optional window and stories per topic, and a length. Every
existing schedule is copied unchanged as a schedule named ``daily`` that posts every day with
the ``headlines`` length it had, and keeps its guild id as its schedule id: the delivery log's
channel rows (``target_id``, now the schedule id) still match it, so a day already posted is not
posted again and an unfinished post resumes. On PostgreSQL the id sequence then continues past
the largest copied id (SQLite's rowid does so by itself).

``posted_articles`` is the no-repeats log: what each schedule posted (URL, when, the
article's quality and update time then), deleted with its schedule.

The downgrade keeps one schedule per guild (its oldest: the migrated one when there is one).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COMMON = (
    "guild_id, channel_id, post_time, timezone, topics, min_quality, enabled, paused_reason, "
    "configured_by, updated_at"
)


def upgrade() -> None:
    op.create_table(
        "briefing_schedules",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("post_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("days", sa.String(32), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("per_topic", sa.Integer(), nullable=True),
        sa.Column("min_quality", sa.Float(), nullable=False),
        sa.Column("window_minutes", sa.Integer(), nullable=True),
        sa.Column("length", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("configured_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("guild_id", "name_key", name="briefing_schedules_guild_name"),
    )
    op.execute(
        f"INSERT INTO briefing_schedules (id, name, name_key, days, length, {_COMMON}) "  # noqa: S608
        "SELECT guild_id, 'daily', 'daily', 'mon,tue,wed,thu,fri,sat,sun', 'headlines', "
        f"{_COMMON} FROM channel_schedules"
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('briefing_schedules', 'id'), "
            "COALESCE((SELECT MAX(id) FROM briefing_schedules), 0) + 1, false)"
        )
    op.drop_table("channel_schedules")
    op.create_table(
        "posted_articles",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "schedule_id",
            sa.BigInteger(),
            sa.ForeignKey("briefing_schedules.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quality", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "posted_articles_schedule_time", "posted_articles", ["schedule_id", "posted_at"]
    )


def downgrade() -> None:
    op.drop_index("posted_articles_schedule_time", table_name="posted_articles")
    op.drop_table("posted_articles")
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
    op.execute(
        f"INSERT INTO channel_schedules ({_COMMON}) SELECT {_COMMON} FROM briefing_schedules "  # noqa: S608
        "WHERE id IN (SELECT MIN(id) FROM briefing_schedules GROUP BY guild_id)"
    )
    op.drop_table("briefing_schedules")
