"""Message components as Discord validates them (classic action rows, not Components V2).

Documented limits (discord.com/developers/docs/components/reference), each answered with
400 50035 "Invalid Form Body" like Discord:

- at most 5 action rows (type 1) at the top level, nothing else at the top level;
- a row holds 1-5 buttons, or exactly one select menu (types 3, 5, 6, 7, 8);
- ``custom_id`` 1-100 characters, required on every non-link button and every select, and
  unique within the message; a link button (style 5) has a ``url`` and no ``custom_id``;
- a button's label at most 80 characters;
- a select's placeholder at most 150 characters, ``min_values`` 0-25, ``max_values`` 1-25;
  a string select (type 3) has 1-25 options, each with a label and a value of 1-100
  characters and a description of at most 100, values unique within the select.

:func:`find_component` is what a person's click can reach: a component that is on the
message (with, for a select, the values among its options).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._http import DiscordError, invalid_field
from ._records import JsonObject

ACTION_ROW = 1
BUTTON = 2
STRING_SELECT = 3
SELECTS = frozenset({3, 5, 6, 7, 8})
LINK_STYLE = 5
MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_PLACEHOLDER = 150
MAX_OPTIONS = 25
MAX_OPTION_TEXT = 100


def _too_long(path: str, limit: int) -> DiscordError:
    return invalid_field(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _bad(path: str, message: str) -> DiscordError:
    return invalid_field(path, "COMPONENT_INVALID", message)


def _text(value: Any, path: str, limit: int, *, required: bool) -> None:
    if value is None or value == "":
        if required:
            raise invalid_field(path, "BASE_TYPE_REQUIRED", "This field is required")
        return
    if not isinstance(value, str):
        raise invalid_field(path, "BASE_TYPE_STRING", "Must be a string.")
    if len(value) > limit:
        raise _too_long(path, limit)


def validate_components(components: Any) -> None:
    """Raise :class:`DiscordError` for components real Discord would refuse."""
    if not isinstance(components, list):
        raise invalid_field("components", "BASE_TYPE_ARRAY", "Must be an array.")
    if len(components) > MAX_ROWS:
        raise _too_long("components", MAX_ROWS)
    custom_ids: set[str] = set()
    for r, row in enumerate(components):
        path = f"components.{r}"
        if not isinstance(row, dict) or row.get("type") != ACTION_ROW:
            raise _bad(path, "Only action rows may be at the top level.")
        children = row.get("components") or []
        if not children:
            raise invalid_field(
                f"{path}.components", "BASE_TYPE_REQUIRED", "This field is required"
            )
        selects = [c for c in children if c.get("type") in SELECTS]
        if selects and len(children) > 1:
            raise _bad(f"{path}.components", "A select menu must be alone in its action row.")
        if len(children) > MAX_BUTTONS_PER_ROW:
            raise _too_long(f"{path}.components", MAX_BUTTONS_PER_ROW)
        for c, child in enumerate(children):
            _validate_child(child, f"{path}.components.{c}", custom_ids)


def _validate_child(child: JsonObject, path: str, custom_ids: set[str]) -> None:
    kind = child.get("type")
    if kind == BUTTON:
        _text(child.get("label"), f"{path}.label", MAX_BUTTON_LABEL, required=False)
        if child.get("style") == LINK_STYLE:
            _text(child.get("url"), f"{path}.url", 512, required=True)
            if child.get("custom_id"):
                raise _bad(f"{path}.custom_id", "A link button cannot have a custom_id.")
            return
    elif kind not in SELECTS:
        raise _bad(f"{path}.type", f"Unknown component type {kind!r} in an action row.")
    custom_id = child.get("custom_id")
    _text(custom_id, f"{path}.custom_id", MAX_CUSTOM_ID, required=True)
    if custom_id in custom_ids:
        raise invalid_field(
            f"{path}.custom_id",
            "COMPONENT_CUSTOM_ID_DUPLICATED",
            "Component custom id cannot be duplicated",
        )
    custom_ids.add(str(custom_id))
    if kind in SELECTS:
        _validate_select(child, path)


def _validate_select(select: JsonObject, path: str) -> None:
    _text(select.get("placeholder"), f"{path}.placeholder", MAX_PLACEHOLDER, required=False)
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= MAX_OPTIONS:
        raise _bad(f"{path}.min_values", "min_values must be between 0 and 25.")
    if not 1 <= high <= MAX_OPTIONS or high < low:
        raise _bad(f"{path}.max_values", "max_values must be between 1 and 25.")
    if select.get("type") != STRING_SELECT:
        return
    options = select.get("options") or []
    if not options:
        raise invalid_field(f"{path}.options", "BASE_TYPE_REQUIRED", "This field is required")
    if len(options) > MAX_OPTIONS:
        raise _too_long(f"{path}.options", MAX_OPTIONS)
    values: set[str] = set()
    for o, option in enumerate(options):
        where = f"{path}.options.{o}"
        _text(option.get("label"), f"{where}.label", MAX_OPTION_TEXT, required=True)
        _text(option.get("value"), f"{where}.value", MAX_OPTION_TEXT, required=True)
        _text(option.get("description"), f"{where}.description", MAX_OPTION_TEXT, required=False)
        if option["value"] in values:
            raise _bad(f"{where}.value", "Select option values must be unique.")
        values.add(option["value"])
    if high > len(options):
        raise _bad(f"{path}.max_values", "max_values cannot exceed the number of options.")


def _walk(components: list[JsonObject]) -> Iterator[JsonObject]:
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])


def find_component(
    message: JsonObject, custom_id: str, values: list[str] | None = None
) -> JsonObject:
    """The component ``custom_id`` of ``message`` a person can use (with ``values`` among a
    string select's options); ``LookupError`` for a click no Discord client could make."""
    for component in _walk(message.get("components") or []):
        if component.get("custom_id") != custom_id:
            continue
        if component.get("type") == STRING_SELECT and values is not None:
            offered = {option["value"] for option in component.get("options") or []}
            low, high = component.get("min_values", 1), component.get("max_values", 1)
            if not set(values) <= offered or not low <= len(values) <= high:
                raise LookupError(f"{values!r} cannot be chosen in select {custom_id!r}")
        return component
    raise LookupError(f"message {message.get('id')} has no component {custom_id!r}")
