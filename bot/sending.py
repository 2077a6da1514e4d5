"""How a delivery's messages reach Discord: the sender interface, its adapter, and retries.

:class:`~bot.delivery.Deliverer` needs only six things from Discord: a channel to post in, a
DM channel to open, a server's name (for the admin's "paused" DM), the bot's own user id
(to recognise its messages in a channel's history), a channel itself (its kind: text,
announcement or forum, see :mod:`bot.posting`) and the server's roles (a deleted role is not
mentioned). :class:`Sender` names them;
:class:`ClientSender` implements them over a discord.py client. The composition root builds
the adapter before the client (the client needs the deliverer, the deliverer sends through the
client) and binds it once the client exists.

:func:`send_with_retries` sends one message with its nonce (any other call goes through
:func:`with_retries`), retrying 5xx answers and dropped connections with exponential backoff
(:class:`RetryPolicy`) and turning the errors that need a
person (:data:`PAUSING_ERRORS`) into a pause; :func:`unrecorded` finds the parts a dead
attempt posted but never recorded (recognised by :func:`is_part`, not by author alone).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

import aiohttp
import discord

from bot.digest_menus import feedback_view
from bot.rendering import OutgoingMessage
from bot.state.deliveries import Delivery, DeliveryKind

log = logging.getLogger(__name__)

T = TypeVar("T")


# Discord errors that mean "this target cannot receive posts until a person fixes something".
PAUSING_ERRORS = {
    50013: "I am missing permissions in the briefing channel (Send Messages, Embed Links).",
    50001: "I cannot see the briefing channel (Missing Access).",
    10003: "The briefing channel no longer exists.",
    50007: "Discord refused the DM: your DMs from this server's members are closed.",
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently one message is re-sent after a 5xx or a dropped connection."""

    attempts: int = 3
    first_delay: float = 1.0
    factor: float = 3.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        return self.first_delay * self.factor**attempt


DEFAULT_RETRY = RetryPolicy()


