"""The connection to the bot's state database: SQLite by default, PostgreSQL when shared.

:meth:`Database.connect` opens an async engine for a URL such as
``sqlite+aiosqlite:///var/bot/state.db`` or ``postgresql+asyncpg://bot:pw@db/bot``
(``sqlite://`` and ``postgresql://`` are upgraded to those async drivers) and migrates the
schema to the newest revision this code knows with Alembic (``bot/state/migrations/``), on
both databases alike, refusing a database that newer code has migrated
(:class:`SchemaTooNewError`). A database created before Alembic (tables and a
``schema_version`` row 1, no ``alembic_version``) is adopted: stamped at revision ``0001``.

Migrations run in one transaction that also holds the schema lock, so processes starting
together take turns: the first migrates, the others then find the schema up to date. On
PostgreSQL the lock is ``pg_advisory_xact_lock``; on SQLite it is the write lock that
``BEGIN IMMEDIATE`` takes, with foreign keys off while the schema changes (SQLite's own advice:
a batch migration's table copy must not cascade deletes) and ``PRAGMA foreign_key_check`` before
the commit. Inside one process migrations also take turns, even on different databases: Alembic
keeps its running migration in process-wide globals.

SQLite connections use WAL (readers do not block the writer), enforce foreign keys and wait up
to five seconds for a lock. SQLAlchemy, not the ``sqlite3`` module, starts their transactions,
with ``BEGIN IMMEDIATE``: a transaction takes the write lock when it starts, so two processes
never both read and then fail to upgrade to writing (which SQLite reports at once as "database
is locked", without waiting). Every state change runs in ``async with session.begin()``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, CursorResult, Executable, event, inspect, text
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

SCHEMA_VERSION = "0008"
"""The Alembic revision this code migrates to (the head of ``bot/state/migrations``).

Set it to the new revision when adding a migration; a test checks that it is the head.
"""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""Alembic's script directory: ``env.py``, ``script.py.mako`` and ``versions/``."""

_BASELINE = "0001"  # the revision that creates the tables the pre-Alembic code created
_PRE_ALEMBIC_TABLES = frozenset(
    {"schema_version", "channel_schedules", "digest_users", "subscriptions", "deliveries"}
)
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_PG_SCHEMA_LOCK = 0x62726566  # pg_advisory_xact_lock key serialising schema changes ("bref")
_SQLITE_BUSY_TIMEOUT_MS = 5000

# Alembic's `context` and `op` are process-wide proxies, so one process runs one migration at a
# time, even on different databases: an asyncio lock per event loop (tasks of one loop are
# greenlets of one thread), then a thread lock (other threads, other loops).
_ALEMBIC_THREAD_LOCK = threading.Lock()
_ALEMBIC_LOOP_LOCKS: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    WeakKeyDictionary()
)


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this version of the code."""


class SchemaTooNewError(SchemaError):
    """The database was migrated by a newer version of the bot; this code must not touch it.

    ``found`` is the database's revision (Alembic's, or the integer of a pre-Alembic
    ``schema_version`` row as text), ``supported`` the newest revision this code knows.
    """

    def __init__(self, found: str, supported: str = SCHEMA_VERSION) -> None:
        super().__init__(
            f"the state database is at schema revision {found!r}, which this version of the "
            f"bot does not know (it knows revisions up to {supported!r}): newer code has "
            "migrated it; upgrade the bot (or point it at another database)"
        )
        self.found = found
        self.supported = supported


def async_url(url: str) -> URL:
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


def open_engine(url: str) -> AsyncEngine:
    """An async engine for ``url`` (see :func:`async_url`), configured like the bot's own.

    Creates a SQLite file's folder. Used by :meth:`Database.connect` and by the migrations'
    ``env.py`` when developers run the ``alembic`` command.
    """
    parsed = async_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and (file := _sqlite_file(parsed)) is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(parsed, pool_pre_ping=not is_sqlite)
    if is_sqlite:
        _configure_sqlite(engine)
    return engine


def _sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    """Switch SQLite's foreign keys on this connection (only possible outside a transaction)."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    finally:
        cursor.close()


