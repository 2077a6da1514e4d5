"""A fake Discord server (REST + gateway) for end-to-end tests of the real discord.py client.

Typical use::

    async with FakeDiscord() as fake:
        guild = fake.add_guild("Test")
        channel = fake.add_text_channel(guild.id, "news")
        point_discord_at(fake.api_base_url, fake.gateway_url)
        ...  # start the bot, then fake.inject_slash_command(...) and assert on fake.*

Surfaces beyond text channels (each documented in its module, tested in
``tests/bot/test_fake_discord_*.py``):

- Announcement channels: ``add_announcement_channel``; ``fake.published`` lists the ids of
  messages the bot published (``Message.publish``), which carry the ``CROSSPOSTED`` flag;
  at most ``messages.publish_limit`` (10) per channel per hour, then 429.
- Threads: ``add_thread`` (one that already exists), ``threads_in(parent_id)`` for the ones
  the bot started (``Message.create_thread`` / ``TextChannel.create_thread``); a thread is a
  channel, so ``messages_in(thread.id)`` holds what was sent into it.
- Forums: ``add_forum_channel(guild_id, name, tags=[...], require_tag=...)``,
  ``add_forum_tag(..., moderated=True)``; a post is a thread in ``threads_in(forum.id)``
  (``thread.thread.applied_tags``) whose first message is ``messages_in(thread.id)[0]``.
- Pings: ``add_role(..., mentionable=True, managed=False)``, ``set_role_mentionable``,
  ``remove_role`` (``GUILD_ROLE_DELETE``: a deleted role pings nobody); for every message
  the bot created, ``fake.pings(message_id)`` is a ``MentionRecord`` with ``pinged_users``,
  ``pinged_roles`` and ``pinged_everyone`` as Discord would ping them (``_mentions``).
- Permissions for all of these (Create Public Threads, Send Messages in Threads, Send
  Messages = Create Posts, Manage Threads for moderated tags, Manage Messages for others'
  announcements, Mention Everyone) are overwrites like any other: ``set_bot_channel_permissions``.
- OAuth2 for a web panel: ``fake.oauth`` (``client_id``, ``client_secret``,
  ``redirect_uris``, ``signed_in_user_id``, ``deny``, ``advance(seconds)``, and the records
  ``authorizations`` / ``grants``); the browser starts at ``fake.oauth_authorize_url``.
- Message components (buttons, select menus) are validated against Discord's limits
  (``_components``: 5 action rows, 5 buttons or one select per row, ``custom_id`` 1-100
  characters and unique, 25 options of 100 characters); ``inject_component`` only makes clicks a
  Discord client could (a component on the message, select values among its options).
- The bot removed from a guild: ``remove_bot(guild_id)`` (``GUILD_DELETE``; the guild stays in
  its members' OAuth2 guild lists), ``has_bot(guild_id)``.
"""

from ._channels import (
    ANNOUNCEMENT_THREAD,
    DM,
    GUILD_ANNOUNCEMENT,
    GUILD_FORUM,
    GUILD_TEXT,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    FakeChannel,
    ForumTag,
)
from ._components import find_component, validate_components
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
from ._mentions import MentionRecord
from ._models import (
    ADMINISTRATOR,
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    DEFAULT_EVERYONE_PERMISSIONS,
    EMBED_LINKS,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    MENTION_EVERYONE,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    USE_APPLICATION_COMMANDS,
    VIEW_CHANNEL,
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
from ._store import CROSSPOSTED, HAS_THREAD
from .server import FakeDiscord

__all__ = [
    "ADMINISTRATOR",
    "ANNOUNCEMENT_THREAD",
    "ATTACH_FILES",
    "BOOLEAN",
    "CHANNEL",
    "CREATE_PRIVATE_THREADS",
    "CREATE_PUBLIC_THREADS",
    "CROSSPOSTED",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DM",
    "EMBED_LINKS",
    "EPHEMERAL_FLAG",
    "GUILD_ANNOUNCEMENT",
    "GUILD_FORUM",
    "GUILD_TEXT",
    "HAS_THREAD",
    "INTEGER",
    "LOADING_FLAG",
    "MANAGE_GUILD",
    "MANAGE_MESSAGES",
    "MANAGE_THREADS",
    "MENTION_EVERYONE",
    "NUMBER",
    "PRIVATE_THREAD",
    "PUBLIC_THREAD",
    "READ_MESSAGE_HISTORY",
    "ROLE",
    "SEND_MESSAGES",
    "SEND_MESSAGES_IN_THREADS",
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
    "ForumTag",
    "InjectedInteraction",
    "InteractionResponseRecord",
    "MentionRecord",
    "Overwrite",
    "RecordedRequest",
    "UploadedFile",
    "compute_permissions",
    "find_component",
    "new_snowflake",
    "validate_components",
]
