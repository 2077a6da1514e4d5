"""Fake Discord REST routes for channels, messages and DMs.

Messages are checked against the bot's effective channel permissions (403 50001/50013;
in a thread Send Messages in Threads, and forums take no messages: 400 50008), DM targets
with closed DMs (403 50007), Discord's size limits, ``allowed_mentions`` (who each message
really pinged is recorded, see ``_mentions``) and ``enforce_nonce`` de-duplication.
``post_message`` is the one path every bot-sent message (interaction responses and forum
posts included) is created through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._channels import DM, MESSAGEABLE_GUILD_TYPES, FakeChannel
from ._http import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    DiscordError,
    Reply,
    RestContext,
    Router,
    no_content,
    not_found,
    ok,
    validate_message_body,
)
from ._mentions import MentionRecord
from ._models import (
    ATTACH_FILES,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
)
from ._records import (
    EPHEMERAL_FLAG,
    LOADING_FLAG,
    JsonObject,
    UploadedFile,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

UNKNOWN_MESSAGE = DiscordError(404, 10008, "Unknown Message")


class MessageRoutes:
    """Handlers for message-bearing endpoints; ``register`` adds them to a router."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, r: Router) -> None:
        r.add("GET", "/channels/{channel_id}", self.get_channel)
        r.add("GET", "/channels/{channel_id}/messages", self.list_messages)
        r.add("POST", "/channels/{channel_id}/messages", self.create_message)
        r.add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r.add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        r.add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        r.add("POST", "/channels/{channel_id}/typing", self.typing)
        reaction = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
        r.add("PUT", reaction, self.react)
        r.add("DELETE", reaction, self.react)
        r.add("POST", "/users/@me/channels", self.create_dm)

    # -- channels -----------------------------------------------------------------------

    def _channel(self, ctx: RestContext, *, need: int = VIEW_CHANNEL) -> FakeChannel:
        channel = self.fake.channels.get(ctx.snowflake("channel_id"))
        if channel is None:
            raise not_found(10003, "Channel")
        perms = self.fake.bot_permissions(channel.id)
        if not perms & VIEW_CHANNEL:
            raise MISSING_ACCESS
        if need & ~perms:
            raise MISSING_PERMISSIONS
        return channel

    def _message(self, ctx: RestContext, channel: FakeChannel) -> JsonObject:
        message = self.fake.messages.messages.get(ctx.snowflake("message_id"))
        if message is None or int(message["channel_id"]) != channel.id:
            raise UNKNOWN_MESSAGE
        return message

    async def get_channel(self, ctx: RestContext) -> Reply:
        return ok(self.fake.channel_payload(self._channel(ctx)))

    async def list_messages(self, ctx: RestContext) -> Reply:
        channel = self._channel(ctx)
        if not self.fake.bot_permissions(channel.id) & READ_MESSAGE_HISTORY:
            return ok([])
        q = ctx.query

        def opt(name: str) -> int | None:
            return int(q[name]) if q.get(name) else None

        history = self.fake.messages.history(
            channel.id,
            limit=int(q.get("limit", "50")),
            before=opt("before"),
            after=opt("after"),
            around=opt("around"),
        )
        return ok(history)

    async def create_message(self, ctx: RestContext) -> Reply:
        channel = self._channel(ctx)
        self._check_can_send(channel)
        body = ctx.json_object
        if ctx.files and not self.fake.bot_permissions(channel.id) & ATTACH_FILES:
            raise MISSING_PERMISSIONS
        if channel.type == DM:
            recipient = self.fake.users.get(channel.recipient_id or 0)
            if recipient is None or recipient.dms_closed:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        validate_message_body(body, ctx.files, creating=True)
        nonce = body.get("nonce")
        if nonce is not None:
            self.fake.messages.nonce_posts[(channel.id, str(nonce))] += 1
        if nonce is not None and body.get("enforce_nonce"):
            existing = self.fake.messages.find_by_nonce(channel.id, str(nonce))
            if existing is not None:
                return ok(existing)
        return ok(self.post_message(channel, body, ctx.files))

    def _check_can_send(self, channel: FakeChannel) -> None:
        """Forums/categories take no messages; threads need Send Messages in Threads."""
        if channel.type not in MESSAGEABLE_GUILD_TYPES and channel.type != DM:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        perms = self.fake.bot_permissions(channel.id)
        need = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
        if not perms & need:
            raise MISSING_PERMISSIONS
        info = channel.thread
        if info is not None and info.archived:
            if info.locked and not perms & MANAGE_THREADS:
                raise DiscordError(400, 50083, "Thread is archived")
            info.archived = False  # sending unarchives an (unlocked) thread
            self.fake._world_event("THREAD_UPDATE", channel.to_payload(), channel.guild_id)

    def post_message(
        self,
        channel: FakeChannel,
        body: JsonObject,
        files: list[UploadedFile],
        *,
        message_id: int | None = None,
        extra: JsonObject | None = None,
        in_history: bool = True,
    ) -> JsonObject:
        """Store a message the bot sends (validated body), with who it pinged; announce it.

        ``extra`` overrides message fields; its ``flags`` (ephemeral/loading) are kept.
        """
        pings = self.pings_for(channel, body)
        extra = dict(extra or {})
        flags = int(body.get("flags") or 0) & ~(EPHEMERAL_FLAG | LOADING_FLAG)
        body = {**body, "flags": flags | int(extra.pop("flags", 0))}
        message = self.fake.messages.create(
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=self.fake.bot_user,
            body=body,
            files=files,
            extra=extra,
            in_history=in_history,
            message_id=message_id,
        )
        self.store_pings(message, pings)
        if in_history:
            channel.last_message_id = int(message["id"])
            if channel.thread is not None:
                channel.thread.message_count += 1
                channel.thread.total_message_sent += 1
            self.fake._message_event("MESSAGE_CREATE", message)
        return message

    def pings_for(self, channel: FakeChannel, body: JsonObject) -> MentionRecord:
        """Who ``body`` pings in ``channel`` (400 on a bad ``allowed_mentions``)."""
        replied_user = None
        reference = body.get("message_reference")
        if isinstance(reference, dict) and reference.get("message_id"):
            replied = self.fake.messages.messages.get(int(reference["message_id"]))
            replied_user = None if replied is None else int(replied["author"]["id"])
        return self.fake.pings_for(channel, body, replied_user_id=replied_user)

    def store_pings(self, message: JsonObject, pings: MentionRecord) -> None:
        """Record who ``message`` pinged and show it in its ``mentions`` fields."""
        self.fake.messages.pings[int(message["id"])] = pings
        message.update(self.fake.mention_fields(pings))

    async def get_message(self, ctx: RestContext) -> Reply:
        channel = self._channel(ctx, need=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        return ok(self._message(ctx, channel))

    async def edit_message(self, ctx: RestContext) -> Reply:
        channel = self._channel(ctx)
        message = self._message(ctx, channel)
        if int(message["author"]["id"]) != self.fake.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body = ctx.json_object
        validate_message_body(body, ctx.files, creating=False)
        edited = self.fake.messages.edit(int(message["id"]), body, ctx.files)
        self.fake._message_event("MESSAGE_UPDATE", edited)
        return ok(edited)

    async def delete_message(self, ctx: RestContext) -> Reply:
        channel = self._channel(ctx)
        message = self._message(ctx, channel)
        own = int(message["author"]["id"]) == self.fake.bot_user.id
        if not own and not self.fake.bot_permissions(channel.id) & MANAGE_MESSAGES:
            raise MISSING_PERMISSIONS
        self.fake.messages.delete(int(message["id"]))
        self.fake._message_event("MESSAGE_DELETE", message)
        return no_content()

    async def typing(self, ctx: RestContext) -> Reply:
        self._channel(ctx, need=VIEW_CHANNEL | SEND_MESSAGES)
        return no_content()

    async def react(self, ctx: RestContext) -> Reply:
        channel = self._channel(ctx, need=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        self._message(ctx, channel)
        return no_content()

    async def create_dm(self, ctx: RestContext) -> Reply:
        recipient_id = ctx.json_object.get("recipient_id")
        user = self.fake.users.get(int(recipient_id)) if recipient_id is not None else None
        if user is None:
            raise not_found(10013, "User")
        return ok(self.fake.channel_payload(self.fake.dm_channel(user.id)))
