"""Fake Discord REST routes for threads, forum posts and announcement publishing.

Follows https://discord.com/developers/docs/resources/channel and .../resources/message:

- ``POST /channels/{id}/messages/{message_id}/threads``: a thread from a message (text or
  announcement channel; Create Public Threads; the thread's id is the message's id; the
  message gains ``thread`` and the HAS_THREAD flag; 160004 when it already has one).
- ``POST /channels/{id}/threads`` in a text/announcement channel: a thread without a
  message (type 11 needs Create Public Threads, 12 Create Private Threads; default 12 like
  API v10; announcement channels only take type 10); a public one leaves a type-18
  "started a thread" message in the parent.
- ``POST /channels/{id}/threads`` in a forum: a post, i.e. a public thread plus its first
  message (same id as the thread), returned as the thread with a ``message`` field. Needs
  Send Messages ("Create Posts"); ``message`` is required; ``applied_tags``: at most 5, each
  in the forum's ``available_tags``, moderated ones need Manage Threads, and a forum with
  REQUIRE_TAG rejects a post without tags (40067).
- Names are 1-100 characters, ``auto_archive_duration`` one of 60/1440/4320/10080.
- ``POST /channels/{id}/messages/{message_id}/crosspost``: publish a message of an
  announcement channel (own messages need Send Messages, others' Manage Messages); sets the
  CROSSPOSTED flag, records the id in ``messages.crossposted``; 40033 when done twice. At
  most 10 publications per channel per hour (``messages.publish_limit`` /
  ``publish_period``), then a 429 whose ``retry_after`` runs until the oldest leaves the hour.
- ``GET /guilds/{id}/threads/active``.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from ._channels import (
    ANNOUNCEMENT_THREAD,
    AUTO_ARCHIVE_DURATIONS,
    GUILD_ANNOUNCEMENT,
    GUILD_FORUM,
    GUILD_TEXT,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    REQUIRE_TAG,
    FakeChannel,
)
from ._http import (
    MISSING_PERMISSIONS,
    DiscordError,
    Reply,
    RestContext,
    Router,
    invalid_field,
    ok,
    validate_message_body,
)
from ._mentions import AllowedMentions
from ._models import (
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    SEND_MESSAGES,
    new_snowflake,
)
from ._records import JsonObject
from ._store import CROSSPOSTED, HAS_THREAD

if TYPE_CHECKING:
    from ._rest_messages import MessageRoutes
    from .server import FakeDiscord

MAX_THREAD_NAME = 100
MAX_APPLIED_TAGS = 5
THREAD_CREATED_MESSAGE = 18
WRONG_CHANNEL_TYPE = DiscordError(400, 50024, "Cannot execute action on this channel type")


class ThreadRoutes:
    """Handlers for thread, forum-post and crosspost endpoints."""

    def __init__(self, fake: FakeDiscord, messages: MessageRoutes) -> None:
        self.fake = fake
        self.messages = messages

    def register(self, r: Router) -> None:
        on_message = "/channels/{channel_id}/messages/{message_id}"
        r.add("POST", on_message + "/threads", self.start_thread_from_message)
        r.add("POST", on_message + "/crosspost", self.crosspost)
        r.add("POST", "/channels/{channel_id}/threads", self.start_thread)
        r.add("GET", "/guilds/{guild_id}/threads/active", self.active_threads)

    def _require(self, channel: FakeChannel, permission: int) -> None:
        if permission & ~self.fake.bot_permissions(channel.id):
            raise MISSING_PERMISSIONS

    async def start_thread_from_message(self, ctx: RestContext) -> Reply:
        parent = self.messages._channel(ctx)
        if parent.type not in (GUILD_TEXT, GUILD_ANNOUNCEMENT):
            raise WRONG_CHANNEL_TYPE
        self._require(parent, CREATE_PUBLIC_THREADS)
        message = self.messages._message(ctx, parent)
        if message.get("thread") is not None:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        body = ctx.json_object
        thread = self.fake.new_thread(
            parent,
            _thread_name(body),
            owner_id=self.fake.bot_user.id,
            auto_archive_duration=_archive_duration(body),
            starter_message_id=int(message["id"]),
            id=int(message["id"]),
        )
        message["thread"] = self.fake.channel_payload(thread)
        message["flags"] = int(message.get("flags", 0)) | HAS_THREAD
        self.fake._message_event("MESSAGE_UPDATE", message)
        return Reply(201, self.fake.channel_payload(thread))

    async def start_thread(self, ctx: RestContext) -> Reply:
        parent = self.messages._channel(ctx)
        if parent.type == GUILD_FORUM:
            return await self._forum_post(ctx, parent)
        if parent.type not in (GUILD_TEXT, GUILD_ANNOUNCEMENT):
            raise WRONG_CHANNEL_TYPE
        body = ctx.json_object
        type_ = int(body.get("type") or PRIVATE_THREAD)
        allowed = (ANNOUNCEMENT_THREAD,) if parent.type == GUILD_ANNOUNCEMENT else (11, 12)
        if type_ not in allowed:
            raise invalid_field("type", "BASE_TYPE_CHOICES", f"Value must be one of {allowed}.")
        public = type_ != PRIVATE_THREAD
        self._require(parent, CREATE_PUBLIC_THREADS if public else CREATE_PRIVATE_THREADS)
        thread = self.fake.new_thread(
            parent,
            _thread_name(body),
            owner_id=self.fake.bot_user.id,
            type_=type_,
            auto_archive_duration=_archive_duration(body),
        )
        if public:
            self.messages.post_message(
                parent,
                {"content": thread.name, "allowed_mentions": {"parse": []}},
                [],
                extra={
                    "type": THREAD_CREATED_MESSAGE,
                    "message_reference": {
                        "channel_id": str(thread.id),
                        "guild_id": str(parent.guild_id),
                    },
                },
            )
        return Reply(201, self.fake.channel_payload(thread))

    async def _forum_post(self, ctx: RestContext, forum: FakeChannel) -> Reply:
        self._require(forum, SEND_MESSAGES)
        body = ctx.json_object
        name = _thread_name(body)
        first = body.get("message")
        if not isinstance(first, dict):
            raise invalid_field("message", "BASE_TYPE_REQUIRED", "This field is required")
        tags = self._applied_tags(forum, body.get("applied_tags"))
        validate_message_body(first, ctx.files, creating=True)
        duration = _archive_duration(body)
        AllowedMentions.parse_body(first.get("allowed_mentions"))  # 400s before creating
        post_id = new_snowflake()  # a post's first message has the thread's id
        thread = self.fake.new_thread(
            forum,
            name,
            owner_id=self.fake.bot_user.id,
            type_=PUBLIC_THREAD,
            auto_archive_duration=duration,
            applied_tags=tags,
            starter_message_id=post_id,
            id=post_id,
        )
        message = self.messages.post_message(thread, first, ctx.files, message_id=thread.id)
        forum.last_message_id = thread.id
        return Reply(201, {**self.fake.channel_payload(thread), "message": message})

    def _applied_tags(self, forum: FakeChannel, raw: object) -> list[int]:
        values = raw if isinstance(raw, list) else []
        if len(values) > MAX_APPLIED_TAGS:
            raise invalid_field(
                "applied_tags", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_APPLIED_TAGS} or fewer."
            )
        tags: list[int] = []
        for index, value in enumerate(values):
            tag = forum.tag(int(value)) if str(value).isdigit() else None
            if tag is None:
                raise invalid_field(f"applied_tags.{index}", "TAG_INVALID", "Unknown tag.")
            if tag.moderated:
                self._require(forum, MANAGE_THREADS)
            tags.append(tag.id)
        if not tags and forum.flags & REQUIRE_TAG:
            raise DiscordError(
                400, 40067, "A tag is required to create a forum post in this channel"
            )
        return tags

    async def crosspost(self, ctx: RestContext) -> Reply:
        channel = self.messages._channel(ctx)
        if channel.type != GUILD_ANNOUNCEMENT:
            raise WRONG_CHANNEL_TYPE
        message = self.messages._message(ctx, channel)
        own = int(message["author"]["id"]) == self.fake.bot_user.id
        self._require(channel, SEND_MESSAGES if own else SEND_MESSAGES | MANAGE_MESSAGES)
        flags = int(message.get("flags", 0))
        if flags & CROSSPOSTED:
            raise DiscordError(400, 40033, "This message has already been crossposted.")
        wait = self.fake.messages.publish_wait(channel.id)
        if wait > 0:
            return _publish_limited(wait)
        message["flags"] = flags | CROSSPOSTED
        self.fake.messages.crossposted.append(int(message["id"]))
        self.fake.messages.published_at[channel.id].append(time.monotonic())
        self.fake._message_event("MESSAGE_UPDATE", message)
        return ok(message)

    async def active_threads(self, ctx: RestContext) -> Reply:
        guild = self.fake.guilds.get(ctx.snowflake("guild_id"))
        if guild is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        threads = [
            self.fake.channel_payload(t)
            for t in self.fake.guild_channels(guild, threads=True)
            if t.thread is not None and not t.thread.archived
        ]
        return ok({"threads": threads, "members": []})


def _publish_limited(wait: float) -> Reply:
    """Discord's 429 for the per-channel publication limit (a shared, per-resource limit)."""
    body = {
        "message": "You are being rate limited.",
        "retry_after": round(wait, 3),
        "global": False,
    }
    headers = {
        "Retry-After": str(math.ceil(wait)),
        "X-RateLimit-Scope": "shared",
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": f"{wait:.3f}",
        "X-RateLimit-Bucket": "crosspost",
    }
    return Reply(429, body, headers)


def _thread_name(body: JsonObject) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_THREAD_NAME:
        raise invalid_field(
            "name", "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_THREAD_NAME} in length."
        )
    return name


def _archive_duration(body: JsonObject) -> int:
    value = body.get("auto_archive_duration")
    if value is None:
        return 1440
    if value not in AUTO_ARCHIVE_DURATIONS:
        raise invalid_field(
            "auto_archive_duration",
            "BASE_TYPE_CHOICES",
            f"Value must be one of {AUTO_ARCHIVE_DURATIONS}.",
        )
    return int(value)
