"""The command tree: the one error path and a per-member cooldown across all commands.

Every slash command passes :meth:`BriefingTree.interaction_check` first: a member who sends
more than ``rate`` commands in ``per`` seconds gets an ephemeral "slow down" naming the limit
and when to try again (a Discord relative timestamp) instead of making the bot work.
Autocomplete (Discord sends it on every keystroke) and buttons are not throttled. The cooldown
reads the bot's injected clock. Errors of every command are counted in the metrics and go to
:func:`bot.errors.handle_command_error`.
"""

from __future__ import annotations

from datetime import timedelta

import discord
from discord import app_commands

from bot.errors import MemberCooldown, handle_command_error
from bot.metrics import Metrics, observe_command
from bot.timing import Clock, system_clock

_PRUNE_EVERY = 1024


class BriefingTree(app_commands.CommandTree[discord.Client]):
    """A command tree with a shared per-member cooldown."""

    def __init__(
        self,
        client: discord.Client,
        *,
        rate: int,
        per: float,
        metrics: Metrics,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(client)
        self.rate = rate
        self.per = per
        self.metrics = metrics
        self.clock = clock
        self._buckets: dict[int, app_commands.Cooldown] = {}

    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError
    ) -> None:
        """Count the failed command, then the one error path."""
        observe_command(self.metrics, interaction, "error")
        await handle_command_error(interaction, error)

    def _bucket(self, user_id: int, current: float) -> app_commands.Cooldown:
        if len(self._buckets) >= _PRUNE_EVERY:  # forget members whose window has passed
            self._buckets = {
                uid: bucket
                for uid, bucket in self._buckets.items()
                if bucket.get_tokens(current) < bucket.rate
            }
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = app_commands.Cooldown(self.rate, self.per)
        return bucket

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.type is not discord.InteractionType.application_command:
            return True
        now = self.clock()
        bucket = self._bucket(interaction.user.id, now.timestamp())
        retry_after = bucket.update_rate_limit(now.timestamp())
        if retry_after:
            raise MemberCooldown(bucket, retry_after, now + timedelta(seconds=retry_after))
        return True
