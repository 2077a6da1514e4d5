"""A fake Discord server (REST + gateway) for end-to-end tests of the real discord.py client.

Typical use::

    async with FakeDiscord() as fake:
        guild = fake.add_guild("Test")
        channel = fake.add_text_channel(guild.id, "news")
        point_discord_at(fake.api_base_url, fake.gateway_url)
        ...  # start the bot, then fake.inject_slash_command(...) and assert on fake.*
"""

from ._interactions import (
    BOOLEAN,
    CHANNEL,
    INTEGER,
    NUMBER,
    ROLE,
    STRING,
    USER,
    CommandOption,
    InjectedInteraction,
)
from ._models import (
    ADMINISTRATOR,
    ATTACH_FILES,
    DEFAULT_EVERYONE_PERMISSIONS,
    EMBED_LINKS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    USE_APPLICATION_COMMANDS,
    VIEW_CHANNEL,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Overwrite,
    compute_permissions,
    new_snowflake,
)
from ._records import (
    EPHEMERAL_FLAG,
    LOADING_FLAG,
    ForcedResponse,
    InteractionResponseRecord,
    RecordedRequest,
    UploadedFile,
)
from .server import FakeDiscord

__all__ = [
    "ADMINISTRATOR",
    "ATTACH_FILES",
    "BOOLEAN",
    "CHANNEL",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "EMBED_LINKS",
    "EPHEMERAL_FLAG",
    "INTEGER",
    "LOADING_FLAG",
    "MANAGE_MESSAGES",
    "NUMBER",
    "READ_MESSAGE_HISTORY",
    "ROLE",
    "SEND_MESSAGES",
    "STRING",
    "USER",
    "USE_APPLICATION_COMMANDS",
    "VIEW_CHANNEL",
    "CommandOption",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "ForcedResponse",
    "InjectedInteraction",
    "InteractionResponseRecord",
    "Overwrite",
    "RecordedRequest",
    "UploadedFile",
    "compute_permissions",
    "new_snowflake",
]
