"""The bot's persistent state: guild schedules, digest subscribers and the delivery log.

SQLAlchemy 2 async over SQLite (``sqlite+aiosqlite``, the default) or PostgreSQL
(``postgresql+asyncpg``, when several processes share the state), with the same code. Every
function takes the :class:`Database` first and returns frozen dataclasses, never ORM objects;
nothing here reads the clock (``now`` is always passed in, timezone-aware) or knows Discord.
"""

from __future__ import annotations

from bot.state import instances
from bot.state.database import SCHEMA_VERSION, Database, SchemaError, SchemaTooNewError
from bot.state.deliveries import (
    DEFAULT_LEASE,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    claim,
    get_delivery,
    last_delivery,
    mark_failed,
    mark_sent,
    record_progress,
)
from bot.state.schedules import (
    ChannelSchedule,
    active_schedules,
    disable_schedule,
    get_schedule,
    pause_schedule,
    save_schedule,
)
from bot.state.subscriptions import (
    DigestSettings,
    digest_settings,
    digest_users,
    forget_user,
    pause_digest,
    subscribe,
    unsubscribe,
)

__all__ = [
    "DEFAULT_LEASE",
    "SCHEMA_VERSION",
    "ChannelSchedule",
    "Database",
    "Delivery",
    "DeliveryKind",
    "DeliveryStatus",
    "DigestSettings",
    "SchemaError",
    "SchemaTooNewError",
    "active_schedules",
    "claim",
    "digest_settings",
    "digest_users",
    "disable_schedule",
    "forget_user",
    "get_delivery",
    "get_schedule",
    "instances",
    "last_delivery",
    "mark_failed",
    "mark_sent",
    "pause_digest",
    "pause_schedule",
    "record_progress",
    "save_schedule",
    "subscribe",
    "unsubscribe",
]
