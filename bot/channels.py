"""Whether the bot can post in a channel, from the gateway's cache (for set-up, any front end)."""

from __future__ import annotations

import discord

NEEDED = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
POSTABLE = (discord.ChannelType.text, discord.ChannelType.news)


class ChannelChecker:
    """A :data:`bot.usecases.schedules.ChannelCheck` reading a client's cache.

    ``(guild_id, channel_id)`` → why the bot cannot post there, or None.

    None too when the guild or the bot's member is not cached: the first post then tells,
    and pauses the schedule with the reason.
    """

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def __call__(self, guild_id: int, channel_id: int) -> str | None:
        guild = self.client.get_guild(guild_id)
        me = guild.me if guild else None
        if guild is None or me is None:
            return None
        target = guild.get_channel(channel_id)
        if target is None:
            return "That channel is not in this server, or I can't see it."
        if target.type not in POSTABLE:
            return f"{target.mention} is not a text channel I can post in."
        allowed = target.permissions_for(me)
        missing = [name for name, value in NEEDED if value and not getattr(allowed, name)]
        if missing:
            names = ", ".join(name.replace("_", " ").title() for name in missing)
            return f"I can't post in {target.mention}: I need {names} there."
        return None


def postable_channels(client: discord.Client, guild_id: int) -> list[tuple[int, str]]:
    """The server's text and announcement channels as ``(id, name)``, in the server's order."""
    guild = client.get_guild(guild_id)
    if guild is None:
        return []
    return [
        (channel.id, channel.name)
        for channel in sorted(guild.channels, key=lambda c: (c.position, c.id))
        if channel.type in POSTABLE
    ]
