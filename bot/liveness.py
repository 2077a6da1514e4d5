"""This process's instance: registered at start, a heartbeat every few seconds, stopped at exit.

Other processes read the heartbeat to tell whether the deliveries this instance claimed are
still being sent (:mod:`bot.state.instances`). The id is random per start, so a restarted
process is a new instance; the name (:meth:`bot.settings.Settings.process_name`) is what it
shares with the process it replaces.
"""

from __future__ import annotations

import logging
import uuid

from bot.state import Database, instances
from bot.timing import Clock

log = logging.getLogger(__name__)


class Instance:
    """One start of this bot process, as other processes see it in the database."""

    def __init__(self, db: Database, name: str, *, clock: Clock) -> None:
        self.db = db
        self.name = name
        self.clock = clock
        self.id = uuid.uuid4().hex

    async def register(self) -> None:
        """Record this instance as running (call before the first delivery claim)."""
        superseded = await instances.register(self.db, self.id, self.name, now=self.clock())
        log.info("running as instance %s (%s)", self.id, self.name)
        if superseded:
            log.warning(
                "the previous instance named %s did not stop cleanly: its unfinished "
                "deliveries are taken over now",
                self.name,
            )

    async def beat(self) -> None:
        """Refresh the heartbeat (a scheduler job every ``HEARTBEAT_SECONDS``)."""
        if not await instances.beat(self.db, self.id, self.name, now=self.clock()):
            log.warning(
                "instance %s (%s) had been declared gone: another process started with the "
                "same name, or this one could not reach the database for too long; give each "
                "process its own INSTANCE_NAME",
                self.id,
                self.name,
            )

    async def stop(self) -> None:
        """Mark this instance stopped: peers may take over its unfinished claims at once."""
        await instances.stop(self.db, self.id, now=self.clock())
