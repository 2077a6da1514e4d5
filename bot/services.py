"""The services the bot's parts share, built once by the composition root (:mod:`bot.app`).

A plain frozen value: the features, the use cases, the health server and the client receive
it; none of them constructs a service. Nothing here imports the client, so any module may
import this one without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery import Deliverer
from bot.library import ArticleLibrary
from bot.liveness import Instance
from bot.metrics import Metrics
from bot.recovery import Recovery
from bot.scheduler import BriefingScheduler
from bot.settings import Settings
from bot.sources import SourcePoller
from bot.state import Database
from bot.timing import Clock


@dataclass(frozen=True, slots=True)
class Services:
    """What the features, use cases and the client need."""

    settings: Settings
    db: Database
    library: ArticleLibrary
    deliverer: Deliverer
    recovery: Recovery
    scheduler: BriefingScheduler
    clock: Clock
    metrics: Metrics
    sources: SourcePoller
    instance: Instance
