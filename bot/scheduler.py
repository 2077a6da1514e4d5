"""The bot's timetable on APScheduler 3.11 (``AsyncIOScheduler``).

Jobs, each with an explicit id (``replace_existing=True``), an explicit time zone,
``coalesce=True`` and a misfire grace of hours:

- ``channel:<schedule id>``: a briefing schedule's post, a cron trigger at its local time and
  zone on its weekdays (``day_of_week``); a guild has one per schedule;
- ``digest:<zone>:<HH:MM>``: every subscriber whose digest time is that local time (one job per
  distinct time, not per user);
- ``catch-up``: every ``CATCH_UP_SECONDS`` (10 minutes), and once as soon as the process can
  deliver (the client triggers it when the gateway is first ready; a ``WORKER_ONLY`` process
  runs it at start), delivers what is due within the grace period but not yet in the delivery
  log — a post missed while the bot was down, a day whose send failed, a day a DST jump
  skipped, a delivery a killed process had claimed;
- ``heartbeat``: every ``HEARTBEAT_SECONDS``, tells the other processes this one still runs;
- ``take-over``: every ``HEARTBEAT_SECONDS`` / 2, delivers at once what a process that is gone
  had claimed but not finished (:meth:`bot.recovery.Recovery.take_over`);
- ``store-refresh``: re-reads the article store when its folder changed;
- ``sources-poll``: polls the remote sources every ``SOURCE_POLL_SECONDS`` and hands their
  articles to the library when they changed. The first poll does not wait for it:
  :meth:`BriefingScheduler.start_sources`, called at the very start of ``setup_hook``, restores
  the last good polls from disk and starts a poll at once, while the store is still being
  indexed.

The scheduler is started from ``setup_hook`` (never ``on_ready``, which fires again on every
reconnect) and stopped in ``close()`` by :meth:`BriefingScheduler.stop`: no job starts after
that, and the jobs already running are cancelled and awaited (bounded) before the caller goes
on to close the gateway and the database they use. It holds no state of its own worth
keeping: at start it is rebuilt from the database, and exactly-once delivery lives in the
delivery log.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot._apscheduler import JobOutcome, JobScheduler, daily, every
from bot.delivery import Deliverer
from bot.library import ArticleLibrary
from bot.liveness import Instance
from bot.parsing import format_time_of_day
from bot.recovery import Recovery
from bot.sources import SourcePoller
from bot.state import Database, schedules, subscriptions
from bot.state.schedules import ChannelSchedule, days_code

log = logging.getLogger(__name__)

CATCH_UP_EVERY = timedelta(minutes=10)
HEARTBEAT_EVERY = timedelta(seconds=5)


def channel_job_id(schedule_id: int) -> str:
    """The job id of a schedule's posts."""
    return f"channel:{schedule_id}"


def digest_job_id(post_time: time, timezone: str) -> str:
    """The job id of the digests due at ``post_time`` in ``timezone``."""
    return f"digest:{timezone}:{format_time_of_day(post_time)}"


_Job = Callable[..., Awaitable[object]]


