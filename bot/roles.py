"""Whether the bot can mention a role in a channel, from the gateway's cache (for
``/briefing ping`` and ``/briefing status``).

Discord pings a role named in ``allowed_mentions`` only when the role is mentionable by
anyone, or the sender has Mention Everyone ("Mention @everyone, @here, and All Roles") in the
channel. On top of that the bot refuses ``@everyone`` itself and roles an integration manages
(a bot's own role, the Server Booster role): members do not choose those, so pinging them is
never what a briefing's readers asked for.
"""

from __future__ import annotations

import discord

_MENTION_EVERYONE = "Mention @everyone, @here, and All Roles"


class RoleChecker:
    """A :data:`bot.usecases.pings.RoleCheck` reading a client's cache.

    ``(guild_id, channel_id, role_id)`` → why the bot cannot mention that role in that
    channel, or None (None too when the server is not cached yet: Discord then pings only
    what it allows).
    """

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def __call__(self, guild_id: int, channel_id: int, role_id: int) -> str | None:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return None
        if role_id == guild.id:
            return (
                "A briefing never pings `@everyone`: choose a role that people join to hear "
                "about this topic."
            )
        role = guild.get_role(role_id)
        if role is None:
            return "That role no longer exists in this server."
        if role.managed:
            return (
                f"{role.mention} is managed by an integration (a bot's role or the booster "
                "role), so members cannot choose it: choose a role people join for this topic."
            )
        if role.mentionable:
            return None
        channel = guild.get_channel(channel_id)
        me = guild.me
        if channel is not None and me is not None and channel.permissions_for(me).mention_everyone:
            return None
        where = channel.mention if channel is not None else "the briefing's channel"
        return (
            f"I can't mention {role.mention} in {where}: turn on “Allow anyone to @mention this "
            f"role” in the role's settings, or give me “{_MENTION_EVERYONE}” there."
        )