class SendFailedError(Exception):
    """A message could not be sent; ``reason`` is person-readable, ``pause`` stops retries,
    ``code`` is Discord's error code when Discord refused."""

    def __init__(self, reason: str, *, pause: bool = False, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pause = pause
        self.code = code


def message_nonce(kind: DeliveryKind, target_id: int, day: date, part: int) -> int:
    """A stable nonce for one part of one delivery (Discord allows up to 25 characters)."""
    digest = hashlib.blake2b(f"{kind}:{target_id}:{day}:{part}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


Channel = discord.abc.GuildChannel | discord.Thread | discord.abc.PrivateChannel
"""A channel as discord.py's ``get_channel``/``fetch_channel`` give it."""


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

    async def fetch_target(self, channel_id: int) -> Channel:
        """The channel itself, from the cache or else from Discord (raises
        :class:`discord.HTTPException`): its kind, tags and the bot's permissions there."""
        ...

    def role_ids(self, guild_id: int) -> frozenset[int] | None:
        """The ids of the server's roles, None when the server is not known (yet)."""
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

    async def fetch_target(self, channel_id: int) -> Channel:
        cached = self.client.get_channel(channel_id)
        return cached if cached is not None else await self.client.fetch_channel(channel_id)

    def role_ids(self, guild_id: int) -> frozenset[int] | None:
        guild = self.client.get_guild(guild_id)
        return frozenset(role.id for role in guild.roles) if guild is not None else None


def allowed_mentions(message: OutgoingMessage) -> discord.AllowedMentions:
    """Exactly the message's ``ping_roles`` (never everyone, here, users or replies);
    ``AllowedMentions.none()`` for a message without them."""
    if not message.ping_roles:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        everyone=False,
        users=False,
        roles=[discord.Object(role_id) for role_id in message.ping_roles],
        replied_user=False,
    )


async def send_with_retries(
    channel: discord.abc.Messageable,
    message: OutgoingMessage,
    nonce: int,
    retry: RetryPolicy,
    *,
    pausing: Mapping[int, str] = PAUSING_ERRORS,
) -> discord.Message:
    """Send ``message`` with ``nonce``, retrying 5xx answers and dropped connections.

    Raises :class:`SendFailedError`: at once for a 4xx (``pause`` for the codes of
    ``pausing``), after ``retry.attempts`` tries otherwise. Pings nobody but the message's
    ``ping_roles`` (:func:`allowed_mentions`). A DM digest message gets its feedback
    buttons (:func:`bot.digest_menus.feedback_view`).
    """
    extra: dict[str, Any] = {"view": feedback_view()} if message.feedback else {}
    return await with_retries(
        lambda: channel.send(
            content=message.content,
            embeds=list(message.embeds),
            allowed_mentions=allowed_mentions(message),
            nonce=nonce,
            **extra,
        ),
        retry,
        pausing=pausing,
    )


async def with_retries(
    action: Callable[[], Awaitable[T]],
    retry: RetryPolicy,
    *,
    pausing: Mapping[int, str] = PAUSING_ERRORS,
) -> T:
    """Run one Discord call, retrying 5xx answers and dropped connections with backoff.

    Raises :class:`SendFailedError`: at once for a 4xx (``pause`` for the error codes of
    ``pausing``, with its reason), after ``retry.attempts`` tries otherwise.
    """
    reason = "no attempt made"
    for attempt in range(retry.attempts):
        try:
            return await action()
        except discord.HTTPException as error:
            if error.code in pausing:
                raise SendFailedError(pausing[error.code], pause=True, code=error.code) from error
            if error.status < 500:
                refused = f"Discord refused the message ({error.status}): {error.text}"
                raise SendFailedError(refused, code=error.code) from error
            reason = f"Discord error {error.status}"
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            reason = f"connection problem: {type(error).__name__}"
        if attempt + 1 < retry.attempts:
            await asyncio.sleep(retry.delay(attempt))
    raise SendFailedError(f"{reason} (gave up after {retry.attempts} attempts)")


MessageFingerprint = tuple[str, tuple[tuple[str, str, str], ...]]
"""What identifies one part of a delivery: its content and each embed's title, description
and footer, whitespace-trimmed (see :func:`fingerprint`)."""


def fingerprint(content: str | None, embeds: Sequence[discord.Embed]) -> MessageFingerprint:
    """The part of a message that is the same in the part an attempt rendered and in the
    message Discord shows in the channel's history: the content and every embed's title,
    description and footer text (trimmed; Discord trims surrounding whitespace)."""

    def text(value: str | None) -> str:
        return (value or "").strip()

    return (
        text(content),
        tuple(
            (text(embed.title), text(embed.description), text(embed.footer.text))
            for embed in embeds
        ),
    )


def is_part(message: discord.Message, part: OutgoingMessage) -> bool:
    """Whether ``message`` (from a channel's history) is the rendered ``part``."""
    return fingerprint(message.content, message.embeds) == fingerprint(part.content, part.embeds)


async def unrecorded(
    channel: discord.abc.Messageable,
    me: int | None,
    prior: Delivery,
    parts: Sequence[OutgoingMessage],
    *,
    after_id: int | None = None,
) -> list[int]:
    """Ids of the bot's (``me``) messages in ``channel`` newer than what ``prior`` recorded
    (or than the message ``after_id``, when given) that are ``parts[0]``, ``parts[1]``, …
    in that order.

    An attempt that died after Discord accepted a message but before the log heard of it
    left such messages; reading them needs Read Message History (else none are found).
    Several schedules may post in one channel, and a DM also holds other digests and the
    admin's "paused" messages: a message of the bot is taken as part ``i`` only when it *is*
    part ``i`` as this attempt rendered it (:func:`is_part`: same content, same embeds'
    titles, descriptions and footers; the heading names the schedule and its day). Messages
    that are not the next expected part are skipped, so parts interleaved with another
    schedule's posting are still found, in order. Remaining risk, on the side of a duplicate
    rather than a silently missing post: a part whose rendering changed between the attempts
    (the store changed, the schedule was renamed or its pings edited) is not recognised and
    is posted again; and two schedules rendering byte-identical parts (no content; same
    topics, stories and window) in one channel could take each other's continuation parts.
    Nonces are not used: Discord's REST history does not reliably return them.
    """
    if me is None or not parts:
        return []
    if after_id is None and prior.message_ids:
        after_id = prior.message_ids[-1]
    after = discord.Object(
        after_id if after_id is not None else discord.utils.time_snowflake(prior.claimed_at)
    )
    found: list[int] = []
    try:
        async for message in channel.history(limit=50, after=after, oldest_first=True):
            if message.author.id == me and is_part(message, parts[len(found)]):
                found.append(message.id)
                if len(found) == len(parts):
                    break
    except discord.HTTPException as error:
        log.warning("could not read recent messages to resume a delivery: %s", error)
    return found
