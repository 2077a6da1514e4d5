"""Recovering deliveries that did not happen on time: the catch-up sweep and the take-over.

- :meth:`Recovery.catch_up` (the scheduler's ``catch-up`` job, and once as soon as the process
  can deliver) delivers everything due within the grace period and not delivered yet: a post
  missed while the bot was down, a day whose send failed, a day a DST jump skipped.
- :meth:`Recovery.take_over` (the ``take-over`` job) delivers at once what a process that is
  gone had claimed but not finished (see :mod:`bot.state.instances`), and retires the orphaned
  claims no one will ever send.

Both go through the :class:`~bot.delivery.Deliverer`, so its claims keep every day single.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time

from bot.delivery import Deliverer
from bot.exactly_once import Outcome, safely
from bot.state import claims, schedules, subscriptions
from bot.state.claims import ClaimKey
from bot.state.deliveries import DeliveryKind, DeliveryStatus
from bot.state.subscriptions import DigestSettings
from bot.timing import EVERY_DAY, latest_due, local_day

log = logging.getLogger(__name__)


class Recovery:
    """Catches up on missed deliveries and takes over those of gone processes."""

    def __init__(self, deliverer: Deliverer) -> None:
        self.deliverer = deliverer
        self._taken_over: set[ClaimKey] = set()

    async def catch_up(self) -> list[Outcome]:
        """Deliver everything due within the grace period and not delivered yet."""
        deliverer, db = self.deliverer, self.deliverer.db
        outcomes: list[Outcome] = []
        for schedule in await schedules.active_schedules(db):
            if not deliverer.owns_guild(schedule.guild_id):
                continue  # another process runs that guild's shard
            assert schedule.id is not None
            outcomes.append(await safely(deliverer.deliver_channel(schedule.id), schedule))
        outcomes += await deliverer.deliver_digests(await subscriptions.digest_users(db))
        return outcomes

    async def take_over(self) -> list[Outcome]:
        """Deliver at once what a gone process claimed but did not finish (see
        :mod:`bot.state.instances`): its digests, and the channel briefings of the schedules of
        this process's guilds. Each orphaned claim is tried once by this process. One that is
        no longer due — its day's post time is past the grace period
        (``MISFIRE_GRACE_HOURS``), or its schedule or subscription is gone — is marked failed,
        "not due any more", instead of staying "sending" for ever (no one would send it)."""
        deliverer, db = self.deliverer, self.deliverer.db
        now = deliverer.clock()
        orphans = await claims.orphaned_claims(db, now=now, claimant=deliverer.claimant)
        mine: list[ClaimKey] = []
        digests: dict[int, DigestSettings] = {}  # read once, to judge the day and to deliver
        for key in orphans:
            if key in self._taken_over:
                continue
            if key.kind == DeliveryKind.CHANNEL:
                schedule = await schedules.schedule_by_id(db, key.target_id)
                if schedule is not None and not deliverer.owns_guild(schedule.guild_id):
                    continue  # another process runs that guild's shard
                slot = None if schedule is None else (schedule.post_time, schedule.timezone)
                days = EVERY_DAY if schedule is None else schedule.days
            else:
                user = await subscriptions.digest_settings(db, key.target_id)
                if user is not None:
                    digests[key.target_id] = user
                slot = None if user is None else (user.post_time, user.timezone)
                days = EVERY_DAY
            if slot is None or self._due_day(*slot, now, days) != key.day:
                await self._retire(key, now)
                continue
            mine.append(key)
        self._taken_over = (self._taken_over & set(orphans)) | set(mine)
        if not mine:
            return []
        log.warning("taking over %d deliveries whose sender is gone", len(mine))
        # One target may have several orphaned days: each is delivered once, for today.
        ids = sorted({key.target_id for key in mine if key.kind == DeliveryKind.CHANNEL})
        outcomes = [await safely(deliverer.deliver_channel(i), f"schedule {i}") for i in ids]
        mine_digests = {key.target_id for key in mine if key.kind == DeliveryKind.DIGEST}
        users = [digests[user_id] for user_id in sorted(mine_digests)]
        return outcomes + await deliverer.deliver_digests(users)

    def _due_day(self, at: time, zone: str, now: datetime, days: Sequence[int]) -> date | None:
        """The local day whose post at ``at`` is due ``now`` (None: past the grace period)."""
        due = latest_due(at, zone, now, days)
        return local_day(due, zone) if now - due <= self.deliverer.grace else None

    async def _retire(self, key: ClaimKey, now: datetime) -> None:
        """Mark an orphaned claim that is no longer due failed (see :meth:`take_over`)."""
        error = "not due any more"
        deliverer = self.deliverer
        if await claims.retire_orphan(
            deliverer.db, key, now=now, error=error, claimant=deliverer.claimant
        ):
            log.warning(
                "delivery %s:%s day=%s was left unfinished by a gone sender and is no longer "
                "due: marked failed",
                key.kind,
                key.target_id,
                key.day,
                extra={"kind": key.kind, "day": str(key.day)},
            )
            deliverer.metrics.count_delivery(key.kind, DeliveryStatus.FAILED)
