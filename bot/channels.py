"""Whether the bot can post in a channel, from the gateway's cache (for set-up, any front end).

The kinds of channel a briefing can go to and what each needs are described in
:mod:`bot.targets`; this module reads them from discord.py's channel objects.
"""

from __future__ import annotations

import discord

from bot.targets import TargetCheck, TargetKind, check_target

_KINDS = {
    discord.ChannelType.text: TargetKind.TEXT,
    discord.ChannelType.news: TargetKind.ANNOUNCEMENT,
    discord.ChannelType.forum: TargetKind.FORUM,
}
POSTABLE = tuple(_KINDS)
"""The channel types a briefing can go to: text, announcement and forum channels."""


def kind_of(channel_type: discord.ChannelType) -> TargetKind | None:
    """The target kind of a channel type, or None for one the bot does not post in."""
    return _KINDS.get(channel_type)


class ChannelChecker:
    """A :data:`bot.usecases.schedules.ChannelCheck` reading a client's cache.

    ``(guild_id, channel_id, thread)`` → a :class:`~bot.targets.TargetCheck`: the channel's
    kind, why the bot cannot post there (``problem``), what it cannot do there (``warnings``).

    Nothing is found when the guild or the bot's member is not cached: the first post then
    tells, and pauses the schedule with the reason.
    """

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def __call__(self, guild_id: int, channel_id: int, thread: bool = False) -> TargetCheck:
        guild = self.client.get_guild(guild_id)
        me = guild.me if guild else None
        if guild is None or me is None:
            return TargetCheck()
        target = guild.get_channel(channel_id)
        if target is None:
            return TargetCheck(problem="That channel is not in this server, or I can't see it.")
        requires_tag = isinstance(target, discord.ForumChannel) and target.flags.require_tag
        return check_target(
            kind_of(target.type),
            target.permissions_for(me),
            mention=target.mention,
            thread=thread,
            requires_tag=requires_tag,
        )


def postable_channels(client: discord.Client, guild_id: int) -> list[tuple[int, str]]:
    """The server's text, announcement and forum channels as ``(id, name)``, in its order."""
    guild = client.get_guild(guild_id)
    if guild is None:
        return []
    return [
        (channel.id, channel.name)
        for channel in sorted(guild.channels, key=lambda c: (c.position, c.id))
        if channel.type in POSTABLE
    ]
