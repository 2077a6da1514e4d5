"""Who a message really pings: Discord's ``allowed_mentions`` rules over the message content.

https://discord.com/developers/docs/resources/message#allowed-mentions-object:

- Only ``content`` is parsed (mentions in embeds never ping): ``<@id>`` / ``<@!id>`` users,
  ``<@&id>`` roles, ``@everyone`` and ``@here``.
- Without ``allowed_mentions`` everything in the content is parsed. With it, only what it
  allows: ``parse`` (``"users"``, ``"roles"``, ``"everyone"``) allows a whole kind, the
  ``users`` / ``roles`` lists (at most 100 ids each) allow those ids only, and ``parse``
  plus a list of the same kind is a 400 (mutually exclusive). ``replied_user`` (default
  false; true when ``allowed_mentions`` is absent) pings the author of a replied-to message.
- ``@everyone``/``@here`` and roles that are not ``mentionable`` only ping when the sender
  has Mention Everyone in the channel. A user is only pinged when they can see the channel.

The fake is deliberately stricter than Discord in one way: a mention inside a code block or
escaped with a backslash counts as a candidate too, so "pings nobody" tests cannot pass by
luck of formatting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ._http import DiscordError, invalid_field

MAX_ALLOWED_IDS = 100
PARSE_TYPES = ("roles", "users", "everyone")

_USER = re.compile(r"<@!?(\d{1,20})>")
_ROLE = re.compile(r"<@&(\d{1,20})>")
_EVERYONE = re.compile(r"@(everyone|here)")


@dataclass(frozen=True)
class MentionRecord:
    """Who one message pinged (recorded when it is sent; later edits never ping)."""

    pinged_users: frozenset[int] = frozenset()
    pinged_roles: frozenset[int] = frozenset()
    pinged_everyone: bool = False

    @property
    def pinged_anyone(self) -> bool:
        return bool(self.pinged_users or self.pinged_roles or self.pinged_everyone)


NO_PINGS = MentionRecord()


@dataclass(frozen=True)
class AllowedMentions:
    """A validated ``allowed_mentions`` object."""

    parse: frozenset[str]
    users: frozenset[int]
    roles: frozenset[int]
    replied_user: bool

    @classmethod
    def parse_body(cls, raw: object) -> AllowedMentions:
        """Validate the request's ``allowed_mentions`` like Discord (400 50035 when invalid)."""
        if raw is None:
            return cls(frozenset(PARSE_TYPES), frozenset(), frozenset(), True)
        if not isinstance(raw, dict):
            raise _invalid("_errors", "DICT_TYPE_CONVERT", "Only dictionaries may be used.")
        parse = raw.get("parse") or []
        if not isinstance(parse, list) or any(p not in PARSE_TYPES for p in parse):
            raise _invalid("parse", "BASE_TYPE_CHOICES", f"Value must be one of {PARSE_TYPES}.")
        ids: dict[str, frozenset[int]] = {}
        for kind in ("users", "roles"):
            values = raw.get(kind) or []
            if not isinstance(values, list) or not all(str(v).isdigit() for v in values):
                raise _invalid(kind, "NUMBER_TYPE_COERCE", "Value is not snowflake.")
            if len(values) > MAX_ALLOWED_IDS:
                raise _invalid(kind, "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
            if values and kind in parse:
                raise _invalid(
                    "_errors",
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
            ids[kind] = frozenset(int(v) for v in values)
        return cls(frozenset(parse), ids["users"], ids["roles"], bool(raw.get("replied_user")))


def resolve_mentions(
    content: str,
    allowed: AllowedMentions,
    *,
    guild_roles: dict[int, bool] | None,
    can_mention_everyone: bool,
    can_see: Callable[[int], bool],
    replied_user_id: int | None = None,
) -> MentionRecord:
    """Who ``content`` pings. ``guild_roles`` maps the guild's role ids (not @everyone) to
    ``mentionable`` (None in a DM); ``can_see(user_id)``: can that user see the channel."""
    roles_in_guild = guild_roles or {}
    users = {int(m) for m in _USER.findall(content)}
    users = {u for u in users if "users" in allowed.parse or u in allowed.users}
    if replied_user_id is not None and allowed.replied_user:
        users.add(replied_user_id)
    roles = {int(m) for m in _ROLE.findall(content)}
    roles = {
        r
        for r in roles
        if r in roles_in_guild
        and ("roles" in allowed.parse or r in allowed.roles)
        and (roles_in_guild[r] or can_mention_everyone)
    }
    everyone = (
        guild_roles is not None
        and "everyone" in allowed.parse
        and can_mention_everyone
        and _EVERYONE.search(content) is not None
    )
    return MentionRecord(frozenset(u for u in users if can_see(u)), frozenset(roles), everyone)


def _invalid(field_name: str, code: str, message: str) -> DiscordError:
    path = "allowed_mentions" if field_name == "_errors" else f"allowed_mentions.{field_name}"
    return invalid_field(path, code, message)
