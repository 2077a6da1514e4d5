"""World-state half of ``FakeDiscord``: users, guilds, roles, channels, members, overwrites.

Offers the ``add_*`` helpers tests use to build a server, the permission queries REST
handlers use to answer 403s, and the READY / GUILD_CREATE / GUILD_MEMBERS_CHUNK payloads
the gateway sends.  Changes made while the bot is connected are pushed to it as gateway
events (GUILD_CREATE, CHANNEL_CREATE, CHANNEL_UPDATE, ...).
"""

from __future__ import annotations

from typing import Any

from ._channels import DM, GUILD_CATEGORY, GUILD_TEXT, FakeChannel
from ._gateway import GatewaySession
from ._models import (
    ATTACH_FILES,
    DEFAULT_EVERYONE_PERMISSIONS,
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Overwrite,
    compute_permissions,
    new_snowflake,
)
from ._records import JsonObject

INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12


class World:
    """The fake's view of Discord: who exists, which guilds/channels, who may do what."""

    def __init__(
        self,
        *,
        bot_id: int | None = None,
        bot_name: str = "briefing-bot",
        application_id: int | None = None,
        application_flags: int = 0,
    ) -> None:
        self.bot_user = FakeUser(id=bot_id or new_snowflake(), username=bot_name, bot=True)
        self.application_id: int = application_id or self.bot_user.id
        self.application_flags = application_flags
        self.owner = FakeUser(id=new_snowflake(), username="app-owner")
        self.users: dict[int, FakeUser] = {
            self.bot_user.id: self.bot_user,
            self.owner.id: self.owner,
        }
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self._dm_by_user: dict[int, int] = {}

    # -- hooks ------------------------------------------------------------------------

    def _world_event(
        self, event: str, data: JsonObject, guild_id: int | None, intent: int | None = None
    ) -> None:
        """Push a world change to the connected bot (implemented by FakeDiscord)."""

    # -- building the world -------------------------------------------------------------

    def add_user(
        self,
        username: str | None = None,
        *,
        id: int | None = None,
        global_name: str | None = None,
        bot: bool = False,
        dms_closed: bool = False,
    ) -> FakeUser:
        user_id = id or new_snowflake()
        user = FakeUser(
            id=user_id,
            username=username or f"user{len(self.users)}",
            global_name=global_name,
            bot=bot,
            dms_closed=dms_closed,
        )
        self.users[user_id] = user
        return user

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        id: int | None = None,
        owner_id: int | None = None,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        bot_roles: list[int] | None = None,
    ) -> FakeGuild:
        """Create a guild with an @everyone role; the bot and the owner become members."""
        guild_id = id or new_snowflake()
        owner = self.users.get(owner_id) if owner_id is not None else None
        if owner is None:
            owner = self.add_user(f"owner-of-{name}".replace(" ", "-").lower(), id=owner_id)
        guild = FakeGuild(id=guild_id, name=name, owner_id=owner.id)
        guild.roles[guild_id] = FakeRole(
            id=guild_id, name="@everyone", permissions=everyone_permissions
        )
        guild.members[owner.id] = FakeMember(user=owner)
        guild.members[self.bot_user.id] = FakeMember(
            user=self.bot_user, role_ids=list(bot_roles or [])
        )
        self.guilds[guild_id] = guild
        self._world_event("GUILD_CREATE", self.guild_create_payload(guild, 0), guild_id)
        return guild

    def add_role(
        self,
        guild_id: int,
        name: str,
        permissions: int = 0,
        *,
        id: int | None = None,
        position: int | None = None,
        mentionable: bool = False,
        managed: bool = False,
    ) -> FakeRole:
        """Add a role; only ``mentionable`` roles ping unless the sender has Mention Everyone.

        ``managed``: a role an integration owns (a bot's own role, the booster role).
        """
        guild = self.guilds[guild_id]
        role = FakeRole(
            id=id or new_snowflake(),
            name=name,
            permissions=permissions,
            position=position if position is not None else len(guild.roles),
            mentionable=mentionable,
            managed=managed,
        )
        guild.roles[role.id] = role
        self._role_event("GUILD_ROLE_CREATE", guild_id, role)
        return role

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions (``role_id == guild_id`` is @everyone)."""
        role = self.guilds[guild_id].roles[role_id]
        role.permissions = permissions
        self._role_event("GUILD_ROLE_UPDATE", guild_id, role)

    def set_role_mentionable(self, guild_id: int, role_id: int, mentionable: bool) -> None:
        """Allow (or stop) anyone pinging a role; otherwise only Mention Everyone can."""
        role = self.guilds[guild_id].roles[role_id]
        role.mentionable = mentionable
        self._role_event("GUILD_ROLE_UPDATE", guild_id, role)

    def remove_role(self, guild_id: int, role_id: int) -> None:
        """Delete a role (not @everyone): members lose it, overwrites for it go, and a mention
        of it pings nobody from now on (``GUILD_ROLE_DELETE``)."""
        guild = self.guilds[guild_id]
        if role_id == guild_id:
            raise ValueError("the @everyone role cannot be deleted")
        del guild.roles[role_id]
        for member in guild.members.values():
            if role_id in member.role_ids:
                member.role_ids.remove(role_id)
        for channel in self.channels.values():
            if channel.guild_id == guild_id:
                channel.overwrites.pop(role_id, None)
        data = {"guild_id": str(guild_id), "role_id": str(role_id)}
        self._world_event("GUILD_ROLE_DELETE", data, guild_id)

    def _role_event(self, event: str, guild_id: int, role: FakeRole) -> None:
        self._world_event(event, {"guild_id": str(guild_id), "role": role.to_payload()}, guild_id)

    def add_text_channel(
        self,
        guild_id: int,
        name: str = "general",
        *,
        id: int | None = None,
        topic: str | None = None,
        parent_id: int | None = None,
        position: int | None = None,
    ) -> FakeChannel:
        return self._add_channel(guild_id, name, GUILD_TEXT, id, topic, parent_id, position)

    def add_category(self, guild_id: int, name: str, *, id: int | None = None) -> FakeChannel:
        return self._add_channel(guild_id, name, GUILD_CATEGORY, id, None, None, None)

    def _add_channel(
        self,
        guild_id: int,
        name: str,
        type_: int,
        id: int | None,
        topic: str | None,
        parent_id: int | None,
        position: int | None,
        **extra: Any,
    ) -> FakeChannel:
        """Create a guild channel (``extra``: more ``FakeChannel`` fields) and announce it."""
        guild = self.guilds[guild_id]
        channel = FakeChannel(
            id=id or new_snowflake(),
            name=name,
            type=type_,
            guild_id=guild_id,
            topic=topic,
            parent_id=parent_id,
            position=position if position is not None else len(guild.channel_ids),
            **extra,
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        if channel.is_thread:
            self._world_event(
                "THREAD_CREATE", {**channel.to_payload(), "newly_created": True}, guild_id
            )
        else:
            self._world_event("CHANNEL_CREATE", channel.to_payload(), guild_id)
        return channel

    def add_member(
        self,
        guild_id: int,
        user: FakeUser | int | None = None,
        *,
        username: str | None = None,
        roles: list[int] | None = None,
        nick: str | None = None,
    ) -> FakeMember:
        """Add a user (created if needed) to a guild with the given role ids."""
        if isinstance(user, FakeUser):
            fake_user = user
        elif user is not None and user in self.users:
            fake_user = self.users[user]
        else:
            fake_user = self.add_user(username, id=user)
        member = FakeMember(user=fake_user, role_ids=list(roles or []), nick=nick)
        self.guilds[guild_id].members[fake_user.id] = member
        payload = {**member.to_payload(), "guild_id": str(guild_id)}
        self._world_event("GUILD_MEMBER_ADD", payload, guild_id, INTENT_GUILD_MEMBERS)
        return member

    def remove_bot(self, guild_id: int) -> None:
        """The bot is removed from a guild (kicked, or the guild was left): the guild stays for
        its members (``GET /users/@me/guilds`` with their OAuth2 token still lists it), the bot
        gets ``GUILD_DELETE`` without ``unavailable`` (Discord's sign of a removal) and no longer
        sees the guild in READY / GUILD_CREATE or in its own guild list."""
        self.guilds[guild_id].members.pop(self.bot_user.id, None)
        self._world_event("GUILD_DELETE", {"id": str(guild_id)}, guild_id)

    def has_bot(self, guild_id: int) -> bool:
        """Whether the bot is a member of the guild."""
        return self.bot_user.id in self.guilds[guild_id].members

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> Overwrite:
        """Set a channel overwrite for a role or member (type inferred from the guild's roles)."""
        channel = self.channels[channel_id]
        assert channel.guild_id is not None, "DM channels have no overwrites"
        guild = self.guilds[channel.guild_id]
        overwrite = Overwrite(
            id=target_id, type=0 if target_id in guild.roles else 1, allow=allow, deny=deny
        )
        channel.overwrites[target_id] = overwrite
        self._world_event("CHANNEL_UPDATE", channel.to_payload(), guild.id)
        return overwrite

    def set_bot_channel_permissions(
        self, channel_id: int, *, allow: int = 0, deny: int = 0
    ) -> Overwrite:
        """Member overwrite for the bot, e.g. ``deny=SEND_MESSAGES`` to provoke 403 50013."""
        return self.set_overwrite(channel_id, self.bot_user.id, allow=allow, deny=deny)

    # -- queries ------------------------------------------------------------------------

    def permissions_for(self, user_id: int, channel_id: int) -> int:
        """Effective permissions; a thread has its parent channel's (it has no overwrites)."""
        channel = self.channels[channel_id]
        if channel.guild_id is None:
            return compute_dm_permissions()
        guild = self.guilds[channel.guild_id]
        if channel.is_thread and channel.parent_id is not None:
            channel = self.channels[channel.parent_id]
        return compute_permissions(guild, user_id, channel)

    def bot_permissions(self, channel_id: int) -> int:
        return self.permissions_for(self.bot_user.id, channel_id)

    def guild_channels(self, guild: FakeGuild, *, threads: bool) -> list[FakeChannel]:
        """The guild's channels, or (``threads=True``) its threads, which Discord lists apart."""
        channels = (self.channels[c] for c in guild.channel_ids)
        return [c for c in channels if c.is_thread == threads]

    def dm_channel(self, user_id: int) -> FakeChannel:
        """The DM channel between the bot and ``user_id`` (created on first use)."""
        channel_id = self._dm_by_user.get(user_id)
        if channel_id is not None:
            return self.channels[channel_id]
        channel = FakeChannel(id=new_snowflake(), name="", type=DM, recipient_id=user_id)
        self.channels[channel.id] = channel
        self._dm_by_user[user_id] = channel.id
        return channel

    def dm_channel_id(self, user_id: int) -> int | None:
        return self._dm_by_user.get(user_id)

    def channel_payload(self, channel: FakeChannel) -> JsonObject:
        return channel.to_payload(self.users)

    # -- gateway payloads ---------------------------------------------------------------

    def bot_user_payload(self) -> JsonObject:
        return {**self.bot_user.to_payload(), "verified": True, "mfa_enabled": False, "email": None}

    def ready_payload(self, session: GatewaySession) -> JsonObject:
        payload: JsonObject = {
            "v": 10,
            "user": self.bot_user_payload(),
            "guilds": [
                {"id": str(g), "unavailable": True}
                for g in self.guilds
                if session.owns_guild(g) and self.has_bot(g)
            ],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            payload["shard"] = list(session.shard)
        return payload

    @property
    def gateway_url(self) -> str:
        raise NotImplementedError

    def guild_create_payloads(self, session: GatewaySession) -> list[JsonObject]:
        return [
            self.guild_create_payload(g, session.intents)
            for g in self.guilds.values()
            if session.owns_guild(g.id) and self.has_bot(g.id)
        ]

    def guild_create_payload(self, guild: FakeGuild, intents: int) -> JsonObject:
        members = [
            m.to_payload()
            for m in guild.members.values()
            if intents & INTENT_GUILD_MEMBERS or m.user.id == self.bot_user.id
        ]
        return {
            **guild.to_payload(),
            "joined_at": guild.joined_at,
            "large": False,
            "lazy": True,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": members,
            "channels": [
                self.channel_payload(c) for c in self.guild_channels(guild, threads=False)
            ],
            "threads": [self.channel_payload(c) for c in self.guild_channels(guild, threads=True)],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
        }

    def member_chunk_payloads(self, request: JsonObject) -> list[JsonObject]:
        guild = self.guilds.get(int(request.get("guild_id", 0)))
        if guild is None:
            return []
        query = str(request.get("query") or "").lower()
        user_ids = request.get("user_ids")
        wanted = {int(u) for u in user_ids} if user_ids else None
        members = [
            m.to_payload()
            for m in guild.members.values()
            if (wanted is None or m.user.id in wanted) and m.user.username.lower().startswith(query)
        ]
        limit = int(request.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: JsonObject = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if request.get("nonce") is not None:
            chunk["nonce"] = request["nonce"]
        return [chunk]


def compute_dm_permissions() -> int:
    """Permissions the bot has in a DM (enough to talk, read history, embed and attach)."""
    return VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
