"""The world of the scale-out test and benchmark: guilds, subscribers, one PostgreSQL.

Shared by ``tests/bot/test_scale.py`` (50 guilds, 500 subscribers, a process killed midway)
and ``bench/scale.py`` (500 guilds, 5,000 subscribers, 1 process against 3): both seed the
fake Discord server and the database the same way, start real ``python -m bot`` processes
with :func:`bot_environment`, and count what arrived with :func:`not_exactly_once`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.state import Database, schedules, subscriptions
from bot.state.schedules import ChannelSchedule
from scripts.sample_store import refresh
from tests.bot.processes import clean_environment
from tests.fake_discord import FakeDiscord

TOPICS = ("Space", "Robotics", "Security", "Health Tech", "Open Source", "Climate & Energy")
BRIEFING_HEADING = "**Daily briefing**"
DIGEST_HEADING = "**Your daily digest**"
_TABLES = (
    "digest_signals",
    "subscriptions",
    "digest_users",
    "deliveries",
    "instances",
    "posted_articles",
    "briefing_schedules",
    "channel_schedules",
    "schema_version",
    "alembic_version",
)


@dataclass(frozen=True)
class World:
    """What was seeded: the sample store, each guild's channel and the subscribers."""

    store: Path
    channels: dict[int, int]
    """guild id -> the channel its briefing is posted to"""
    users: list[int]
    due: time


async def reset_database(url: str) -> None:
    """Drop the bot's tables, so the processes start from an empty, unmigrated database."""
    if url.startswith("sqlite"):
        return  # a test's SQLite file is new
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        for table in _TABLES:
            await connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    await engine.dispose()


async def seed(
    fake: FakeDiscord,
    url: str,
    *,
    guilds: int,
    subscribers: int,
    topics: tuple[str, ...],
    now: datetime,
    work: Path,
) -> World:
    """Guilds with a briefing due two minutes ago, and subscribers with digests due then too."""
    await reset_database(url)
    due = (now - timedelta(minutes=2)).time().replace(second=0, microsecond=0)
    store = refresh(now, target=work / "store")
    owner = fake.add_user("owner")
    channels: dict[int, int] = {}
    for number in range(guilds):
        guild = fake.add_guild(f"Guild {number}", owner_id=owner.id)
        channels[guild.id] = fake.add_text_channel(guild.id, "news").id
    users = [fake.add_user(f"reader{n}").id for n in range(subscribers)]
    db = await Database.connect(url)
    try:
        for guild_id, channel_id in channels.items():
            schedule = ChannelSchedule(guild_id, channel_id, due, "UTC")
            await schedules.save_schedule(db, schedule, now=now - timedelta(hours=1))
        for number, user in enumerate(users):
            await subscriptions.subscribe(
                db,
                user,
                topics[number % len(topics)],
                now=now - timedelta(hours=1),
                post_time=due,
                timezone="UTC",
            )
    finally:
        await db.close()
    return World(store, channels, users, due)


def bot_environment(
    fake: FakeDiscord, world: World, url: str, token: str, **settings: str
) -> dict[str, str]:
    """The environment of a bot process talking to ``fake`` (none of the caller's bot keys)."""
    return clean_environment(
        DISCORD_TOKEN=token,
        DISCORD_API_BASE_URL=fake.api_base_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        ARTICLE_STORE=str(world.store),
        DATABASE_URL=url,
        SHARD_COUNT="2",
        LOG_LEVEL="WARNING",
        **settings,
    )


def everything_arrived(fake: FakeDiscord, world: World) -> bool:
    """Whether every channel has a message and every subscriber a DM."""
    return all(fake.messages_in(c) for c in world.channels.values()) and all(
        fake.dms_to(u) for u in world.users
    )


def _count(messages: list[dict[str, object]], heading: str) -> int:
    return sum(str(m.get("content") or "").startswith(heading) for m in messages)


def not_exactly_once(fake: FakeDiscord, world: World) -> list[str]:
    """Each channel without exactly one briefing and each user without exactly one digest."""
    wrong = [
        f"channel {channel}: {count} briefings"
        for channel in world.channels.values()
        if (count := _count(fake.messages_in(channel), BRIEFING_HEADING)) != 1
    ]
    wrong += [
        f"user {user}: {count} digests"
        for user in world.users
        if (count := _count(fake.dms_to(user), DIGEST_HEADING)) != 1
    ]
    return wrong
