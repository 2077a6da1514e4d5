"""The bot's persistent state: briefing schedules (several per guild), digest subscribers and
the delivery log.

SQLAlchemy 2 async over SQLite (``sqlite+aiosqlite``, the default) or PostgreSQL
(``postgresql+asyncpg``, when several processes share the state), with the same code. Every
function takes the :class:`Database` first and returns frozen dataclasses, never ORM objects;
nothing here reads the clock (``now`` is always passed in, timezone-aware) or knows Discord.
"""

from __future__ import annotations

from bot.state import instances
from bot.state.claims import DEFAULT_LEASE, claim, mark_failed, mark_sent, record_progress
from bot.state.database import SCHEMA_VERSION, Database, SchemaError, SchemaTooNewError
from bot.state.deliveries import Delivery, DeliveryKind, DeliveryStatus, get_delivery, last_delivery
from bot.state.schedules import (
    ChannelSchedule,
    DuplicateNameError,
    active_schedules,
    disable_schedule,
    get_schedule,
    guild_schedules,
    pause_schedule,
    remove_schedule,
    save_schedule,
    schedule_by_id,
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
    "DuplicateNameError",
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
    "guild_schedules",
    "instances",
    "last_delivery",
    "mark_failed",
    "mark_sent",
    "pause_digest",
    "pause_schedule",
    "record_progress",
    "remove_schedule",
    "save_schedule",
    "schedule_by_id",
    "subscribe",
    "unsubscribe",
]