def run_locked(connection: Connection, work: Callable[[Connection], None]) -> None:
    """Run ``work`` (schema changes) in one transaction holding the schema lock; commit it.

    PostgreSQL: ``pg_advisory_xact_lock``. SQLite: ``BEGIN IMMEDIATE``'s write lock, with
    foreign keys off during the change and checked before the commit. ``connection`` must not
    be in a transaction yet.
    """
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        _sqlite_foreign_keys(connection, enabled=False)
    try:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK}
                )
            work(connection)
            if is_sqlite and (
                broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            ):
                raise SchemaError(f"a migration broke foreign keys: {broken[:5]}")
    finally:
        if is_sqlite and not connection.closed and not connection.invalidated:
            _sqlite_foreign_keys(connection, enabled=True)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: the script directory inside this package.

    With ``connection``, ``env.py`` migrates through it (inside the caller's transaction).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _pre_alembic_version(connection: Connection, tables: set[str]) -> int | None:
    """The ``schema_version`` row of a database created before Alembic, if it has one."""
    if "schema_version" not in tables:
        return None
    row = connection.execute(text("SELECT version FROM schema_version WHERE id = 1")).first()
    return None if row is None else int(row[0])


def _check_revisions(current: Sequence[str], script: ScriptDirectory) -> None:
    """Refuse a database at a revision missing from ``script``: newer code migrated it."""
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        raise SchemaTooNewError(", ".join(unknown), script.get_current_head() or SCHEMA_VERSION)


def _migrate(connection: Connection) -> None:
    """Check the database's revision, adopt a pre-Alembic schema, upgrade to the head.

    Runs inside :func:`run_locked`; raising rolls everything back.
    """
    config = alembic_config(connection)
    script = ScriptDirectory.from_config(config)
    current = MigrationContext.configure(connection).get_current_heads()
    _check_revisions(current, script)
    if not current:
        tables = set(inspect(connection).get_table_names())
        version = _pre_alembic_version(connection, tables)
        if version is not None and version > 1:
            raise SchemaTooNewError(str(version), script.get_current_head() or SCHEMA_VERSION)
        if version == 1 and tables >= _PRE_ALEMBIC_TABLES:
            command.stamp(config, _BASELINE)  # created by the code before Alembic: adopt it
        elif tables & _PRE_ALEMBIC_TABLES:
            raise SchemaError(
                "the state database has some of the bot's tables "
                f"({', '.join(sorted(tables & _PRE_ALEMBIC_TABLES))}) but no schema revision "
                "this code can trust; refusing to guess (point the bot at another database)"
            )
    command.upgrade(config, "head")


def _migrate_in_this_process(connection: Connection) -> None:
    with _ALEMBIC_THREAD_LOCK:
        run_locked(connection, _migrate)


def _loop_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _ALEMBIC_LOOP_LOCKS.get(loop)
    if lock is None:
        lock = _ALEMBIC_LOOP_LOCKS[loop] = asyncio.Lock()
    return lock


class Database:
    """An open state database. Create it with :meth:`connect`; :meth:`close` it at shutdown."""

    def __init__(self, engine: AsyncEngine, url_for_logs: str) -> None:
        self.engine = engine
        self.url_for_logs = url_for_logs
        """The URL with any password masked: safe to log."""
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def connect(cls, url: str) -> Database:
        """Open the database at ``url`` and migrate its schema to :data:`SCHEMA_VERSION`.

        Creates a SQLite file's folder. Raises :class:`SchemaTooNewError` when newer code has
        migrated the database (which is then left untouched).
        """
        engine = open_engine(url)
        try:
            async with _loop_lock(), engine.connect() as connection:
                await connection.run_sync(_migrate_in_this_process)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine, engine.url.render_as_string(hide_password=True))

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
