"""World builders for Discord surfaces beyond text channels: announcements, forums, threads.

``SurfaceWorld`` extends ``World`` with ``add_announcement_channel``, ``add_forum_channel``
(with ``ForumTag``s and the REQUIRE_TAG flag), ``add_forum_tag`` and ``add_thread``, plus
``new_thread`` (shared by the REST thread routes), the queries tests assert with
(``threads_in``, ``user_guild_entries``) and ``pings_for``: who a message body would really
ping. Threads are channels that Discord lists apart from the guild's channels
(GUILD_CREATE ``threads``, ``/guilds/{id}/threads/active``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ._channels import (
    ANNOUNCEMENT_THREAD,
    GUILD_ANNOUNCEMENT,
    GUILD_FORUM,
    PUBLIC_THREAD,
    REQUIRE_TAG,
    FakeChannel,
    ForumTag,
    ThreadInfo,
)
from ._mentions import AllowedMentions, MentionRecord, resolve_mentions
from ._models import MENTION_EVERYONE, VIEW_CHANNEL, compute_permissions, new_snowflake
from ._records import JsonObject
from ._world import World


class SurfaceWorld(World):
    """Adds announcement/forum channels, forum tags, threads and mention resolution."""

    def add_announcement_channel(
        self,
        guild_id: int,
        name: str = "announcements",
        *,
        id: int | None = None,
        topic: str | None = None,
        parent_id: int | None = None,
        position: int | None = None,
    ) -> FakeChannel:
        """A type-5 channel: its messages can be published (crossposted) to followers."""
        return self._add_channel(guild_id, name, GUILD_ANNOUNCEMENT, id, topic, parent_id, position)

    def add_forum_channel(
        self,
        guild_id: int,
        name: str = "forum",
        *,
        tags: Sequence[str | ForumTag] = (),
        require_tag: bool = False,
        id: int | None = None,
        topic: str | None = None,
        parent_id: int | None = None,
        position: int | None = None,
    ) -> FakeChannel:
        """A type-15 channel whose posts are threads; ``tags`` become ``available_tags``."""
        available = [t if isinstance(t, ForumTag) else ForumTag(new_snowflake(), t) for t in tags]
        return self._add_channel(
            guild_id,
            name,
            GUILD_FORUM,
            id,
            topic,
            parent_id,
            position,
            available_tags=available,
            flags=REQUIRE_TAG if require_tag else 0,
        )

    def add_forum_tag(
        self,
        channel_id: int,
        name: str,
        *,
        moderated: bool = False,
        emoji_name: str | None = None,
    ) -> ForumTag:
        """Add a tag to a forum's ``available_tags`` (``moderated``: Manage Threads to apply)."""
        channel = self.channels[channel_id]
        assert channel.type == GUILD_FORUM, "only forum channels have tags"
        tag = ForumTag(new_snowflake(), name, moderated=moderated, emoji_name=emoji_name)
        channel.available_tags.append(tag)
        self._world_event("CHANNEL_UPDATE", channel.to_payload(), channel.guild_id)
        return tag

    def add_thread(
        self,
        parent_id: int,
        name: str,
        *,
        owner_id: int | None = None,
        applied_tags: Sequence[int] = (),
        id: int | None = None,
    ) -> FakeChannel:
        """A thread someone else already started in ``parent_id`` (a text/announcement/forum)."""
        return self.new_thread(
            self.channels[parent_id],
            name,
            owner_id=owner_id if owner_id is not None else self.owner.id,
            applied_tags=applied_tags,
            id=id,
        )

    def new_thread(
        self,
        parent: FakeChannel,
        name: str,
        *,
        owner_id: int,
        type_: int | None = None,
        auto_archive_duration: int = 1440,
        applied_tags: Sequence[int] = (),
        starter_message_id: int | None = None,
        id: int | None = None,
    ) -> FakeChannel:
        """Create a thread channel under ``parent`` and send THREAD_CREATE."""
        assert parent.guild_id is not None, "threads live in guild channels"
        if type_ is None:
            type_ = ANNOUNCEMENT_THREAD if parent.type == GUILD_ANNOUNCEMENT else PUBLIC_THREAD
        info = ThreadInfo(
            owner_id=owner_id,
            auto_archive_duration=auto_archive_duration,
            applied_tags=list(applied_tags),
            starter_message_id=starter_message_id,
        )
        return self._add_channel(
            parent.guild_id, name, type_, id, None, parent.id, None, thread=info
        )

    def threads_in(self, parent_id: int) -> list[FakeChannel]:
        """Threads (forum posts included) whose parent is ``parent_id``, oldest first."""
        return [c for c in self.channels.values() if c.is_thread and c.parent_id == parent_id]

    def user_guild_entries(self, user_id: int) -> list[JsonObject]:
        """``GET /users/@me/guilds`` entries (partial guilds, ``permissions`` as a string)."""
        return [
            {
                "id": str(guild.id),
                "name": guild.name,
                "icon": None,
                "banner": None,
                "owner": guild.owner_id == user_id,
                "permissions": str(compute_permissions(guild, user_id, None)),
                "features": [],
            }
            for guild in sorted(self.guilds.values(), key=lambda g: g.id)
            if user_id in guild.members
        ]

    # -- mentions -----------------------------------------------------------------------

    def pings_for(
        self, channel: FakeChannel, body: JsonObject, *, replied_user_id: int | None = None
    ) -> MentionRecord:
        """Who the bot pings by sending ``body`` to ``channel`` (400 on bad allowed_mentions)."""
        allowed = AllowedMentions.parse_body(body.get("allowed_mentions"))
        content = body.get("content")
        guild = self.guilds[channel.guild_id] if channel.guild_id is not None else None
        roles = None
        if guild is not None:
            roles = {r.id: r.mentionable for r in guild.roles.values() if r.id != guild.id}

        def can_see(user_id: int) -> bool:
            if user_id not in self.users or user_id == self.bot_user.id:
                return False
            if guild is None:
                return user_id == channel.recipient_id
            return user_id in guild.members and bool(
                self.permissions_for(user_id, channel.id) & VIEW_CHANNEL
            )

        return resolve_mentions(
            content if isinstance(content, str) else "",
            allowed,
            guild_roles=roles,
            can_mention_everyone=bool(self.bot_permissions(channel.id) & MENTION_EVERYONE),
            can_see=can_see,
            replied_user_id=replied_user_id,
        )

    def mention_fields(self, pings: MentionRecord) -> JsonObject:
        """The message object's ``mentions`` / ``mention_roles`` / ``mention_everyone``."""
        return {
            "mentions": [self.users[u].to_payload() for u in sorted(pings.pinged_users)],
            "mention_roles": [str(r) for r in sorted(pings.pinged_roles)],
            "mention_everyone": pings.pinged_everyone,
        }
