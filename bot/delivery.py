"""Delivering briefings: a channel's daily post and a subscriber's DM digest, exactly once.

Every delivery is for a (target, local day), the target a schedule (a guild may have several)
or a subscriber. Before anything is sent the delivery log is asked to
:func:`~bot.state.claims.claim` that key; only the caller that wins the claim sends, and the
result is recorded as sent (with the message ids) or failed (with the reason). So a
restart, a gateway reconnect, a second scheduler tick or the catch-up sweep never posts the
same day twice, and a day whose post failed is retried by the next sweep.

What protects each message of a briefing (the sending itself is :mod:`bot.exactly_once`;
the catch-up sweep and the take-over of a gone process's claims are :mod:`bot.recovery`):

- **Progress**: the id of every message is recorded as soon as Discord accepts it (renewing
  the claim), so a retry continues after the last recorded message instead of starting over.
- **Nonces**: each message carries a nonce derived from (target, day, part) with
  ``enforce_nonce``; when a send is retried after a dropped connection or a 5xx, Discord
  returns the message it already created instead of posting it twice.
- **History**: when a new attempt takes over from one that died (the process was killed after
  Discord accepted a message but before the log was written), the bot reads the channel's
  recent messages and counts those of its messages newer than the last recorded one that are
  the next parts of *this* briefing, as it renders them again, as already posted (another
  schedule may post in the same channel: see :func:`bot.sending.unrecorded`). (This needs
  Read Message History; without it the bot relies on the nonce alone.)
- **Bounded retries**: 5xx answers and connection errors are retried a few times with
  exponential backoff (429s are waited out by discord.py itself); then the failure is
  recorded and the next catch-up pass tries again, from where it stopped.
- **Pausing**: Missing Permissions, Missing Access and Unknown Channel pause the schedule with
  the reason and tell the admin who set it up by DM, once; a closed DM pauses that member's
  digest. No retry storm: a paused target is not tried again until a person fixes it.

A delivery that comes late (the bot was down at post time) still uses the *scheduled* moment
as the end of its window, so the late post is the briefing people would have got on time.
Past the misfire grace it is skipped: yesterday's news is not posted at noon the next day.
Everything is sent with ``AllowedMentions.none()``: article text can never ping anyone. The
one exception is on purpose: the first message of a channel briefing mentions the roles set
with ``/briefing ping`` for the topics it shows, and its ``allowed_mentions`` names exactly
those roles (:mod:`bot.pings`; a role deleted since is left out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.digests import UNCAPPED, DigestComposer
from bot.exactly_once import ExactlyOnce, Outcome, safely
from bot.headings import schedule_heading
from bot.library import ArticleLibrary
from bot.metrics import Metrics
from bot.pings import roles_to_ping
from bot.posting import PUBLISH_WAIT, ChannelPoster, PlainPoster, Poster, PostPlan
from bot.rendering import render_briefing
from bot.sending import DEFAULT_RETRY, RetryPolicy, Sender
from bot.state import Database, claims, deliveries, posted, schedules, signals, subscriptions
from bot.state import pings as role_pings
from bot.state.claims import Claimant
from bot.state.deliveries import Delivery, DeliveryKind, DeliveryStatus
from bot.state.schedules import ChannelSchedule
from bot.state.subscriptions import DigestSettings
from bot.targets import post_title, post_topics
from bot.timing import Clock, latest_due, local_day
from bot.usecases.requests import briefing_request
from briefings.briefing import Briefing
from briefings.personal import Signals

log = logging.getLogger(__name__)

DIGEST_CHUNK = 50
"""Digests claimed per transaction: small enough to share a slot between processes."""


class Deliverer:
    """Sends channel briefings and DM digests through a :class:`~bot.sending.Sender`."""

    def __init__(
        self,
        sender: Sender,
        db: Database,
        library: ArticleLibrary,
        *,
        clock: Clock,
        grace: timedelta,
        per_topic: int,
        retry: RetryPolicy = DEFAULT_RETRY,
        metrics: Metrics | None = None,
        owns_guild: Callable[[int], bool] = lambda guild_id: True,
        claimant: Claimant = claims.ANONYMOUS,
    ) -> None:
        self.sender = sender
        self.db = db
        self.library = library
        self.clock = clock
        self.grace = grace
        self.per_topic = per_topic
        self.retry = retry
        self.metrics = metrics or Metrics()
        self.owns_guild = owns_guild
        self.claimant = claimant
        self.publish_wait = PUBLISH_WAIT
        """Seconds a publication to followers may take (rate limit included), see bot.posting."""
        self.once = ExactlyOnce(db, clock, claimant)

    # --- channel briefings ---------------------------------------------------------------

    async def deliver_channel(self, schedule_id: int) -> Outcome:
        """Post the briefing of schedule ``schedule_id`` if it is due and not yet posted."""
        schedule = await schedules.schedule_by_id(self.db, schedule_id)
        if schedule is None or not schedule.active:
            return Outcome(DeliveryStatus.PAUSED, detail="no active schedule")
        guild_id = schedule.guild_id
        now = self.clock()
        due = latest_due(schedule.post_time, schedule.timezone, now, schedule.days)
        if now - due > self.grace:
            return Outcome(
                DeliveryStatus.NOT_DUE, detail=f"missed by more than the grace period ({due:%H:%M})"
            )
        day = local_day(due, schedule.timezone)
        kind = DeliveryKind.CHANNEL
        prior = await deliveries.get_delivery(self.db, kind, schedule_id, day)
        if prior is None and schedule.updated_at is not None and due < schedule.updated_at:
            # Set up after today's time: the first post is the next one, not a surprise post
            # minutes after `/briefing setup`. (A day that failed is still retried.)
            return Outcome(DeliveryStatus.NOT_DUE, detail="set up after today's post time")
        if not await claims.claim(self.db, kind, schedule_id, day, now=now, claimant=self.claimant):
            return Outcome(DeliveryStatus.ALREADY)
        log_before = await posted.posted_log(self.db, schedule_id, at=due)
        request = briefing_request(schedule, due, per_topic=self.per_topic, posted=log_before)
        briefing = self.library.briefing(request)
        zone = ZoneInfo(schedule.timezone)
        messages = render_briefing(
            briefing,
            heading=schedule_heading(due, zone, name=schedule.name, days=schedule.days),
            zone=zone,
            length=schedule.length,
            ping_roles=await self.ping_roles(schedule, briefing),
        )
        plan = PostPlan(
            post_title(schedule.name, due, zone),
            post_topics(briefing),
            schedule.thread,
            self.library.catalog,
        )
        poster = ChannelPoster(
            self.sender,
            schedule.channel_id,
            guild_id,
            plan,
            retry=self.retry,
            publish_wait=self.publish_wait,
        )
        outcome = await self.once.send(kind, schedule_id, day, poster, messages, prior)
        if outcome.status is DeliveryStatus.SENT:  # remembered for the next ones: no repeats
            shown = briefing.posted_articles(due)
            await posted.record_posted(self.db, schedule_id, shown, now=self.clock())
        if outcome.status is DeliveryStatus.PAUSED:
            await schedules.pause_schedule(self.db, schedule_id, outcome.detail, now=self.clock())
            await self._tell_admin(schedule, outcome.detail)
        log.info(
            "channel briefing guild=%s schedule=%s channel=%s day=%s: %s (%d messages) %s",
            guild_id,
            schedule_id,
            schedule.channel_id,
            day,
            outcome.status,
            len(outcome.message_ids),
            outcome.detail,
            extra={
                "kind": kind,
                "guild_id": guild_id,
                "schedule_id": schedule_id,
                "channel_id": schedule.channel_id,
                "day": str(day),
                "status": outcome.status,
            },
        )
        self.metrics.count_delivery(kind, outcome.status)
        return outcome

    async def ping_roles(self, schedule: ChannelSchedule, briefing: Briefing) -> tuple[int, ...]:
        """The roles the schedule's post of ``briefing`` mentions (its pings for the topics
        it shows, less roles the server deleted); a preview shows the same."""
        if schedule.id is None:
            return ()
        pings = await role_pings.schedule_pings(self.db, schedule.id)
        if not pings:
            return ()
        existing = self.sender.role_ids(schedule.guild_id)
        return roles_to_ping(briefing, pings, self.library.catalog, existing=existing)

    async def _tell_admin(self, schedule: ChannelSchedule, reason: str) -> None:
        """DM the member who set the schedule up that it is paused, and why (once per pause)."""
        if schedule.configured_by is None:
            return
        name = self.sender.guild_name(schedule.guild_id)
        where = f"**{discord.utils.escape_markdown(name)}**" if name else "your server"
        text = (
            f"I paused the briefing “{discord.utils.escape_markdown(schedule.name)}” of {where} "
            f"(channel <#{schedule.channel_id}>): {reason} "
            f"Fix it, then run `/briefing edit {schedule.name}` to resume."
        )
        try:
            dm = await self.sender.open_dm(schedule.configured_by)
            await dm.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as error:
            log.warning(
                "could not tell admin %s of guild %s about the pause: %s",
                schedule.configured_by,
                schedule.guild_id,
                error,
            )

    # --- DM digests ----------------------------------------------------------------------

    def digest_composer(self) -> DigestComposer:
        """A composer for one batch of digests (each distinct digest rendered once)."""
        return DigestComposer(
            lambda due: self.library.briefings_by_topics(due, per_topic=UNCAPPED),
            per_topic=self.per_topic,
        )

    async def deliver_digests(self, users: Sequence[DigestSettings]) -> list[Outcome]:
        """Send every due digest of ``users`` that no one has sent or is sending.

        Work is claimed in chunks (``SELECT … FOR UPDATE SKIP LOCKED`` on the subscribers,
        then the delivery log), so several processes share one slot's digests and each digest
        is sent once; each distinct digest is composed once for the whole batch.
        """
        now = self.clock()
        composer = self.digest_composer()
        outcomes: dict[int, Outcome] = {}
        due: list[tuple[DigestSettings, datetime, date]] = []
        listed: set[int] = set()
        for user in users:
            if user.user_id in listed:
                continue  # listed twice (say, two orphaned days): one digest, one outcome
            listed.add(user.user_id)
            if user.paused_reason:
                outcomes[user.user_id] = Outcome(DeliveryStatus.PAUSED, detail=user.paused_reason)
                continue
            moment = latest_due(user.post_time, user.timezone, now)
            if now - moment > self.grace:
                outcomes[user.user_id] = Outcome(DeliveryStatus.NOT_DUE)
                continue
            due.append((user, moment, local_day(moment, user.timezone)))
        for start in range(0, len(due), DIGEST_CHUNK):
            chunk = due[start : start + DIGEST_CHUNK]
            keys = [(user.user_id, day) for user, _, day in chunk]
            priors = await deliveries.get_deliveries(self.db, DeliveryKind.DIGEST, keys)
            won = set(await claims.claim_digests(self.db, keys, now=now, claimant=self.claimant))
            learned = await signals.signals_of(self.db, [user_id for user_id, _ in won])
            for user, moment, day in chunk:
                if (user.user_id, day) not in won:
                    outcomes[user.user_id] = Outcome(DeliveryStatus.ALREADY)
                    continue
                prior = priors.get((user.user_id, day))
                mine = learned.get(user.user_id, Signals())
                work = self._send_digest(user, moment, day, prior, composer, mine)
                outcomes[user.user_id] = await safely(work, user)
        return [outcomes[user.user_id] for user in users]

    async def _send_digest(
        self,
        settings: DigestSettings,
        due: datetime,
        day: date,
        prior: Delivery | None,
        composer: DigestComposer,
        learned: Signals,
    ) -> Outcome:
        messages = composer.compose(
            settings.topics, due, settings.timezone, settings.filters, learned
        )
        poster: Poster | None = None
        if messages:
            try:
                channel = await self.sender.open_dm(settings.user_id)
                poster = PlainPoster(channel, self.sender.own_user_id(), self.retry)
            except discord.HTTPException as error:
                detail = f"could not open a DM: {error.text or error}"
                await self.once.log_failed(DeliveryKind.DIGEST, settings.user_id, day, detail)
                return Outcome(DeliveryStatus.FAILED, detail=detail)
        outcome = await self.once.send(
            DeliveryKind.DIGEST, settings.user_id, day, poster, messages, prior
        )
        if outcome.status is DeliveryStatus.PAUSED:
            reason = outcome.detail
            await subscriptions.pause_digest(self.db, settings.user_id, reason, now=self.clock())
        log.info(
            "digest user=%s day=%s: %s %s",
            settings.user_id,
            day,
            outcome.status,
            outcome.detail,
            extra={
                "kind": DeliveryKind.DIGEST,
                "user_id": settings.user_id,
                "day": str(day),
                "status": outcome.status,
            },
        )
        self.metrics.count_delivery(DeliveryKind.DIGEST, outcome.status)
        return outcome

    async def deliver_digest_slot(self, post_time: str, timezone: str) -> list[Outcome]:
        """Send the digests of every subscriber due at ``post_time`` in ``timezone``."""
        users = await subscriptions.digest_users(self.db)
        return await self.deliver_digests(
            [u for u in users if u.timezone == timezone and f"{u.post_time:%H:%M}" == post_time]
        )
