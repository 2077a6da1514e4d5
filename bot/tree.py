"""The command tree: the one error path and a per-member cooldown across all commands.

Every slash command passes :meth:`BriefingTree.interaction_check` first: a member who sends
more than ``rate`` commands in ``per`` seconds gets an ephemeral "slow down" instead of making
the bot work (autocomplete is not throttled: Discord sends it on every keystroke). Errors of
every command go to :func:`bot.errors.handle_command_error`.
"""

from __future__ import annotations

import time

import discord
from discord import app_commands

from bot.errors import handle_command_error

_PRUNE_EVERY = 1024


class BriefingTree(app_commands.CommandTree[discord.Client]):
    """A command tree with a shared per-member cooldown."""

    def __init__(self, client: discord.Client, *, rate: int, per: float) -> None:
        super().__init__(client)
        self.rate = rate
        self.per = per
        self._buckets: dict[int, app_commands.Cooldown] = {}
        self.error(handle_command_error)

    def _bucket(self, user_id: int) -> app_commands.Cooldown:
        if len(self._buckets) >= _PRUNE_EVERY:
            now = time.time()
            self._buckets = {
                uid: bucket
                for uid, bucket in self._buckets.items()
                if now - bucket._last <= self.per
            }
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = app_commands.Cooldown(self.rate, self.per)
        return bucket

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.type is not discord.InteractionType.application_command:
            return True
        bucket = self._bucket(interaction.user.id)
        retry_after = bucket.update_rate_limit()
        if retry_after:
            raise app_commands.CommandOnCooldown(bucket, retry_after)
        return True
