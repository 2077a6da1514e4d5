"""Building INTERACTION_CREATE payloads and tracking the bot's responses to them.

``build_command_data`` turns friendly ``{"name": value}`` options into Discord's option
list (typed from the registered command's schema when known) plus ``resolved`` data;
``InjectedInteraction`` is the handle returned by ``FakeDiscord.inject_*`` that collects
the callback, followups and edits the bot makes for that interaction.
"""

# Waiting helpers take a ``timeout`` argument on purpose: it is the API tests use.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._records import InteractionResponseRecord, JsonObject, Notifier

# Interaction types.
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Application command option types.
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

_SNOWFLAKE_TYPES = (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT)

Resolver = Callable[[int, int], tuple[str, JsonObject] | None]
"""``resolver(option_type, id)`` -> (``resolved`` section, object) or None.

``option_type == -USER`` asks for the guild-member entry (``resolved.members``) of a user.
"""


@dataclass(frozen=True)
class CommandOption:
    """An option value with an explicit Discord option type (e.g. ``CommandOption(CHANNEL, 123)``)."""

    type: int
    value: Any


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    return STRING


def _schema_for(schema: list[JsonObject] | None, name: str) -> JsonObject | None:
    for option in schema or []:
        if option.get("name") == name:
            return option
    return None


def _encode(option_type: int, value: Any) -> Any:
    if hasattr(value, "id") and option_type in _SNOWFLAKE_TYPES:
        value = value.id
    if option_type in _SNOWFLAKE_TYPES:
        return str(value)
    if option_type == INTEGER:
        return int(value)
    if option_type == NUMBER:
        return float(value)
    if option_type == BOOLEAN:
        return bool(value)
    return value if isinstance(value, str) else str(value)


def build_command_data(
    *,
    name: str,
    command: JsonObject | None,
    command_id: int,
    options: Mapping[str, Any] | None,
    subcommand: str | None,
    subcommand_group: str | None,
    resolver: Resolver,
    focused: tuple[str, Any] | None = None,
) -> JsonObject:
    """``data`` for an APPLICATION_COMMAND or AUTOCOMPLETE interaction."""
    schema: list[JsonObject] | None = command.get("options") if command is not None else None
    path: list[tuple[int, str]] = []
    if subcommand_group is not None:
        path.append((SUB_COMMAND_GROUP, subcommand_group))
    if subcommand is not None:
        path.append((SUB_COMMAND, subcommand))
    for _, part in path:
        found = _schema_for(schema, part)
        schema = found.get("options") if found is not None else None

    resolved: dict[str, dict[str, JsonObject]] = {}
    leaf: list[JsonObject] = []
    items = list((options or {}).items())
    for opt_name, raw in items:
        leaf.append(_build_option(opt_name, raw, schema, resolver, resolved))
    if focused is not None:
        focused_name, partial = focused
        found = _schema_for(schema, focused_name)
        option_type = int(found["type"]) if found is not None else _infer_type(partial)
        leaf.append({"name": focused_name, "type": option_type, "value": partial, "focused": True})

    top: list[JsonObject] = leaf
    for option_type, part in reversed(path):
        top = [{"name": part, "type": option_type, "options": top}]

    data: JsonObject = {"id": str(command_id), "name": name, "type": 1}
    if top:
        data["options"] = top
    if resolved:
        data["resolved"] = resolved
    if command is not None and command.get("guild_id") is not None:
        data["guild_id"] = command["guild_id"]
    return data


def _build_option(
    name: str,
    raw: Any,
    schema: list[JsonObject] | None,
    resolver: Resolver,
    resolved: dict[str, dict[str, JsonObject]],
) -> JsonObject:
    if isinstance(raw, CommandOption):
        option_type, value = raw.type, raw.value
    else:
        found = _schema_for(schema, name)
        option_type = int(found["type"]) if found is not None else _infer_type(raw)
        value = raw
    encoded = _encode(option_type, value)
    if option_type in _SNOWFLAKE_TYPES:
        entries = [(option_type, int(encoded))]
        if option_type == MENTIONABLE:
            entries = [(USER, int(encoded)), (ROLE, int(encoded))]
        for entry_type, entry_id in entries:
            hit = resolver(entry_type, entry_id)
            if hit is not None:
                section, obj = hit
                resolved.setdefault(section, {})[str(entry_id)] = obj
                if entry_type == USER:
                    member = resolver(-USER, entry_id)
                    if member is not None:
                        resolved.setdefault("members", {})[str(entry_id)] = member[1]
    return {"name": name, "type": option_type, "value": encoded}


@dataclass
class InjectedInteraction:
    """An interaction the fake dispatched; collects everything the bot answers with."""

    id: int
    token: str
    type: int
    payload: JsonObject
    channel_id: int
    guild_id: int | None
    user_id: int
    notifier: Notifier
    responses: list[InteractionResponseRecord] = field(default_factory=list)
    original_message_id: int | None = None
    """Id of the message created by the initial response (or the component's message for 6/7)."""
    source_message_id: int | None = None
    """For component interactions: the message the component is on."""
    seq: int | None = None
    """Gateway sequence number of the INTERACTION_CREATE dispatch."""
    dispatched_at: float | None = None
    """``time.monotonic()`` when the INTERACTION_CREATE was sent."""

    @property
    def acknowledged(self) -> bool:
        return any(r.kind == "callback" for r in self.responses)

    @property
    def callback(self) -> InteractionResponseRecord | None:
        return next((r for r in self.responses if r.kind == "callback"), None)

    @property
    def followups(self) -> list[InteractionResponseRecord]:
        return [r for r in self.responses if r.kind == "followup"]

    @property
    def autocomplete_choices(self) -> list[JsonObject] | None:
        cb = self.callback
        if cb is None or cb.callback_type != 8:
            return None
        choices = cb.data.get("choices")
        return list(choices) if isinstance(choices, list) else []

    async def wait_response(self, timeout: float = 5.0) -> InteractionResponseRecord:
        """Wait for the initial callback (``POST /interactions/{id}/{token}/callback``)."""
        result = await self.notifier.wait_until(
            lambda: self.callback, timeout, f"a response to interaction {self.id}"
        )
        assert isinstance(result, InteractionResponseRecord)
        return result

    async def wait_for(
        self, kind: str | None = None, *, count: int = 1, timeout: float = 5.0
    ) -> list[InteractionResponseRecord]:
        """Wait until at least ``count`` responses (of ``kind``, if given) were recorded."""

        def matching() -> list[InteractionResponseRecord] | None:
            found = [r for r in self.responses if kind is None or r.kind == kind]
            return found if len(found) >= count else None

        result = await self.notifier.wait_until(
            matching, timeout, f"{count} {kind or 'response'}(s) to interaction {self.id}"
        )
        assert isinstance(result, list)
        return result

    async def wait_followup(self, timeout: float = 5.0) -> InteractionResponseRecord:
        return (await self.wait_for("followup", timeout=timeout))[0]
