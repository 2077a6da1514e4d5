"""The connection to the bot's state database: SQLite by default, PostgreSQL when shared.

:meth:`Database.connect` opens an async engine for a URL such as
``sqlite+aiosqlite:///var/bot/state.db`` or ``postgresql+asyncpg://bot:pw@db/bot``
(``sqlite://`` and ``postgresql://`` are upgraded to those async drivers), creates the schema
when it is missing and checks its version, refusing a database written by newer code
(:class:`SchemaTooNewError`).

SQLite connections use WAL (readers do not block the writer), enforce foreign keys and wait up
to five seconds for a lock. SQLAlchemy, not the ``sqlite3`` module, starts their transactions,
with ``BEGIN IMMEDIATE``: a transaction takes the write lock when it starts, so two processes
never both read and then fail to upgrade to writing (which SQLite reports at once as "database
is locked", without waiting). Every state change runs in ``async with session.begin()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Executable, event, insert, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from bot.state.tables import Base, SchemaVersionRow

SCHEMA_VERSION = 1
"""The schema version this code writes; bump it (with a migration) when the tables change."""

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_PG_SCHEMA_LOCK = 0x62726566  # pg_advisory_xact_lock key serialising schema set-up ("bref")
_SQLITE_BUSY_TIMEOUT_MS = 5000


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this version of the code."""


class SchemaTooNewError(SchemaError):
    """The database was written by a newer version of the bot; this code must not touch it."""

    def __init__(self, found: int, supported: int = SCHEMA_VERSION) -> None:
        super().__init__(
            f"the state database has schema version {found}, but this version of the bot only "
            f"knows version {supported}; upgrade the bot (or point it at another database)"
        )
        self.found = found
        self.supported = supported


def _async_url(url: str) -> URL:
    """``url`` parsed, with its driver set to the async one this module supports."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: use "
            "sqlite+aiosqlite:///path/to/state.db or postgresql+asyncpg://user:pw@host/db"
        )
    return parsed.set(drivername=driver)


def _sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory or URI database."""
    database = url.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return None
    return Path(database)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Pragmas on every new connection, and SQLAlchemy-controlled ``BEGIN IMMEDIATE``."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 must not emit BEGIN itself
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _prepare_schema(connection: Connection) -> None:
    """Create missing tables and record :data:`SCHEMA_VERSION`; refuse a newer schema."""
    found: int | None = None
    if inspect(connection).has_table(SchemaVersionRow.__tablename__):
        found = connection.execute(
            select(SchemaVersionRow.version).where(SchemaVersionRow.id == 1)
        ).scalar_one_or_none()
    if found is not None and found > SCHEMA_VERSION:
        raise SchemaTooNewError(found)
    if found is not None and found < 1:
        raise SchemaError(f"the state database has an invalid schema version {found}")
    Base.metadata.create_all(connection)
    if found is None:
        connection.execute(insert(SchemaVersionRow).values(id=1, version=SCHEMA_VERSION))
    # found < SCHEMA_VERSION: migrations go here once a version 2 exists.


class Database:
    """An open state database. Create it with :meth:`connect`; :meth:`close` it at shutdown."""

    def __init__(self, engine: AsyncEngine, url_for_logs: str) -> None:
        self.engine = engine
        self.url_for_logs = url_for_logs
        """The URL with any password masked: safe to log."""
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def connect(cls, url: str) -> Database:
        """Open the database at ``url``, creating its folder (SQLite) and schema when needed.

        Raises :class:`SchemaTooNewError` when newer code has written the database.
        """
        parsed = _async_url(url)
        is_sqlite = parsed.get_backend_name() == "sqlite"
        if is_sqlite and (file := _sqlite_file(parsed)) is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, pool_pre_ping=not is_sqlite)
        if is_sqlite:
            _configure_sqlite(engine)
        try:
            async with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    # Two processes starting together must not both create the tables.
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK}
                    )
                await connection.run_sync(_prepare_schema)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine, parsed.render_as_string(hide_password=True))

    @property
    def dialect_name(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def session(self) -> AsyncSession:
        """A new session, used as ``async with db.session() as s, s.begin(): ...``."""
        return self._sessions()

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError):
            return False
        return True

    async def close(self) -> None:
        """Close every pooled connection. The object must not be used afterwards."""
        await self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url_for_logs!r})"


def dialect_insert(
    db: Database, entity: type[DeclarativeBase]
) -> sqlite.Insert | postgresql.Insert:
    """An INSERT for ``entity`` supporting ``on_conflict_do_nothing/do_update`` on this DB."""
    if db.dialect_name == "postgresql":
        return postgresql.insert(entity)
    if db.dialect_name == "sqlite":
        return sqlite.insert(entity)
    raise NotImplementedError(f"no upsert support for the {db.dialect_name} dialect")


async def affected_rows(session: AsyncSession, statement: Executable) -> int:
    """Execute an INSERT, UPDATE or DELETE in ``session``; the number of rows it changed."""
    result = await session.execute(statement)
    return cast("CursorResult[Any]", result).rowcount
