"""The feedback controls of a DM digest message: three buttons, and the picker they open.

Every digest message carries **one action row of three buttons**, "More like this", "Less
like this" and "Hide this outlet" (:func:`feedback_view`). Their ``custom_id`` is fixed
(``digest:more``, ``digest:less``, ``digest:hide``): three buttons per story would fit only
five stories in Discord's 5 rows, so a button is about the whole message. Pressing one:

- when the message shows exactly one story (for "Hide", one outlet) the signal applies at
  once;
- otherwise the answer is an ephemeral **picker** (:func:`picker_view`): a select menu of the
  message's stories (for "Hide", its outlets) with the same ``custom_id`` as the button, whose
  option values carry what a choice is about (:func:`encode_value`: the story's number, topic
  key and outlet key, at most 100 characters). Choosing one needs nothing else.

The stories are read from the pressed message (:mod:`bot.digest_reading`), so buttons and
pickers work after any restart and in any process: :mod:`bot.features.digest_feedback` parses
them (a discord.py ``DynamicItem``). A digest message holds at most
:data:`MAX_FEEDBACK_ITEMS` (25, a select's option limit) stories, so every story has its
option. Digests sent before the buttons carried the three select menus themselves, with the
same ids and values: a choice in one of them still works. The views built here are stopped
before they are sent, so discord.py keeps nothing per message in memory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import discord

from bot.digest_reading import FeedbackItem
from briefings.personal import Feedback, ItemRef

__all__ = [
    "MAX_FEEDBACK_ITEMS",
    "FeedbackItem",
    "custom_id",
    "decode_value",
    "encode_value",
    "feedback_view",
    "picker_options",
    "picker_view",
]

MAX_FEEDBACK_ITEMS: Final = 25
"""The most stories one digest message carries (a select menu's option limit)."""
CUSTOM_ID_PREFIX: Final = "digest:"
CUSTOM_ID_TEMPLATE: Final = r"digest:(?P<action>more|less|hide)"
"""What a feedback button's (or picker's) ``custom_id`` matches; ``action`` is a
:class:`Feedback`."""
OPTION_TEXT_LIMIT: Final = 100
"""Discord's limit on a select option's label, description and value."""
LABELS: Final = {
    Feedback.MORE: "More like this",
    Feedback.LESS: "Less like this",
    Feedback.HIDE: "Hide this outlet",
}
BUTTON_STYLES: Final = {
    Feedback.MORE: discord.ButtonStyle.success,
    Feedback.LESS: discord.ButtonStyle.secondary,
    Feedback.HIDE: discord.ButtonStyle.danger,
}
PLACEHOLDERS: Final = {
    Feedback.MORE: "More like this…",
    Feedback.LESS: "Less like this…",
    Feedback.HIDE: "Hide this outlet…",
}
_SEPARATOR: Final = "\t"  # never in a signal key (whitespace is collapsed to spaces)
_VALUE: Final = re.compile(r"(\d{1,2})\t([^\t]+)\t([^\t]*)")


def custom_id(feedback: Feedback) -> str:
    """The ``custom_id`` of the button (and picker) of ``feedback`` ("digest:more", …)."""
    return f"{CUSTOM_ID_PREFIX}{feedback.value}"


def encode_value(number: int, ref: ItemRef) -> str:
    """An option value: the item's number in its message, its topic and its outlet keys."""
    value = _SEPARATOR.join((str(number), ref.topic, ref.outlet or ""))
    if len(value) > OPTION_TEXT_LIMIT:  # signal keys are at most 45 characters each
        raise ValueError(f"an option value of {len(value)} characters")
    return value


def decode_value(value: str) -> ItemRef | None:
    """The item an option value is about; None for a value this bot did not make."""
    match = _VALUE.fullmatch(value)
    if match is None:
        return None
    try:
        return ItemRef(match[2], match[3] or None)
    except ValueError:
        return None


def _clip(text: str, fallback: str) -> str:
    text = " ".join(text.split())
    if len(text) > OPTION_TEXT_LIMIT:
        text = text[: OPTION_TEXT_LIMIT - 1].rstrip() + "…"
    return text or fallback


def feedback_button(feedback: Feedback) -> discord.ui.Button[discord.ui.View]:
    """The button of ``feedback`` under every digest message."""
    return discord.ui.Button(
        label=LABELS[feedback], custom_id=custom_id(feedback), style=BUTTON_STYLES[feedback]
    )


def feedback_view() -> discord.ui.View:
    """The row of three buttons under a digest message (the same for every message: what a
    press is about is read from the message itself)."""
    view = discord.ui.View(timeout=None)
    for feedback in Feedback:
        view.add_item(feedback_button(feedback))
    view.stop()  # sent as a template only: presses are dispatched by the DynamicItem
    return view


def outlets(items: Sequence[FeedbackItem]) -> list[tuple[int, FeedbackItem]]:
    """The first story (with its number) of each distinct outlet among ``items``."""
    first: dict[str, tuple[int, FeedbackItem]] = {}
    for number, item in enumerate(items):
        if item.ref.outlet is not None:
            first.setdefault(item.ref.outlet, (number, item))
    return list(first.values())


def picker_options(feedback: Feedback, items: Sequence[FeedbackItem]) -> list[discord.SelectOption]:
    """The picker's options: the stories of ``items`` (for "Hide", their distinct outlets)."""
    shown = list(items[:MAX_FEEDBACK_ITEMS])
    if feedback is Feedback.HIDE:
        return [
            discord.SelectOption(
                label=_clip(item.outlet_name or str(item.ref.outlet), str(item.ref.outlet)),
                value=encode_value(number, item.ref),
                description=_clip(str(item.ref.outlet), "—"),
            )
            for number, item in outlets(shown)
        ]
    return [
        discord.SelectOption(
            label=_clip(item.title, "Untitled"),
            value=encode_value(number, item.ref),
            description=_clip(" · ".join(p for p in (item.topic, item.outlet_name) if p), "—"),
        )
        for number, item in enumerate(shown)
    ]


def picker_view(feedback: Feedback, options: Sequence[discord.SelectOption]) -> discord.ui.View:
    """The ephemeral picker of ``feedback``: one select menu of ``options`` (1 to 25)."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Select(
            custom_id=custom_id(feedback),
            placeholder=PLACEHOLDERS[feedback],
            options=list(options[:MAX_FEEDBACK_ITEMS]),
        )
    )
    view.stop()  # the choice is dispatched by the DynamicItem too
    return view
