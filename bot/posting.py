"""How a delivery's messages reach Discord, kind by kind (issue 13, part 4; see
:mod:`bot.targets` for the kinds and what each needs).

:class:`~bot.exactly_once.ExactlyOnce` sends a briefing's parts in order through a :class:`Poster`,
recording each message id in the delivery log as soon as Discord accepts it. The poster
decides *where* each part goes, and how an attempt that takes over from a dead one finds what
was posted but never recorded:

- :class:`PlainPoster` (a DM, a text channel): every part in the channel, each with its nonce;
  the channel's history after the last recorded message shows the unrecorded ones — the bot's
  messages there that *are* the next parts as this attempt rendered them
  (:func:`bot.sending.unrecorded`): other schedules may post in the same channel.
- :class:`ChannelPoster` with a **thread**: the first part in the channel, then a thread
  started from it (its id is the message's id; a second "start" answers 160004 "already has a
  thread", which means done), and the other parts in the thread. Without Create Public
  Threads or Send Messages in Threads (read from the cache), or when Discord refuses the
  thread, everything goes to the channel and the delivery's notice says so. That decision is
  kept with the delivery (the notice is recorded with every part posted), so an attempt that
  resumes one that died keeps it: a briefing that went to the channel is finished in the
  channel, never in a thread opened late; one whose thread post is under way stays in its
  thread (its first part is recorded and no notice says otherwise). Remaining gap: a refusal
  of the thread learned at part 2 and a death before that part was recorded leave no trace;
  the next attempt asks Discord for the thread again.
- :class:`ChannelPoster` in a **forum**: the first part creates the post (a thread whose first
  message has the thread's id), titled and tagged (:func:`bot.targets.post_title`,
  :func:`bot.targets.forum_tags`; in a forum that requires a tag, a briefing matching none
  gets :func:`bot.targets.fallback_tag`, with a notice); the other parts go into the post.
  Creating a post takes no nonce, so before creating it again — a retry after a 5xx or a
  dropped connection, or an attempt taking over — the poster looks for the bot's own active
  post of that title in the forum and continues in it: a post is never created twice for
  one briefing. (A post is found while it is active, i.e. not archived: Discord archives it
  after a day without messages, far beyond the misfire grace in which a delivery is resumed.)
- :class:`ChannelPoster` in an **announcement** channel: each message in the channel is then
  published to followers. Publishing again answers 40033 "already crossposted", which means
  done, so a resumed attempt simply publishes every message once more. A publication that
  fails (Discord's limit of publishes per hour — a rate limit longer than ``publish_wait`` is
  not waited out —, a permission) loses nothing: the post stays, and the delivery's notice,
  shown by ``/briefing status``, says it was not published.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol

import discord

from bot.channels import kind_of
from bot.rendering import OutgoingMessage
from bot.sending import (
    PAUSING_ERRORS,
    RetryPolicy,
    Sender,
    SendFailedError,
    allowed_mentions,
    send_with_retries,
    unrecorded,
    with_retries,
)
from bot.state.deliveries import Delivery
from bot.targets import TagChoice, TargetKind, fallback_tag, forum_tags
from briefings.model import Catalog

log = logging.getLogger(__name__)

PUBLISH_WAIT = 30.0
"""Seconds to wait for a publication, rate limit included, before reporting it not published."""
ALREADY_CROSSPOSTED = 40033
ALREADY_HAS_THREAD = 160004
WITHOUT_THREAD = "Posted without a thread"
"""How a thread briefing's notice starts when it went to the channel instead (see
:meth:`ChannelPoster.prepare`)."""
THREAD_ARCHIVE_MINUTES: Final[Literal[1440]] = 1440
"""A briefing's thread or post is archived after a day without messages (Discord's default)."""


class Poster(Protocol):
    """Where a delivery's parts go (see the module docstring)."""

    async def prepare(self, prior: Delivery | None) -> None:
        """Look at the target before sending (raises :class:`SendFailedError`); ``prior`` is
        the delivery an earlier attempt left, whose decisions a resumed attempt keeps."""
        ...

    def progress_notice(self) -> str | None:
        """What the delivery log must keep with every recorded part, for an attempt that
        resumes this one (the thread decision), or None."""
        ...

    async def unrecorded(
        self, prior: Delivery, sent: Sequence[int], parts: Sequence[OutgoingMessage]
    ) -> list[int]:
        """Ids of the messages a dead attempt posted after ``sent`` but never recorded, in
        order: the ones that are ``parts[len(sent)]``, ``parts[len(sent) + 1]``, … as this
        attempt rendered them (:func:`bot.sending.unrecorded`)."""
        ...

    async def post(
        self, part: int, message: OutgoingMessage, nonce: int, sent: Sequence[int]
    ) -> int:
        """Post part number ``part`` (``sent`` holds the ids of the parts before it)."""
        ...

    async def finish(self, sent: Sequence[int]) -> str | None:
        """Complete the delivery of ``sent`` (a thread, publishing); a notice of what it could
        not do, or None."""
        ...


