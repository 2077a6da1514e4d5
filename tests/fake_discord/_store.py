"""Stores for what the bot created on the fake Discord: messages and application commands.

``MessageStore`` builds Discord-shaped message objects (ids, timestamps, attachments,
component ids, nonce de-duplication) and answers history queries; ``CommandStore`` keeps
global and per-guild application commands with stable ids across bulk overwrites.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ._mentions import NO_PINGS, MentionRecord
from ._models import FakeUser, iso_now, new_snowflake
from ._records import JsonObject, UploadedFile

NONCE_WINDOW_SECONDS = 300.0
"""How long Discord remembers a nonce for ``enforce_nonce`` de-duplication."""

_ALLOWED_MESSAGE_FLAGS = 4 | 64 | 128 | 4096 | 32768
CROSSPOSTED = 1 << 0
HAS_THREAD = 1 << 5
_KEPT_ON_EDIT = CROSSPOSTED | HAS_THREAD | 64
"""Flags an edit cannot change (published, has a thread, ephemeral)."""


@dataclass
class MessageStore:
    """All messages in all channels (guild and DM), newest last per channel."""

    messages: dict[int, JsonObject] = field(default_factory=dict)
    by_channel: dict[int, list[int]] = field(default_factory=dict)
    deleted: list[JsonObject] = field(default_factory=list)
    _nonces: dict[tuple[int, str], tuple[int, float]] = field(default_factory=dict)
    nonce_window: float = NONCE_WINDOW_SECONDS
    """Tests set 0 to act as if the window had passed (Discord forgot every nonce)."""
    nonce_posts: Counter[tuple[int, str]] = field(default_factory=Counter)
    """How many accepted create-message POSTs each ``(channel id, nonce)`` received, those
    answered with the message an earlier POST created (``enforce_nonce``) included: a re-POST
    after a lost answer is what nonces are for; a second *nonce* for the same content is not."""
    _component_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    pings: dict[int, MentionRecord] = field(default_factory=dict)
    """Who each created message pinged (see ``_mentions``), by message id."""
    crossposted: list[int] = field(default_factory=list)
    """Ids of messages published from announcement channels, in order."""
    publish_limit: int = 10
    """Publications per announcement channel per ``publish_period`` (Discord: 10 an hour)."""
    publish_period: float = 3600.0
    published_at: dict[int, list[float]] = field(default_factory=dict)
    """When messages were published, per channel (monotonic seconds)."""

    def publish_wait(self, channel_id: int) -> float:
        """Seconds until the channel may publish again (0: now); forgets older publications."""
        now = time.monotonic()
        recent = [t for t in self.published_at.get(channel_id, []) if now - t < self.publish_period]
        self.published_at[channel_id] = recent
        if len(recent) < self.publish_limit:
            return 0.0
        return self.publish_period - (now - recent[-self.publish_limit])

    def pings_of(self, message_id: int) -> MentionRecord:
        return self.pings.get(message_id, NO_PINGS)

    def nonces_in(self, channel_id: int) -> dict[str, int]:
        """Each nonce POSTed to the channel and how many times, in first-POST order."""
        return {n: count for (c, n), count in self.nonce_posts.items() if c == channel_id}

    @property
    def nonce_duplicates(self) -> int:
        """POSTs that repeated a nonce already POSTed to the same channel."""
        return sum(count - 1 for count in self.nonce_posts.values())

    def find_by_nonce(self, channel_id: int, nonce: str) -> JsonObject | None:
        """The message created in the nonce window with ``nonce``, if it still exists."""
        entry = self._nonces.get((channel_id, nonce))
        if entry is None or time.monotonic() - entry[1] > self.nonce_window:
            return None
        return self.messages.get(entry[0])

    def create(
        self,
        *,
        channel_id: int,
        guild_id: int | None,
        author: FakeUser,
        body: JsonObject,
        files: list[UploadedFile] | None = None,
        extra: JsonObject | None = None,
        in_history: bool = True,
        message_id: int | None = None,
    ) -> JsonObject:
        """Create and store a message from a create-message style request body."""
        message_id = message_id or new_snowflake()
        message: JsonObject = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "type": 0,
            "author": author.to_payload(),
            "content": "",
            "embeds": [],
            "attachments": [],
            "components": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "flags": 0,
        }
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
        self._apply_body(message, body, files or [])
        if body.get("tts"):
            message["tts"] = True
        reference = body.get("message_reference")
        if isinstance(reference, dict) and reference.get("message_id"):
            ref = dict(reference)
            ref.setdefault("channel_id", str(channel_id))
            message["type"] = 19
            message["message_reference"] = ref
            message["referenced_message"] = self.messages.get(int(ref["message_id"]))
        nonce = body.get("nonce")
        if nonce is not None:
            message["nonce"] = str(nonce)
            self._nonces[(channel_id, str(nonce))] = (message_id, time.monotonic())
        if extra:
            message.update(extra)
        self.messages[message_id] = message
        if in_history:
            self.by_channel.setdefault(channel_id, []).append(message_id)
        return message

    def edit(self, message_id: int, body: JsonObject, files: list[UploadedFile]) -> JsonObject:
        message = self.messages[message_id]
        self._apply_body(message, body, files, editing=True)
        message["edited_timestamp"] = iso_now()
        return message

    def delete(self, message_id: int) -> JsonObject | None:
        message = self.messages.pop(message_id, None)
        if message is None:
            return None
        ids = self.by_channel.get(int(message["channel_id"]), [])
        if message_id in ids:
            ids.remove(message_id)
        self.deleted.append(message)
        return message

    def in_channel(self, channel_id: int) -> list[JsonObject]:
        """Messages currently in the channel's history, oldest first."""
        return [self.messages[i] for i in self.by_channel.get(channel_id, []) if i in self.messages]

    def history(
        self,
        channel_id: int,
        *,
        limit: int = 50,
        before: int | None = None,
        after: int | None = None,
        around: int | None = None,
    ) -> list[JsonObject]:
        """``GET /channels/{id}/messages`` semantics: newest first, at most ``limit``."""
        limit = max(1, min(limit, 100))
        ids = sorted(self.by_channel.get(channel_id, []))
        if around is not None:
            older = [i for i in ids if i <= around][-((limit + 1) // 2) :]
            newer = [i for i in ids if i > around][: limit - len(older)]
            chosen = older + newer
        elif after is not None:
            chosen = [i for i in ids if i > after][:limit]
        else:
            chosen = [i for i in ids if before is None or i < before][-limit:]
        return [self.messages[i] for i in reversed(chosen)]

    def _apply_body(
        self,
        message: JsonObject,
        body: JsonObject,
        files: list[UploadedFile],
        editing: bool = False,
    ) -> None:
        if "content" in body:
            message["content"] = body["content"] or ""
        if "embeds" in body:
            message["embeds"] = copy.deepcopy(body["embeds"] or [])
        elif body.get("embed"):
            message["embeds"] = [copy.deepcopy(body["embed"])]
        if "components" in body:
            message["components"] = self._with_component_ids(
                copy.deepcopy(body["components"] or [])
            )
        if "flags" in body and body["flags"] is not None:
            flags = int(body["flags"]) & _ALLOWED_MESSAGE_FLAGS
            if editing:
                flags |= int(message.get("flags", 0)) & _KEPT_ON_EDIT
            message["flags"] = flags
        if body.get("poll"):
            message["poll"] = copy.deepcopy(body["poll"])
        if "attachments" in body or files:
            message["attachments"] = self._attachments(
                message, body.get("attachments"), files, editing=editing
            )

    def _attachments(
        self,
        message: JsonObject,
        requested: list[JsonObject] | None,
        files: list[UploadedFile],
        *,
        editing: bool,
    ) -> list[JsonObject]:
        existing = {a["id"]: a for a in message.get("attachments", [])}
        by_index = {str(i): f for i, f in enumerate(files)}
        result: list[JsonObject] = []
        entries = requested if requested is not None else [{"id": i} for i in range(len(files))]
        for entry in entries:
            key = str(entry.get("id"))
            if editing and key in existing:
                result.append(existing[key])
                continue
            upload = by_index.get(key)
            if upload is None:
                continue
            attachment_id = new_snowflake()
            filename = entry.get("filename") or upload.filename
            url = f"https://cdn.fake-discord.invalid/attachments/{message['channel_id']}/{attachment_id}/{filename}"
            attachment: JsonObject = {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": upload.content_type,
            }
            if entry.get("description"):
                attachment["description"] = entry["description"]
            result.append(attachment)
        return result

    def _with_component_ids(self, components: list[Any]) -> list[Any]:
        for component in components:
            if isinstance(component, dict):
                component.setdefault("id", next(self._component_ids))
                for key in ("components", "accessory", "component"):
                    child = component.get(key)
                    if isinstance(child, list):
                        self._with_component_ids(child)
                    elif isinstance(child, dict):
                        self._with_component_ids([child])
        return components


@dataclass
class CommandStore:
    """Registered application commands, global and per guild, keyed by id."""

    application_id: int
    global_commands: dict[int, JsonObject] = field(default_factory=dict)
    guild_commands: dict[int, dict[int, JsonObject]] = field(default_factory=dict)

    def scope(self, guild_id: int | None) -> dict[int, JsonObject]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(guild_id, {})

    def bulk_overwrite(self, guild_id: int | None, commands: list[JsonObject]) -> list[JsonObject]:
        scope = self.scope(guild_id)
        old = {(c["name"], c.get("type", 1)): int(c["id"]) for c in scope.values()}
        scope.clear()
        result = []
        for body in commands:
            key = (body["name"], body.get("type", 1))
            command = self._normalise(body, guild_id, old.get(key))
            scope[int(command["id"])] = command
            result.append(command)
        return result

    def upsert(self, guild_id: int | None, body: JsonObject) -> JsonObject:
        scope = self.scope(guild_id)
        key = (body["name"], body.get("type", 1))
        existing = next((i for i, c in scope.items() if (c["name"], c.get("type", 1)) == key), None)
        command = self._normalise(body, guild_id, existing)
        scope[int(command["id"])] = command
        return command

    def edit(self, guild_id: int | None, command_id: int, body: JsonObject) -> JsonObject | None:
        scope = self.scope(guild_id)
        if command_id not in scope:
            return None
        merged = {**scope[command_id], **body}
        scope[command_id] = self._normalise(merged, guild_id, command_id)
        return scope[command_id]

    def find(self, name: str, guild_id: int | None) -> JsonObject | None:
        """The command a user would invoke as ``/name`` in ``guild_id`` (guild ones first)."""
        if guild_id is not None:
            for command in self.guild_commands.get(guild_id, {}).values():
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        for command in self.global_commands.values():
            if command["name"] == name and command.get("type", 1) == 1:
                return command
        return None

    def _normalise(
        self, body: JsonObject, guild_id: int | None, command_id: int | None
    ) -> JsonObject:
        command: JsonObject = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "name_localizations": None,
            "description_localizations": None,
            **copy.deepcopy(body),
        }
        command["id"] = str(command_id if command_id is not None else new_snowflake())
        command["application_id"] = str(self.application_id)
        command["version"] = str(new_snowflake())
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        else:
            command.setdefault("dm_permission", True)
            command.setdefault("integration_types", [0])
            command.setdefault("contexts", None)
        return command
