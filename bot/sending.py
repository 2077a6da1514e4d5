"""The small interface through which deliveries reach Discord, and its discord.py adapter.

:class:`~bot.delivery.Deliverer` needs only four things from Discord: a channel to post in, a
DM channel to open, a server's name (for the admin's "paused" DM) and the bot's own user id
(to recognise its messages in a channel's history). :class:`Sender` names them;
:class:`ClientSender` implements them over a discord.py client. The composition root builds
the adapter before the client (the client needs the deliverer, the deliverer sends through the
client) and binds it once the client exists.
"""

from __future__ import annotations

from typing import Protocol

import discord


class Sender(Protocol):
    """Where a delivery's messages go."""

    def channel(self, channel_id: int, guild_id: int) -> discord.abc.Messageable:
        """A channel to post in, without fetching it first."""
        ...

    async def open_dm(self, user_id: int) -> discord.abc.Messageable:
        """The DM channel with ``user_id`` (raises :class:`discord.HTTPException`)."""
        ...

    def guild_name(self, guild_id: int) -> str | None:
        """The server's name when it is known."""
        ...

    def own_user_id(self) -> int | None:
        """The bot's user id once logged in."""
        ...


class ClientSender:
    """:class:`Sender` over a discord.py client, bound with :meth:`bind` once it exists."""

    def __init__(self, client: discord.Client | None = None) -> None:
        self._client = client

    def bind(self, client: discord.Client) -> None:
        """Send through ``client`` from now on."""
        self._client = client

    @property
    def client(self) -> discord.Client:
        """The bound client (an unbound sender is a wiring mistake)."""
        if self._client is None:
            raise RuntimeError("ClientSender used before bind(client)")
        return self._client

    def channel(self, channel_id: int, guild_id: int) -> discord.abc.Messageable:
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def open_dm(self, user_id: int) -> discord.abc.Messageable:
        return await self.client.create_dm(discord.Object(user_id))

    def guild_name(self, guild_id: int) -> str | None:
        guild = self.client.get_guild(guild_id)
        return guild.name if guild is not None else None

    def own_user_id(self) -> int | None:
        user = self.client.user
        return user.id if user is not None else None
