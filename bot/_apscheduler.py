"""A typed face of the few APScheduler 3.11 calls the scheduler makes.

APScheduler 3 ships no type hints, so mypy sees its objects as ``Any``. This module is the only
one that imports ``apscheduler``: it wraps ``AsyncIOScheduler``, the cron and interval
triggers and the job events in small typed classes, so :mod:`bot.scheduler` is checked
strictly like the rest of ``bot/``. Behaviour is APScheduler's own; nothing is re-implemented.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger


class Job(Protocol):
    """A scheduled job, as far as the bot reads it."""

    @property
    def id(self) -> str: ...

    @property
    def next_run_time(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Trigger:
    """When a job runs (an APScheduler trigger)."""

    _trigger: Any


def daily(at: time, timezone: tzinfo) -> Trigger:
    """Every day at ``at`` local time in ``timezone`` (DST handled by APScheduler)."""
    return Trigger(CronTrigger(hour=at.hour, minute=at.minute, timezone=timezone))


def every(period: timedelta) -> Trigger:
    """Every ``period`` (at least a second)."""
    return Trigger(IntervalTrigger(seconds=max(1, int(period.total_seconds())), timezone=UTC))


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """A job ran (``exception`` when it raised) or missed its time beyond the grace period."""

    job_id: str
    missed: bool
    exception: BaseException | None


class JobScheduler:
    """``AsyncIOScheduler`` with UTC as its zone and the given job defaults."""

    def __init__(
        self,
        *,
        misfire_grace: timedelta,
        on_outcome: Callable[[JobOutcome], None],
        coalesce: bool = True,
        max_instances: int = 1,
    ) -> None:
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": coalesce,
                "max_instances": max_instances,
                "misfire_grace_time": int(misfire_grace.total_seconds()),
            },
        )

        def listener(event: JobEvent) -> None:
            exception = event.exception if isinstance(event, JobExecutionEvent) else None
            on_outcome(JobOutcome(event.job_id, event.code == EVENT_JOB_MISSED, exception))

        self._scheduler.add_listener(
            listener, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED
        )

    @property
    def running(self) -> bool:
        """Started and not shut down."""
        return bool(self._scheduler.running)

    def start(self) -> None:
        """Start running jobs (inside the running event loop)."""
        self._scheduler.start()

    def shutdown(self) -> None:
        """Start no more jobs (running ones are the caller's to stop)."""
        self._scheduler.shutdown(wait=False)

    def add_job(
        self,
        func: Callable[..., Awaitable[None]],
        trigger: Trigger,
        *,
        id: str,
        name: str,
        args: Sequence[object] = (),
        next_run_time: datetime | None = None,
    ) -> None:
        """Add or replace (same ``id``) a job; ``next_run_time`` overrides its first run."""
        first: dict[str, datetime] = (
            {} if next_run_time is None else {"next_run_time": next_run_time}
        )
        self._scheduler.add_job(
            func,
            trigger._trigger,
            args=list(args),
            id=id,
            name=name,
            replace_existing=True,
            **first,
        )

    def get_job(self, job_id: str) -> Job | None:
        """The job with that id, if any."""
        job: Job | None = self._scheduler.get_job(job_id)
        return job

    def get_jobs(self) -> list[Job]:
        """Every job."""
        return list(self._scheduler.get_jobs())

    def remove_job(self, job_id: str) -> None:
        """Drop the job with that id (no error when there is none)."""
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def run_now(self, job_id: str) -> bool:
        """Make a job run at once, through the scheduler; False when there is no such job."""
        job = self._scheduler.get_job(job_id)
        if job is None:
            return False
        job.modify(next_run_time=datetime.now(UTC))
        self._scheduler.wakeup()
        return True
