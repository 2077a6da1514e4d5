"""Schedule ids are never reused: ``briefing_schedules`` gets SQLite's ``AUTOINCREMENT``.

Without it SQLite gives a new row the largest rowid in use plus one, so a schedule set up
after the newest one was removed got its id — and with it the removed schedule's delivery log
(its first post was skipped as already sent), its "already posted" log and its deliveries in
the panel. (Removing a schedule now also deletes that history, see
:func:`bot.state.schedules.remove_schedule`.)

On SQLite the table is copied into one declared ``INTEGER PRIMARY KEY AUTOINCREMENT`` (its rows
and ids unchanged), and the id counter (``sqlite_sequence``) starts past the largest id of any
channel delivery left by a schedule removed before this revision, so no new schedule meets
that history either. PostgreSQL's id sequence never hands out an id twice: nothing to do there.

The downgrade copies the table back without ``AUTOINCREMENT`` (rows and ids unchanged).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "briefing_schedules"


def _table() -> sa.Table:
    """``briefing_schedules`` as revisions 0003, 0004 and 0006 left it (given to the batch
    copy instead of reflecting it, so ``alembic upgrade --sql`` works too)."""
    return sa.Table(
        _TABLE,
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
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
        sa.Column("thread", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("filters", sa.JSON(none_as_null=True), nullable=True),
        sa.UniqueConstraint("guild_id", "name_key", name="briefing_schedules_guild_name"),
    )


def _recreate(*, autoincrement: bool) -> None:
    with op.batch_alter_table(
        _TABLE,
        copy_from=_table(),
        recreate="always",
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ):
        pass


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    _recreate(autoincrement=True)
    op.execute(
        f"INSERT INTO sqlite_sequence (name, seq) SELECT '{_TABLE}', 0 "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{_TABLE}')"
    )
    op.execute(
        "UPDATE sqlite_sequence SET seq = MAX(seq, "  # noqa: S608
        "COALESCE((SELECT MAX(target_id) FROM deliveries WHERE kind = 'channel'), 0)) "
        f"WHERE name = '{_TABLE}'"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    _recreate(autoincrement=False)
