"""The feedback controls of a DM digest message: what they carry and how they are built.

Discord allows at most 5 action rows per message, each with 5 buttons or one select menu of
up to 25 options. Three buttons for each item would fit only five items, and a digest message
can hold dozens; so every digest message carries **three select menus**, one click each:

- "More like this…" and "Less like this…", whose options are the message's stories (title,
  and "topic · outlet" as the description);
- "Hide this outlet…", whose options are the distinct outlets of those stories.

A digest is rendered with at most :data:`MAX_FEEDBACK_ITEMS` (25) stories per message, so every
story of every message has its option. The selects' ``custom_id`` is fixed
(``digest:more``, ``digest:less``, ``digest:hide``) and each option's value carries what the
click is about (:func:`encode_value`: the item's number, topic key and outlet key, at most
100 characters), so a click is understood by any process, after any restart, without
remembering the message: :mod:`bot.features.digest_feedback` parses it (a discord.py
``DynamicItem``). The view built here is stopped before it is sent, so discord.py keeps
nothing per message in memory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import discord

from briefings.personal import Feedback, ItemRef

MAX_FEEDBACK_ITEMS: Final = 25
"""The most stories one digest message carries (a select menu's option limit)."""
CUSTOM_ID_PREFIX: Final = "digest:"
CUSTOM_ID_TEMPLATE: Final = r"digest:(?P<action>more|less|hide)"
"""What a feedback select's ``custom_id`` matches; ``action`` is a :class:`Feedback`."""
OPTION_TEXT_LIMIT: Final = 100
"""Discord's limit on a select option's label, description and value."""
PLACEHOLDERS: Final = {
    Feedback.MORE: "More like this…",
    Feedback.LESS: "Less like this…",
    Feedback.HIDE: "Hide this outlet…",
}
_SEPARATOR: Final = "\t"  # never in a signal key (whitespace is collapsed to spaces)
_VALUE: Final = re.compile(r"(\d{1,2})\t([^\t]+)\t([^\t]*)")


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One story of a digest message as its feedback options show it."""

    title: str
    topic: str
    outlet_name: str
    ref: ItemRef


def custom_id(feedback: Feedback) -> str:
    """The ``custom_id`` of the select menu of ``feedback`` ("digest:more", …)."""
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


def feedback_view(items: Sequence[FeedbackItem]) -> discord.ui.View:
    """The three select menus of a digest message with ``items`` (at most 25 are offered)."""
    view = discord.ui.View(timeout=None)
    shown = list(items[:MAX_FEEDBACK_ITEMS])
    stories = [
        discord.SelectOption(
            label=_clip(item.title, "Untitled"),
            value=encode_value(number, item.ref),
            description=_clip(" · ".join(p for p in (item.topic, item.outlet_name) if p), "—"),
        )
        for number, item in enumerate(shown)
    ]
    outlets: dict[str, discord.SelectOption] = {}
    for number, item in enumerate(shown):
        if item.ref.outlet is not None and item.ref.outlet not in outlets:
            outlets[item.ref.outlet] = discord.SelectOption(
                label=_clip(item.outlet_name or item.ref.outlet, item.ref.outlet),
                value=encode_value(number, item.ref),
                description=_clip(item.ref.outlet, "—"),
            )
    for feedback, options in (
        (Feedback.MORE, stories),
        (Feedback.LESS, stories),
        (Feedback.HIDE, list(outlets.values())),
    ):
        if options:
            view.add_item(
                discord.ui.Select(
                    custom_id=custom_id(feedback),
                    placeholder=PLACEHOLDERS[feedback],
                    options=options,
                )
            )
    view.stop()  # sent as a template only: clicks are dispatched by the DynamicItem
    return view
