"""The feedback menus under a DM digest: "More like this", "Less like this", "Hide this outlet".

Each digest message carries three select menus (see :mod:`bot.digest_menus` for why menus and
not buttons); choosing a story (or an outlet) records the signal
(:func:`bot.usecases.digest_signals.give_feedback`) and answers ephemerally with what changed,
never pinging. The menus are handled by a discord.py ``DynamicItem`` registered at start: it
parses the ``custom_id`` and the chosen option's value, so clicks on digests sent before a
restart, or by another process, work the same.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.digest_menus import CUSTOM_ID_TEMPLATE, PLACEHOLDERS, custom_id, decode_value
from bot.errors import GENERIC_FAILURE, reply_ephemeral
from bot.features._common import NO_MENTIONS
from bot.signals_text import feedback_reply
from bot.usecases import digest_signals as usecases
from bot.usecases.errors import UseCaseError
from briefings.personal import Feedback

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

UNKNOWN_CHOICE = "I could not tell which story that was. Try the menu under a newer digest."

FeedbackSelect = discord.ui.Select[discord.ui.View]


def feedback_item_class(services: Services) -> type[discord.ui.DynamicItem[FeedbackSelect]]:
    """The ``DynamicItem`` class handling every digest's feedback menus, bound to ``services``."""

    class DigestFeedback(discord.ui.DynamicItem[FeedbackSelect], template=CUSTOM_ID_TEMPLATE):
        """One click in a digest's feedback menu (rebuilt from the message for each click)."""

        def __init__(self, feedback: Feedback, select: FeedbackSelect | None = None) -> None:
            super().__init__(
                select
                or discord.ui.Select(
                    custom_id=custom_id(feedback), placeholder=PLACEHOLDERS[feedback]
                )
            )
            self.feedback = feedback

        @classmethod
        async def from_custom_id(
            cls,
            interaction: discord.Interaction[Any],
            item: discord.ui.Item[Any],
            match: re.Match[str],
        ) -> DigestFeedback:
            select = item if isinstance(item, discord.ui.Select) else None
            return cls(Feedback(match["action"]), select)

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await _answer(services, interaction, self.feedback, list(self.item.values))

    return DigestFeedback


async def _answer(
    services: Services, interaction: discord.Interaction[Any], feedback: Feedback, values: list[str]
) -> None:
    item = decode_value(values[0]) if len(values) == 1 else None
    try:
        if item is None:
            raise UseCaseError(UNKNOWN_CHOICE)
        given = await usecases.give_feedback(services, interaction.user.id, feedback, item)
        text = feedback_reply(
            feedback, given.changes, lambda key: usecases.topic_name(services, key)
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
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


def setup(tree: app_commands.CommandTree, services: Services) -> None:
    """Handle the feedback menus of every digest, past and future, in this client."""
    tree.client.add_dynamic_items(feedback_item_class(services))