class PlainPoster:
    """Every part in one channel or DM, each with its nonce."""

    def __init__(
        self, channel: discord.abc.Messageable, me: int | None, retry: RetryPolicy
    ) -> None:
        self.channel = channel
        self.me = me
        self.retry = retry

    async def prepare(self, prior: Delivery | None) -> None:
        return None

    def progress_notice(self) -> str | None:
        return None

    async def unrecorded(
        self, prior: Delivery, sent: Sequence[int], parts: Sequence[OutgoingMessage]
    ) -> list[int]:
        return await unrecorded(self.channel, self.me, prior, parts[len(sent) :])

    async def post(
        self, part: int, message: OutgoingMessage, nonce: int, sent: Sequence[int]
    ) -> int:
        return (await send_with_retries(self.channel, message, nonce, self.retry)).id

    async def finish(self, sent: Sequence[int]) -> str | None:
        return None


@dataclass(frozen=True, slots=True)
class PostPlan:
    """What a channel briefing's post is: its title and topics, and whether it wants a thread."""

    title: str
    topics: tuple[str, ...] = ()
    thread: bool = False
    catalog: Catalog | None = None


THREAD_PERMISSIONS = {
    **PAUSING_ERRORS,
    50013: "I am missing permissions in the briefing's post or thread "
    "(Send Messages in Posts / Send Messages in Threads, Embed Links).",
}
FORUM_PERMISSIONS = {
    **PAUSING_ERRORS,
    50013: "I am missing permissions in the briefing forum (Create Posts, Embed Links).",
    40067: "The briefing forum requires a tag on every post, and I may apply none of its tags "
    "(they are all moderated: give me Manage Threads there, or add a tag anyone may apply).",
}


