"""Delivering briefings: a channel's daily post and a subscriber's DM digest, exactly once.

Every delivery is for a (target, local day). Before anything is sent the delivery log is asked
to :func:`~bot.state.deliveries.claim` that key; only the caller that wins the claim sends, and
the result is recorded as sent (with the message ids) or failed (with the reason). So a
restart, a gateway reconnect, a second scheduler tick or the catch-up sweep never posts the
same day twice, and a day whose post failed is retried by the next sweep.

A delivery that comes late (the bot was down at post time) still uses the *scheduled* moment
as the end of its window, so the late post is the briefing people would have got on time.
Past the misfire grace it is skipped: yesterday's news is not posted at noon the next day.

Everything is sent with ``AllowedMentions.none()``: article text can never ping anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.library import ArticleLibrary
from bot.rendering import OutgoingMessage, render_briefing
from bot.state import Database, deliveries, schedules, subscriptions
from bot.state.schedules import ChannelSchedule
from bot.state.subscriptions import DigestSettings
from bot.timing import Clock, latest_due, local_day

log = logging.getLogger(__name__)

CHANNEL = "channel"
DIGEST = "digest"

# Discord errors that mean "this target cannot receive posts until a person fixes something".
_MISSING_PERMISSIONS = 50013
_MISSING_ACCESS = 50001
_UNKNOWN_CHANNEL = 10003
_CANNOT_DM = 50007


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a delivery attempt did, for logs and tests."""

    status: str  # "sent", "empty", "already", "not-due", "failed", "paused"
    message_ids: tuple[int, ...] = ()
    detail: str = ""


