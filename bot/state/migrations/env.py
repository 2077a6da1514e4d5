"""Alembic's environment for the bot's state: which connection migrations run through.

:meth:`bot.state.Database.connect` passes its connection in ``config.attributes``, inside a
transaction that already holds the schema lock; the migrations simply run on it. The
``alembic`` command (``alembic.ini`` at the repository root) opens the database named by
``-x url=…`` or ``sqlalchemy.url`` with the bot's own engine set-up, takes the same lock and runs
the command there; ``--sql`` prints the SQL instead.
"""

from __future__ import annotations

import asyncio
import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from bot.state.database import async_url, open_engine, run_locked
from bot.state.tables import Base

config = context.config
target_metadata = Base.metadata


def _run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables
    )
    with context.begin_transaction():
        context.run_migrations()


def _command_line_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("name the database: alembic -x url=sqlite+aiosqlite:///path.db …")
    return url


async def _run_from_command_line() -> None:
    engine = open_engine(_command_line_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_locked, _run_migrations)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=async_url(_command_line_url()),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = config.attributes.get("connection")
if _connection is not None:
    _run_migrations(_connection)
elif context.is_offline_mode():
    _run_offline()
else:
    if config.config_file_name is not None and not logging.getLogger().handlers:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(_run_from_command_line())