class ChannelPoster:
    """A channel briefing in a text, announcement or forum channel (see the module docstring)."""

    def __init__(
        self,
        sender: Sender,
        channel_id: int,
        guild_id: int,
        plan: PostPlan,
        *,
        retry: RetryPolicy,
        publish_wait: float = PUBLISH_WAIT,
    ) -> None:
        self.sender = sender
        self.channel_id = channel_id
        self.plan = plan
        self.retry = retry
        self.publish_wait = publish_wait
        self.channel = sender.channel(channel_id, guild_id)
        self.guild_id = guild_id
        self.kind = TargetKind.TEXT
        self.threaded = False
        self.target: object = None
        self.thread_id: int | None = None
        self.notices: list[str] = []
        self.in_channel: list[int] = []

    @property
    def me(self) -> int | None:
        return self.sender.own_user_id()

    async def prepare(self, prior: Delivery | None) -> None:
        target = await with_retries(lambda: self.sender.fetch_target(self.channel_id), self.retry)
        kind = kind_of(target.type) if isinstance(target, discord.abc.GuildChannel) else None
        if kind is None:
            raise SendFailedError(
                "The briefing channel is not a text, announcement or forum channel any more.",
                pause=True,
            )
        self.kind, self.target = kind, target
        if kind is TargetKind.FORUM or not self.plan.thread:
            return
        if prior is not None and prior.notice and WITHOUT_THREAD in prior.notice:
            self.notices.append(prior.notice)  # an earlier attempt posted it in the channel
            return
        if prior is not None and prior.message_ids:  # the thread's post is under way: keep it
            self.threaded = True
            return
        allowed = self._permissions()
        if allowed is not None and not (
            allowed.create_public_threads and allowed.send_messages_in_threads
        ):
            self.notices.append(
                f"{WITHOUT_THREAD}: I need Create Public Threads and Send Messages in "
                "Threads in the channel."
            )
            return
        self.threaded = True

    def progress_notice(self) -> str | None:
        return " ".join(self.notices) or None

    def _permissions(self) -> discord.Permissions | None:
        """The bot's permissions in the target, when the cache knows them."""
        target = self.target
        if not isinstance(target, discord.abc.GuildChannel) or target.guild.me is None:
            return None
        return target.permissions_for(target.guild.me)

    def _place(self, part: int, sent: Sequence[int]) -> discord.abc.Messageable:
        """Where part ``part`` goes, once the first part's id is known."""
        in_post = self.kind is TargetKind.FORUM or self.threaded
        if part == 0 or not in_post:
            return self.channel
        return self.sender.channel(sent[0], self.guild_id)

    async def unrecorded(
        self, prior: Delivery, sent: Sequence[int], parts: Sequence[OutgoingMessage]
    ) -> list[int]:
        ids = list(sent)
        if not ids and self.kind is TargetKind.FORUM:
            found = await self._find_post()
            if found is None:
                return []
            ids.append(found)
        elif not ids and self.threaded:
            first = await unrecorded(self.channel, self.me, prior, parts[:1])
            if not first:
                return []
            ids += first
        where = self._place(len(ids), ids)
        after = ids[-1] if ids else None
        ids += await unrecorded(where, self.me, prior, parts[len(ids) :], after_id=after)
        return ids[len(sent) :]

    async def post(
        self, part: int, message: OutgoingMessage, nonce: int, sent: Sequence[int]
    ) -> int:
        if part == 0 and self.kind is TargetKind.FORUM:
            return await self._create_post(message)
        if part > 0 and self.threaded:
            await self._open_thread(sent[0])
        where = self._place(part, sent)
        pausing = PAUSING_ERRORS if where is self.channel else THREAD_PERMISSIONS
        posted = await send_with_retries(where, message, nonce, self.retry, pausing=pausing)
        if where is self.channel:
            self.in_channel.append(posted.id)
        return posted.id  # recorded before a thread is opened from it (next part, or finish)

    async def finish(self, sent: Sequence[int]) -> str | None:
        if self.threaded and sent:
            await self._open_thread(sent[0])
        if self.kind is TargetKind.ANNOUNCEMENT:
            earlier = list(sent[:1] if self.threaded else sent)
            await self._publish([*dict.fromkeys([*earlier, *self.in_channel])])
        return " ".join(self.notices) or None

    # --- threads ---------------------------------------------------------------------------

    async def _open_thread(self, message_id: int) -> None:
        """Start the briefing's thread from its first message (once; a second start of the
        same thread answers 160004, which means it exists). A refusal posts the rest of the
        briefing in the channel, with a notice."""
        if self.thread_id is not None or not self.threaded:
            return
        assert isinstance(self.target, discord.TextChannel)
        start = self.target.get_partial_message(message_id)
        try:
            await with_retries(
                lambda: start.create_thread(
                    name=self.plan.title, auto_archive_duration=THREAD_ARCHIVE_MINUTES
                ),
                self.retry,
                pausing={},
            )
        except SendFailedError as error:
            if error.code == ALREADY_HAS_THREAD:
                self.thread_id = message_id
                return
            if error.code is None:  # 5xx or connection: the next attempt tries again
                raise
            self.threaded = False
            self.notices.append(f"{WITHOUT_THREAD}: {error.reason}.")
            return
        self.thread_id = message_id

    # --- forums ----------------------------------------------------------------------------

    async def _create_post(self, message: OutgoingMessage) -> int:
        forum = self.target
        assert isinstance(forum, discord.ForumChannel)
        allowed = self._permissions()
        can_moderate = allowed is not None and allowed.manage_threads
        choices = [TagChoice(tag.id, tag.name, tag.moderated) for tag in forum.available_tags]
        tags = forum_tags(choices, self.plan.topics, self.plan.catalog, can_moderate=can_moderate)
        if not tags and forum.flags.require_tag:
            fallback = fallback_tag(choices, can_moderate=can_moderate)
            if fallback is not None:  # else Discord refuses (40067): a person must fix it
                tags = (fallback.id,)
                self.notices.append(
                    f"No tag of the forum is named like this briefing's topics: tagged "
                    f"“{fallback.name}”, the first tag I may apply (the forum requires one)."
                )
        applied = [tag for tag in forum.available_tags if tag.id in tags]
        attempts = 0

        async def create() -> int:
            nonlocal attempts
            attempts += 1
            if attempts > 1:  # the last try may have created it before the answer was lost
                found = await self._find_post()
                if found is not None:
                    return found
            created = await forum.create_thread(
                name=self.plan.title,
                content=message.content,
                embeds=list(message.embeds),
                applied_tags=applied,
                allowed_mentions=allowed_mentions(message),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
            return created.message.id

        return await with_retries(create, self.retry, pausing=FORUM_PERMISSIONS)

    async def _find_post(self) -> int | None:
        """The bot's own active post of this briefing's title in the forum, if there is one."""
        forum = self.target
        if not isinstance(forum, discord.ForumChannel):
            return None
        try:
            threads = await forum.guild.active_threads()
        except discord.HTTPException as error:
            log.warning("could not list the active posts of forum %s: %s", forum.id, error)
            return None
        for thread in sorted(threads, key=lambda t: t.id):
            if (
                thread.parent_id == forum.id
                and thread.owner_id == self.me
                and thread.name == self.plan.title
            ):
                return thread.id
        return None

    # --- announcements -------------------------------------------------------------------

    async def _publish(self, message_ids: Sequence[int]) -> None:
        """Publish each message to the channel's followers; the first failure stops it and
        becomes the notice (the post itself is not affected)."""
        assert isinstance(self.target, discord.TextChannel)
        for message_id in message_ids:
            partial = self.target.get_partial_message(message_id)
            try:
                await asyncio.wait_for(
                    with_retries(partial.publish, self.retry, pausing={}), self.publish_wait
                )
            except TimeoutError:
                self.notices.append(
                    "Not published to followers: Discord's limit on publishing in this "
                    "channel was reached. Publish it from the message's menu in Discord."
                )
                return
            except SendFailedError as error:
                if error.code == ALREADY_CROSSPOSTED:
                    continue
                self.notices.append(
                    f"Not published to followers: {error.reason}. "
                    "Publish it from the message's menu in Discord."
                )
                return
