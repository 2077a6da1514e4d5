"""Channel model of the fake Discord: text, announcement, forum, category, DM and thread channels.

``FakeChannel.to_payload`` renders each kind the way Discord does: guild channels carry
``permission_overwrites`` and ``position``; forum channels (type 15) add
``available_tags`` (``ForumTag``) and the ``REQUIRE_TAG`` flag; threads (types 10/11/12)
carry ``parent_id``, ``owner_id``, counts, ``applied_tags`` and ``thread_metadata`` and no
overwrites of their own (their permissions are the parent channel's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._models import iso_now

if TYPE_CHECKING:
    from ._models import FakeUser, Overwrite

# Channel types (discord.com/developers/docs/resources/channel#channel-object-channel-types).
GUILD_TEXT = 0
DM = 1
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
ANNOUNCEMENT_THREAD = 10
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
GUILD_FORUM = 15
THREAD_TYPES = frozenset({ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})
MESSAGEABLE_GUILD_TYPES = frozenset({GUILD_TEXT, GUILD_ANNOUNCEMENT}) | THREAD_TYPES

# Channel flags.
PINNED = 1 << 1
REQUIRE_TAG = 1 << 4

AUTO_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
"""The only ``auto_archive_duration`` values Discord accepts (minutes)."""


@dataclass
class ForumTag:
    """A tag a forum channel offers (``available_tags``); ``moderated`` needs Manage Threads."""

    id: int
    name: str
    moderated: bool = False
    emoji_id: int | None = None
    emoji_name: str | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "moderated": self.moderated,
            "emoji_id": _opt_str(self.emoji_id),
            "emoji_name": self.emoji_name,
        }


@dataclass
class ThreadInfo:
    """What a thread has beyond a channel: owner, tags, counters and ``thread_metadata``."""

    owner_id: int
    auto_archive_duration: int = 1440
    applied_tags: list[int] = field(default_factory=list)
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    message_count: int = 0
    total_message_sent: int = 0
    member_count: int = 1
    create_timestamp: str = field(default_factory=iso_now)
    starter_message_id: int | None = None
    """The message the thread was started from (or, in a forum, its first post)."""

    def metadata(self) -> dict[str, Any]:
        return {
            "archived": self.archived,
            "auto_archive_duration": self.auto_archive_duration,
            "archive_timestamp": self.create_timestamp,
            "locked": self.locked,
            "invitable": self.invitable,
            "create_timestamp": self.create_timestamp,
        }


@dataclass
class FakeChannel:
    """A guild channel (text, announcement, forum, category), a thread, or a DM channel."""

    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    recipient_id: int | None = None
    last_message_id: int | None = None
    flags: int = 0
    available_tags: list[ForumTag] = field(default_factory=list)
    """Forum channels only: the tags posts may carry (at most 20 on Discord)."""
    thread: ThreadInfo | None = None
    """Threads only: owner, tags, counters, archive state."""

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def tag(self, tag_id: int) -> ForumTag | None:
        return next((t for t in self.available_tags if t.id == tag_id), None)

    def to_payload(self, users: dict[int, FakeUser] | None = None) -> dict[str, Any]:
        if self.type == DM:
            recipients = []
            if users is not None and self.recipient_id in users:
                recipients = [users[self.recipient_id].to_payload()]
            return {
                "id": str(self.id),
                "type": DM,
                "flags": 0,
                "recipients": recipients,
                "last_message_id": _opt_str(self.last_message_id),
            }
        common: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "last_message_id": _opt_str(self.last_message_id),
            "rate_limit_per_user": 0,
            "parent_id": _opt_str(self.parent_id),
            "flags": self.flags,
        }
        if self.thread is not None:
            info = self.thread
            common.update(
                owner_id=str(info.owner_id),
                message_count=info.message_count,
                total_message_sent=info.total_message_sent,
                member_count=info.member_count,
                thread_metadata=info.metadata(),
            )
            if info.applied_tags:
                common["applied_tags"] = [str(t) for t in info.applied_tags]
            return common
        common.update(
            position=self.position,
            permission_overwrites=[o.to_payload() for o in self.overwrites.values()],
            topic=self.topic,
            nsfw=False,
            default_auto_archive_duration=1440,
        )
        if self.type == GUILD_FORUM:
            common.update(
                available_tags=[t.to_payload() for t in self.available_tags],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        return common


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)
