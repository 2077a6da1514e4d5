"""Sending one delivery's messages exactly once, and recording what happened.

A delivery is one (target, local day): a schedule's channel briefing or a subscriber's DM
digest. Its caller has already won the claim on it in the delivery log
(:func:`~bot.state.claims.claim`); :meth:`ExactlyOnce.send` then posts its messages
through a :class:`~bot.posting.Poster` and records the result:

- **Progress**: the id of every message is recorded as soon as Discord accepts it (renewing
  the claim), so a retry continues after the last recorded message instead of starting over.
- **Nonces**: each message carries a nonce derived from (target, day, part)
  (:func:`~bot.sending.message_nonce`); a send retried after a dropped connection or a 5xx gets
  back the message Discord already created instead of posting it twice.
- **History**: when an attempt takes over from one that died after Discord accepted a message
  but before the log was written, the poster counts those of the bot's messages newer than the
  last recorded one that *are* the next parts of this delivery, as it renders them again, as
  already posted (:meth:`~bot.posting.Poster.unrecorded`, :func:`bot.sending.unrecorded`):
  other schedules may post in the same channel.
- **Result**: sent (with the message ids and any notice), failed (with the reason) or, for a
  failure that needs a person (Missing Permissions, a closed DM), paused.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.posting import Poster
from bot.rendering import OutgoingMessage
from bot.sending import SendFailedError, message_nonce
from bot.state import Database, claims
from bot.state.claims import Claimant
from bot.state.deliveries import Delivery, DeliveryKind, DeliveryStatus
from bot.timing import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a delivery attempt did, for logs and tests."""

    status: DeliveryStatus
    message_ids: tuple[int, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ExactlyOnce:
    """Posts a claimed delivery's messages and writes its progress and result to the log."""

    db: Database
    clock: Clock
    claimant: Claimant

    async def send(
        self,
        kind: DeliveryKind,
        target_id: int,
        day: date,
        poster: Poster | None,
        messages: Sequence[OutgoingMessage],
        prior: Delivery | None,
    ) -> Outcome:
        """Post ``messages`` (after what ``prior``, an earlier attempt, already posted)."""
        if not messages or poster is None:
            await self._log_sent(kind, target_id, day, ())
            return Outcome(DeliveryStatus.EMPTY)
        sent = list(prior.message_ids) if prior is not None else []
        try:
            await poster.prepare(prior)
            if prior is not None:  # an earlier attempt may have posted more than it recorded
                sent += await poster.unrecorded(prior, sent, messages)
                if len(sent) > len(prior.message_ids):
                    await self._log_progress(kind, target_id, day, sent, poster)
            for part in range(len(sent), len(messages)):
                nonce = message_nonce(kind, target_id, day, part)
                sent.append(await poster.post(part, messages[part], nonce, sent))
                await self._log_progress(kind, target_id, day, sent, poster)
            notice = await poster.finish(sent)
        except SendFailedError as error:
            await self.log_failed(kind, target_id, day, error.reason)
            log.warning("delivery %s:%s day=%s failed: %s", kind, target_id, day, error.reason)
            return Outcome(
                DeliveryStatus.PAUSED if error.pause else DeliveryStatus.FAILED,
                tuple(sent),
                error.reason,
            )
        await self._log_sent(kind, target_id, day, sent, notice)
        return Outcome(DeliveryStatus.SENT, tuple(sent), notice or "")

    async def log_failed(self, kind: DeliveryKind, target_id: int, day: date, reason: str) -> None:
        """Record the claimed delivery as failed with ``reason`` (the next sweep retries it)."""
        await claims.mark_failed(
            self.db,
            kind,
            target_id,
            day,
            now=self.clock(),
            error=reason,
            holder=self.claimant.holder,
        )

    async def _log_progress(
        self, kind: DeliveryKind, target_id: int, day: date, sent: list[int], poster: Poster
    ) -> None:
        """Record the parts sent so far, with what a resumed attempt must keep (the poster's
        :meth:`~bot.posting.Poster.progress_notice`)."""
        notice = poster.progress_notice()
        await claims.record_progress(
            self.db, kind, target_id, day, sent, now=self.clock(), notice=notice
        )

    async def _log_sent(
        self,
        kind: DeliveryKind,
        target_id: int,
        day: date,
        sent: Sequence[int],
        notice: str | None = None,
    ) -> None:
        await claims.mark_sent(
            self.db, kind, target_id, day, now=self.clock(), message_ids=sent, notice=notice
        )


async def safely(work: Awaitable[Outcome], target: object) -> Outcome:
    """``work``'s outcome; an unexpected error is logged and becomes a failed outcome, so one
    broken target never stops the others."""
    try:
        return await work
    except Exception:
        log.exception("delivery to %r failed unexpectedly", target)
        return Outcome(DeliveryStatus.FAILED, detail="unexpected error")
