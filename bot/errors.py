"""The one error path of every command.

Commands raise :class:`UserError` (or a check failure), and the use cases they call
:class:`~bot.usecases.UseCaseError`, with a message that is safe to show;
:func:`handle_command_error`, installed as the command tree's ``on_error``, turns it into an
ephemeral reply — with ``response.send_message`` or ``followup.send`` depending on whether the
interaction was already answered. Anything unexpected is logged with the guild, channel, user
and command ids and answered with a short generic message, so nobody is left with "the
application did not respond".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import discord
from discord import app_commands

from bot.usecases.errors import UseCaseError

log = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong on our side. It has been logged; please try again later."

# The interaction can no longer be answered: its token expired (10062) or it was answered
# already (40060, e.g. a double click). Nothing to tell the user through it; log and move on.
_UNANSWERABLE = {10062, 40060}


# discord.py attribute names whose Discord (settings screen) name is not just title case.
_PERMISSION_NAMES = {
    "manage_guild": "Manage Server",
    "moderate_members": "Timeout Members",
    "external_emojis": "Use External Emojis",
    "external_stickers": "Use External Stickers",
    "view_channel": "View Channels",
    "view_guild_insights": "View Server Insights",
}


class UserError(app_commands.AppCommandError):
    """A problem with what the user asked for; ``str(error)`` is shown to them."""


class MemberCooldown(app_commands.CommandOnCooldown):
    """A member sent too many commands; ``until`` is when the next one is accepted."""

    def __init__(self, cooldown: app_commands.Cooldown, retry_after: float, until: datetime):
        super().__init__(cooldown, retry_after)
        self.until = until


def cooldown_message(rate: int, per: float, until: datetime) -> str:
    """The "slow down" reply: the limit, and when to try again as a Discord relative time."""
    commands = "command" if rate == 1 else "commands"
    seconds = "second" if per == 1 else "seconds"
    # rounded up: "in 3 seconds" must not show before the command is accepted again
    moment = datetime.fromtimestamp(math.ceil(until.timestamp()), until.tzinfo)
    return (
        f"Slow down: at most {rate} {commands} per {per:g} {seconds}. "
        f"Try again {discord.utils.format_dt(moment, 'R')}."
    )


def permission_name(name: str) -> str:
    """How Discord's settings name a permission given by its discord.py attribute name."""
    return _PERMISSION_NAMES.get(name, name.replace("_", " ").title())


def missing_permissions_message(names: Sequence[str]) -> str:
    """``You need the Manage Server permission for this command.``, naming each one missing."""
    shown = [permission_name(name) for name in names] or ["required"]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"You need the {listed} permission{'s' if len(shown) > 1 else ''} for this command."


def _message_for(error: app_commands.AppCommandError) -> str | None:
    """The text to show for an expected error, or None for an unexpected one."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(
        error.original, UserError | UseCaseError
    ):
        return str(error.original)
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions):
        return missing_permissions_message(error.missing_permissions)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        until = (
            error.until
            if isinstance(error, MemberCooldown)
            else discord.utils.utcnow() + timedelta(seconds=error.retry_after)
        )
        return cooldown_message(error.cooldown.rate, error.cooldown.per, until)
    if isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
        return str(error) or "That argument is not valid."
    return None


async def reply_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Answer ``interaction`` ephemerally whether or not it was answered before."""
    mentions = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=mentions)
    else:
        await interaction.response.send_message(message, ephemeral=True, allowed_mentions=mentions)


async def handle_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """``CommandTree.on_error``: explain expected errors, log and apologise for the rest."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, discord.HTTPException) and original.code in _UNANSWERABLE:
        log.warning(
            "interaction %s (user=%s guild=%s) could not be answered: %s",
            interaction.id,
            interaction.user.id,
            interaction.guild_id,
            original.text,
        )
        return
    message = _message_for(error)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "command /%s failed (guild=%s channel=%s user=%s interaction=%s)",
            command,
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            interaction.id,
            exc_info=error,
            extra={
                "command": command,
                "guild_id": interaction.guild_id,
                "channel_id": interaction.channel_id,
                "user_id": interaction.user.id,
                "interaction_id": interaction.id,
            },
        )
        message = GENERIC_FAILURE
    try:
        await reply_ephemeral(interaction, message)
    except discord.HTTPException as reply_error:  # token expired, already acknowledged, …
        log.warning("could not reply to interaction %s: %s", interaction.id, reply_error)
