"""Filters (issue 13, part 6): words to include or exclude and outlets to leave out.

``briefing_schedules.filters`` holds a schedule's filters, ``digest_users.filters`` those of a
subscriber's whole digest: JSON ``{"include": [...], "exclude": [...], "outlets": [...]}``,
``NULL`` for none (see :class:`bot.state.tables.FiltersJSON`). Existing schedules and
subscribers get ``NULL``: they post exactly as before. The downgrade drops both columns.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("briefing_schedules", "digest_users")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("filters", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("filters")