class BriefingScheduler:
    """Keeps APScheduler's jobs in line with the schedules and subscriptions in the database."""

    def __init__(
        self,
        db: Database,
        deliverer: Deliverer,
        library: ArticleLibrary,
        *,
        recovery: Recovery,
        grace: timedelta,
        store_rescan: timedelta,
        sources: SourcePoller | None = None,
        source_poll: timedelta = timedelta(minutes=5),
        catch_up_every: timedelta = CATCH_UP_EVERY,
        instance: Instance | None = None,
        heartbeat_every: timedelta = HEARTBEAT_EVERY,
    ) -> None:
        self.db = db
        self.deliverer = deliverer
        self.recovery = recovery
        self.library = library
        self.store_rescan = store_rescan
        self.sources = sources
        self.source_poll = source_poll
        self.catch_up_every = catch_up_every
        self.instance = instance
        self.heartbeat_every = heartbeat_every
        self._poll_lock = asyncio.Lock()
        self._first_poll: asyncio.Task[None] | None = None
        self.scheduler = JobScheduler(misfire_grace=grace, on_outcome=self._on_job_outcome)
        self._running_jobs: set[asyncio.Task[object]] = set()
        self._stopping = False

    def _tracked(self, job: _Job) -> Callable[..., Awaitable[None]]:
        """``job`` as a job function whose running task :meth:`stop` can cancel and await."""

        @functools.wraps(job)
        async def run(*args: object) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running_jobs.add(task)
            try:
                await job(*args)
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                # Cancelled by stop(): an expected end, not a failure for APScheduler to log.
                log.info("job %s stopped by the shutdown", job.__name__)
            finally:
                if task is not None:
                    self._running_jobs.discard(task)

        return run

    @staticmethod
    def _on_job_outcome(event: JobOutcome) -> None:
        extra = {"job_id": event.job_id}
        if event.exception is not None:
            log.error("job %s failed", event.job_id, exc_info=event.exception, extra=extra)
        elif event.missed:
            log.warning(
                "job %s missed its run time beyond the grace period", event.job_id, extra=extra
            )
        else:
            log.debug("job %s ran", event.job_id, extra=extra)

    @property
    def running(self) -> bool:
        """Whether the scheduler has been started and not shut down."""
        return self.scheduler.running

    async def start(self, *, catch_up_now: bool = False) -> None:
        """Build every job from the database and start (call from ``setup_hook``).

        ``catch_up_now`` runs the catch-up at once; otherwise the client calls
        :meth:`run_now` with ``"catch-up"`` when it can deliver (the gateway is ready).
        """
        if self.running:
            return
        self.scheduler.start()
        for schedule in await schedules.active_schedules(self.db):
            if self.deliverer.owns_guild(schedule.guild_id):
                self.schedule_channel(schedule)
        for user in await subscriptions.digest_users(self.db):
            self.ensure_digest_slot(user.post_time, user.timezone)
        self.scheduler.add_job(
            self._tracked(self.recovery.catch_up),
            every(self.catch_up_every),
            id="catch-up",
            name="deliver what is due but missing",
            next_run_time=datetime.now(UTC) if catch_up_now else None,
        )
        if self.instance is not None:
            self.scheduler.add_job(
                self._tracked(self.instance.beat),
                every(self.heartbeat_every),
                id="heartbeat",
                name="tell the other processes this one runs",
            )
        self.scheduler.add_job(
            self._tracked(self.recovery.take_over),
            every(self.heartbeat_every / 2),  # a cheap, indexed query
            id="take-over",
            name="deliver what a process that is gone had claimed",
        )
        self.scheduler.add_job(
            self._tracked(self.library.refresh),
            every(self.store_rescan),
            id="store-refresh",
            name="re-read the article store when it changed",
        )
        if self.sources is not None and self.sources.sources:
            period = self.source_poll
            first = datetime.now(UTC) + (period if self._first_poll is not None else timedelta())
            self.scheduler.add_job(
                self._tracked(self.poll_sources),
                every(period),
                id="sources-poll",
                name="poll the remote article sources",
                next_run_time=first,
            )
        log.info("scheduler started with %d jobs", len(self.scheduler.get_jobs()))

    async def start_sources(self) -> None:
        """Serve the sources' last good polls from disk and start the first poll now.

        Call first thing in ``setup_hook``: the poll runs in the background, so it neither
        waits for nor delays the store's first index; :meth:`start` then schedules the next
        polls one interval later.
        """
        if self.sources is None or not self.sources.sources or self._first_poll is not None:
            return
        if await self.sources.restore():
            await self.library.set_remote(self.sources.articles())
        self._first_poll = asyncio.create_task(self.poll_sources(), name="first sources poll")
        self._first_poll.add_done_callback(_log_failure)

    async def poll_sources(self) -> None:
        """Poll the remote sources; give the library their articles when anything changed."""
        if self.sources is None:
            return
        async with self._poll_lock:  # the first poll and the job never overlap
            if await self.sources.poll_all():
                await self.library.set_remote(self.sources.articles())

    async def stop(self) -> None:
        """Start no more jobs; cancel the running ones and wait until they have finished.

        Cancelled jobs unwind through their ``finally`` blocks (a claim stays in the delivery
        log as it was, and the next start takes it over), so once this returns nothing uses the
        gateway or the database any more. The caller bounds the wait.
        """
        self._stopping = True
        if self.running:
            self.scheduler.shutdown()
        running = [task for task in self._running_jobs if not task.done()]
        if self._first_poll is not None and not self._first_poll.done():
            running.append(self._first_poll)
        for task in running:
            task.cancel()
        if running:
            log.info("waiting for %d running jobs to stop", len(running))
            await asyncio.gather(*running, return_exceptions=True)

    def schedule_channel(self, schedule: ChannelSchedule) -> None:
        """Add or replace the job of a stored schedule."""
        assert schedule.id is not None, "only a stored schedule has a job"
        self.scheduler.add_job(
            self._tracked(self.deliverer.deliver_channel),
            daily(schedule.post_time, ZoneInfo(schedule.timezone), days_code(schedule.days)),
            args=[schedule.id],
            id=channel_job_id(schedule.id),
            name=f"briefing {schedule.name!r} ({schedule.id}) of guild {schedule.guild_id}",
        )

    def remove_channel(self, schedule_id: int) -> None:
        """Drop a schedule's job (no error when there is none)."""
        self.scheduler.remove_job(channel_job_id(schedule_id))

    def ensure_digest_slot(self, post_time: time, timezone: str) -> None:
        """Make sure the digests due at ``post_time`` in ``timezone`` have a job."""
        job_id = digest_job_id(post_time, timezone)
        if self.scheduler.get_job(job_id) is not None:
            return
        self.scheduler.add_job(
            self._tracked(self.deliverer.deliver_digest_slot),
            daily(post_time, ZoneInfo(timezone)),
            args=[format_time_of_day(post_time), timezone],
            id=job_id,
            name=f"DM digests at {format_time_of_day(post_time)} {timezone}",
        )

    def next_run(self, schedule_id: int) -> datetime | None:
        """When the schedule's next post is planned, if it has a job."""
        job = self.scheduler.get_job(channel_job_id(schedule_id))
        return job.next_run_time if job is not None else None

    def run_now(self, job_id: str) -> bool:
        """Make a job run at once (through the scheduler, as on its schedule)."""
        return self.scheduler.run_now(job_id)


def _log_failure(task: asyncio.Task[None]) -> None:
    """Log what a background task raised (nothing awaits it)."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("%s failed", task.get_name(), exc_info=error)
