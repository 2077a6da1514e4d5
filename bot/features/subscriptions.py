"""``/subscribe``, ``/unsubscribe``, ``/subscriptions``: a member's daily DM digest of topics.

A member has one digest time and zone (08:00 UTC unless they choose); giving ``time`` or
``timezone`` to ``/subscribe`` changes it for all their topics. Unknown topics get a "did you
mean" reply. Empty days send nothing. A digest paused because the member's DMs are closed
says so in ``/subscriptions``; ``/subscribe`` again resumes it.

``include``, ``exclude`` and ``outlets`` of ``/subscribe`` add words and outlets to the filters
of the member's whole digest (see :mod:`bot.usecases.filters`); ``/subscriptions`` shows them
and ``/subscriptions clear_filters: True`` empties them.

``/subscriptions`` also offers **Forget me**: after a confirmation it deletes everything the
bot stores about the member (topics, digest settings, what their digest learned and delivery
records). When the member's digest learned something from its feedback menus
(:mod:`bot.features.digest_feedback`), ``/subscriptions`` lists those signals in a field and
offers **Reset my signals**, after which the digest follows the channel ranking again.

Each command calls one use case of :mod:`bot.usecases.subscriptions` (the web panel's
personal page calls the same ones) and renders the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.features._common import NO_MENTIONS, timezone_autocomplete, topic_autocomplete
from bot.filter_text import add_filters_field, filter_lines
from bot.parsing import format_time_of_day
from bot.signals_text import SIGNALS_FIELD, signals_field
from bot.topic_rendering import render_subscriptions
from bot.usecases import digest_signals as signal_cases
from bot.usecases import filters as filter_cases
from bot.usecases import subscriptions as usecases

if TYPE_CHECKING:
    from bot.services import Services


class ForgetMeView(discord.ui.View):
    """ "Forget me" then "Yes, delete my data" (and "Reset my signals" when the digest learned
    something, shown with ``embed``): only the member the message was for can press."""

    def __init__(
        self,
        services: Services,
        owner_id: int,
        *,
        has_signals: bool = False,
        embed: discord.Embed | None = None,
    ) -> None:
        super().__init__(timeout=600)
        self.services = services
        self.owner_id = owner_id
        self.embed = embed
        self.confirm.disabled = True
        self.confirm.style = discord.ButtonStyle.secondary
        if not has_signals:
            self.remove_item(self.reset)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "These buttons are for someone else.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return False
        return True

    @discord.ui.button(label="Forget me", style=discord.ButtonStyle.danger, custom_id="forget:ask")
    async def ask(
        self, interaction: discord.Interaction, button: discord.ui.Button[ForgetMeView]
    ) -> None:
        button.disabled = True
        self.confirm.disabled = False
        self.confirm.style = discord.ButtonStyle.danger
        await interaction.response.edit_message(
            content="This deletes your topics, digest settings and delivery history. Sure?",
            view=self,
        )

    @discord.ui.button(label="Reset my signals", custom_id="signals:reset", row=1)
    async def reset(
        self, interaction: discord.Interaction, button: discord.ui.Button[ForgetMeView]
    ) -> None:
        count = await signal_cases.reset_signals(self.services, self.owner_id)
        button.disabled = True
        embed = self.embed
        if embed is not None:
            for index, field in enumerate(embed.fields):
                if field.name == SIGNALS_FIELD:
                    embed.remove_field(index)
                    break
        plural = "signal" if count == 1 else "signals"
        await interaction.response.edit_message(
            content=f"Reset: your digest forgot {count} {plural} and follows the usual ranking"
            " (quality, then heat) again.",
            embed=embed,
            view=self,
        )

    @discord.ui.button(label="Yes, delete my data", custom_id="forget:confirm")
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ForgetMeView]
    ) -> None:
        await usecases.forget_me(self.services, self.owner_id)
        self.stop()
        await interaction.response.edit_message(
            content="Done: the bot no longer stores anything about you.", embed=None, view=None
        )


def setup(tree: app_commands.CommandTree, services: Services) -> None:
    """Register the subscription commands."""
    complete_topic = topic_autocomplete(services)

    @tree.command(name="subscribe", description="Get a daily DM digest of a topic")
    @app_commands.describe(
        topic="The topic to follow",
        time="When your digest arrives, HH:MM (default 08:00)",
        timezone="Your time zone, e.g. Europe/Paris (default UTC)",
        exclude="Leave out stories with any of these words or phrases (comma-separated)",
        include="Only stories with one of these words or phrases (comma-separated)",
        outlets="Leave out these outlets, e.g. example.com (comma-separated)",
    )
    @app_commands.autocomplete(topic=complete_topic, timezone=timezone_autocomplete)
    async def subscribe(
        interaction: discord.Interaction,
        topic: str,
        time: str | None = None,
        timezone: str | None = None,
        exclude: str | None = None,
        include: str | None = None,
        outlets: str | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await usecases.subscribe(
            services,
            interaction.user.id,
            topic,
            time=time,
            timezone=timezone,
            include=include,
            exclude=exclude,
            outlets=outlets,
        )
        settings = done.settings
        lines = [
            f"Subscribed to **{discord.utils.escape_markdown(done.topic)}**. Your digest arrives"
            f" by DM every day at {format_time_of_day(settings.post_time)} ({settings.timezone})"
            " when there is news."
        ]
        if include or exclude or outlets:
            lines += ["Your digest's filters (all your topics):", *filter_lines(settings.filters)]
        await interaction.followup.send(
            "\n".join(lines), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @tree.command(name="unsubscribe", description="Stop following a topic")
    @app_commands.describe(topic="The topic to stop following")
    @app_commands.autocomplete(topic=complete_topic)
    async def unsubscribe(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await usecases.unsubscribe(services, interaction.user.id, topic)
        await interaction.followup.send(
            f"Unsubscribed from **{discord.utils.escape_markdown(topic)}**.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @tree.command(name="subscriptions", description="Show your topics and digest time")
    @app_commands.describe(clear_filters="Remove the words and outlets your digest leaves out")
    async def subscriptions(interaction: discord.Interaction, clear_filters: bool = False) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if clear_filters:
            await filter_cases.clear_digest_filters(services, interaction.user.id)
        settings = await usecases.subscriptions(services, interaction.user.id)
        learned = await signal_cases.digest_signals(services, interaction.user.id)
        if settings is None or not settings.topics:
            remembered = (
                " Your digest still remembers what you told it (“Reset my signals” clears it)."
                if learned
                else ""
            )
            await interaction.followup.send(
                "You have no subscriptions. Use `/subscribe` to get a daily digest of a topic."
                + remembered,
                view=ForgetMeView(services, interaction.user.id, has_signals=bool(learned)),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        embed = render_subscriptions(
            settings.topics,
            format_time_of_day(settings.post_time),
            settings.timezone,
            settings.paused_reason,
        )
        add_filters_field(embed, settings.filters)
        if learned:
            value = signals_field(learned, lambda key: signal_cases.topic_name(services, key))
            embed.add_field(name=SIGNALS_FIELD, value=value, inline=False)
        view = ForgetMeView(services, interaction.user.id, has_signals=bool(learned), embed=embed)
        note = "Run `/subscribe` again to resume your digest." if settings.paused_reason else None
        await interaction.followup.send(
            content=note or discord.utils.MISSING,
            embed=embed,
            view=view,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