class Deliverer:
    """Sends channel briefings and DM digests through a discord.py client."""

    def __init__(
        self,
        client: discord.Client,
        db: Database,
        library: ArticleLibrary,
        *,
        clock: Clock,
        grace: timedelta,
        per_topic: int,
    ) -> None:
        self.client = client
        self.db = db
        self.library = library
        self.clock = clock
        self.grace = grace
        self.per_topic = per_topic

    # --- channel briefings ---------------------------------------------------------------

    async def deliver_channel(self, guild_id: int) -> Outcome:
        """Post today's briefing of ``guild_id`` if it is due and not yet posted."""
        schedule = await schedules.get_schedule(self.db, guild_id)
        if schedule is None or not schedule.enabled or schedule.paused_reason:
            return Outcome("paused", detail="no active schedule")
        now = self.clock()
        due = latest_due(schedule.post_time, schedule.timezone, now)
        if now - due > self.grace:
            return Outcome(
                "not-due", detail=f"missed by more than the grace period ({due.isoformat()})"
            )
        if schedule.updated_at is not None and due < schedule.updated_at:
            # Set up (or resumed) after today's time: the first post is the next one, not a
            # surprise post minutes after `/briefing setup`.
            return Outcome("not-due", detail="set up after today's post time")
        day = local_day(due, schedule.timezone)
        if not await deliveries.claim(self.db, CHANNEL, guild_id, day, now=now):
            return Outcome("already")
        briefing = self.library.briefing(
            due, topics=schedule.topics, per_topic=self.per_topic, min_quality=schedule.min_quality
        )
        zone = ZoneInfo(schedule.timezone)
        heading = f"**Daily briefing** · {due.astimezone(zone):%A %d %B %Y}"
        messages = render_briefing(briefing, heading=heading, zone=zone)
        channel = self.client.get_partial_messageable(schedule.channel_id, guild_id=guild_id)
        outcome = await self._send_all(CHANNEL, guild_id, day, channel, messages)
        if outcome.status == "failed" and outcome.detail.startswith("paused:"):
            await schedules.pause_schedule(
                self.db, guild_id, outcome.detail.removeprefix("paused: "), now=now
            )
        log.info(
            "channel briefing guild=%s channel=%s day=%s: %s (%d messages)",
            guild_id,
            schedule.channel_id,
            day,
            outcome.status,
            len(outcome.message_ids),
        )
        return outcome

    # --- DM digests ----------------------------------------------------------------------

    async def deliver_digest(self, settings: DigestSettings) -> Outcome:
        """Send today's digest of ``settings.user_id``'s topics if due and not yet sent."""
        if settings.paused_reason:
            return Outcome("paused", detail=settings.paused_reason)
        now = self.clock()
        due = latest_due(settings.post_time, settings.timezone, now)
        if now - due > self.grace:
            return Outcome("not-due")
        day = local_day(due, settings.timezone)
        if not await deliveries.claim(self.db, DIGEST, settings.user_id, day, now=now):
            return Outcome("already")
        briefing = self.library.briefing(due, topics=settings.topics, per_topic=self.per_topic)
        zone = ZoneInfo(settings.timezone)
        heading = f"**Your daily digest** · {', '.join(settings.topics)}"
        messages = render_briefing(briefing, heading=heading, zone=zone)
        try:
            channel = await self.client.create_dm(discord.Object(settings.user_id))
        except discord.HTTPException as error:
            await deliveries.mark_failed(
                self.db, DIGEST, settings.user_id, day, now=now, error=str(error)
            )
            return Outcome("failed", detail=str(error))
        outcome = await self._send_all(DIGEST, settings.user_id, day, channel, messages)
        if outcome.status == "failed" and outcome.detail.startswith("paused:"):
            reason = outcome.detail.removeprefix("paused: ")
            await subscriptions.pause_digest(self.db, settings.user_id, reason, now=now)
        log.info("digest user=%s day=%s: %s", settings.user_id, day, outcome.status)
        return outcome

    async def deliver_digest_slot(self, post_time: str, timezone: str) -> list[Outcome]:
        """Send the digests of every subscriber due at ``post_time`` in ``timezone``."""
        users = await subscriptions.digest_users(self.db)
        return [
            await self.deliver_digest(user)
            for user in users
            if user.timezone == timezone and f"{user.post_time:%H:%M}" == post_time
        ]

    # --- catch-up --------------------------------------------------------------------------

    async def catch_up(self) -> list[Outcome]:
        """Deliver everything due within the grace period and not delivered yet."""
        outcomes: list[Outcome] = []
        for schedule in await schedules.active_schedules(self.db):
            outcomes.append(await self._safely(self.deliver_channel(schedule.guild_id), schedule))
        for user in await subscriptions.digest_users(self.db):
            outcomes.append(await self._safely(self.deliver_digest(user), user))
        return outcomes

    @staticmethod
    async def _safely(
        work: Awaitable[Outcome], target: ChannelSchedule | DigestSettings
    ) -> Outcome:
        try:
            return await work
        except Exception:  # one broken target never stops the others
            log.exception("delivery to %r failed unexpectedly", target)
            return Outcome("failed", detail="unexpected error")

    # --- sending -----------------------------------------------------------------------------

    async def _send_all(
        self,
        kind: str,
        target_id: int,
        day: date,
        channel: discord.abc.Messageable,
        messages: list[OutgoingMessage],
    ) -> Outcome:
        now = self.clock()
        if not messages:
            await deliveries.mark_sent(self.db, kind, target_id, day, now=now, message_ids=())
            return Outcome("empty")
        sent: list[int] = []
        try:
            for message in messages:
                posted = await channel.send(
                    content=message.content,
                    embeds=list(message.embeds),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                sent.append(posted.id)
                await deliveries.record_progress(self.db, kind, target_id, day, sent)
        except discord.HTTPException as error:
            reason = _pause_reason(error)
            detail = (
                f"paused: {reason}"
                if reason
                else f"Discord error {error.status}: {error.text or error}"
            )
            await deliveries.mark_failed(
                self.db, kind, target_id, day, now=self.clock(), error=detail
            )
            log.warning("delivery %s:%s day=%s failed: %s", kind, target_id, day, detail)
            return Outcome("failed", tuple(sent), detail)
        await deliveries.mark_sent(
            self.db, kind, target_id, day, now=self.clock(), message_ids=sent
        )
        return Outcome("sent", tuple(sent))


def _pause_reason(error: discord.HTTPException) -> str | None:
    """A person-readable reason when ``error`` means retrying is pointless until fixed."""
    if error.code == _MISSING_PERMISSIONS:
        return "I am missing permissions in the briefing channel (Send Messages, Embed Links)."
    if error.code == _MISSING_ACCESS:
        return "I cannot see the briefing channel (Missing Access)."
    if error.code == _UNKNOWN_CHANNEL:
        return "The briefing channel no longer exists."
    if error.code == _CANNOT_DM:
        return "Discord refused the DM: your DMs from server members are closed."
    return None
