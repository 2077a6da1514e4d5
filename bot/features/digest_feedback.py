"""The feedback buttons under a DM digest: "More like this", "Less like this", "Hide this outlet".

A press is about the message it is on (see :mod:`bot.digest_menus`): its stories are read from
the message (:func:`bot.digest_reading.read_stories`). With one story (for "Hide", one outlet)
the signal is recorded at once (:func:`bot.usecases.digest_signals.give_feedback`); otherwise
the answer is an ephemeral picker of the message's stories (or outlets), and choosing one
records the signal and turns the picker into what changed. Every answer is ephemeral and pings
nobody. Buttons and pickers are handled by one discord.py ``DynamicItem`` registered at start:
it parses the ``custom_id`` (and a picker's chosen value), so presses on digests sent before a
restart, or by another process, work the same. A choice in the select menus of digests sent
before the buttons (same ids, same values) is recorded as before.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.digest_menus import (
    CUSTOM_ID_TEMPLATE,
    decode_value,
    feedback_button,
    picker_options,
    picker_view,
)
from bot.digest_reading import read_stories
from bot.errors import GENERIC_FAILURE, reply_ephemeral
from bot.features._common import NO_MENTIONS
from bot.signals_text import feedback_reply
from bot.usecases import digest_signals as usecases
from bot.usecases.errors import UseCaseError
from briefings.personal import Feedback, ItemRef

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

UNKNOWN_CHOICE = "I could not tell which story that was. Try the buttons under a newer digest."
NO_STORIES = "I could not find the stories of that message. Try the buttons under a newer digest."
NO_OUTLET = "No story in that message names its outlet, so there is no outlet to hide."
PICK_PROMPTS = {
    Feedback.MORE: "**More like this**: which story?",
    Feedback.LESS: "**Less like this**: which story?",
    Feedback.HIDE: "**Hide this outlet**: which one?",
}

FeedbackControl = discord.ui.Item[discord.ui.View]


def feedback_item_class(services: Services) -> type[discord.ui.DynamicItem[FeedbackControl]]:
    """The ``DynamicItem`` class handling every digest's feedback buttons and pickers."""

    class DigestFeedback(discord.ui.DynamicItem[FeedbackControl], template=CUSTOM_ID_TEMPLATE):
        """One press of a digest's button, or one choice in a picker (rebuilt for each)."""

        def __init__(self, feedback: Feedback, item: FeedbackControl | None = None) -> None:
            super().__init__(item or feedback_button(feedback))
            self.feedback = feedback

        @classmethod
        async def from_custom_id(
            cls,
            interaction: discord.Interaction[Any],
            item: discord.ui.Item[Any],
            match: re.Match[str],
        ) -> DigestFeedback:
            return cls(Feedback(match["action"]), item)

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await _guarded(services, interaction, self.feedback, self.item)

    return DigestFeedback


async def _guarded(
    services: Services,
    interaction: discord.Interaction[Any],
    feedback: Feedback,
    control: FeedbackControl,
) -> None:
    try:
        if isinstance(control, discord.ui.Select):
            await _chosen(services, interaction, feedback, list(control.values))
        else:
            await _pressed(services, interaction, feedback)
    except UseCaseError as error:
        await reply_ephemeral(interaction, error.message)
    except Exception:
        log.exception(
            "digest feedback %s failed (user=%s interaction=%s)",
            feedback,
            interaction.user.id,
            interaction.id,
            extra={"user_id": interaction.user.id, "interaction_id": interaction.id},
        )
        try:
            await reply_ephemeral(interaction, GENERIC_FAILURE)
        except discord.HTTPException as reply_error:
            log.warning("could not reply to interaction %s: %s", interaction.id, reply_error)


async def _pressed(
    services: Services, interaction: discord.Interaction[Any], feedback: Feedback
) -> None:
    """A button: apply at once when there is one choice, else offer the picker."""
    message = interaction.message
    embeds = [embed.to_dict() for embed in message.embeds] if message is not None else []
    names = await usecases.section_names(services, interaction.user.id)
    stories = read_stories(embeds, names)
    if not stories:
        raise UseCaseError(NO_STORIES)
    options = picker_options(feedback, stories)
    if not options:
        raise UseCaseError(NO_OUTLET)
    if len(options) == 1:
        text = await _apply(services, interaction, feedback, options[0].value)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return
    await interaction.response.send_message(
        PICK_PROMPTS[feedback],
        view=picker_view(feedback, options),
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


async def _chosen(
    services: Services, interaction: discord.Interaction[Any], feedback: Feedback, values: list[str]
) -> None:
    """A choice in a picker (which then says what changed) or in an old digest's menu."""
    text = await _apply(services, interaction, feedback, values[0] if len(values) == 1 else "")
    message = interaction.message
    if message is not None and message.flags.ephemeral:  # the picker
        await interaction.response.edit_message(
            content=text, view=None, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def _apply(
    services: Services, interaction: discord.Interaction[Any], feedback: Feedback, value: str
) -> str:
    item: ItemRef | None = decode_value(value)
    if item is None:
        raise UseCaseError(UNKNOWN_CHOICE)
    given = await usecases.give_feedback(services, interaction.user.id, feedback, item)
    return feedback_reply(feedback, given.changes, lambda key: usecases.topic_name(services, key))


def setup(tree: app_commands.CommandTree, services: Services) -> None:
    """Handle the feedback buttons and pickers of every digest, past and future."""
    tree.client.add_dynamic_items(feedback_item_class(services))
