"""Finding a server's schedule by name: the one rule every schedule use case follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.parsing import NAME_LIMIT
from bot.state import schedules
from bot.state.schedules import ChannelSchedule
from bot.usecases.errors import UseCaseError

if TYPE_CHECKING:
    from bot.services import Services


async def pick(services: Services, guild_id: int, name: str | None) -> ChannelSchedule | None:
    """The server's schedule called ``name``; without a name its only schedule (None when it
    has none). An unknown name, or no name when there are several, raises
    :class:`UseCaseError` listing the names."""
    if name is not None and name.strip():
        found = await schedules.get_schedule(services.db, guild_id, name[: NAME_LIMIT * 2])
        if found is not None:
            return found
        names = await schedule_names(services, guild_id)
        known = f" Its schedules: {', '.join(names)}." if names else ""
        raise UseCaseError(
            f"This server has no schedule named “{name.strip()[:NAME_LIMIT]}”.{known}",
            field="name",
        )
    every = await schedules.guild_schedules(services.db, guild_id)
    if len(every) > 1:
        raise UseCaseError(
            f"This server has {len(every)} schedules ({', '.join(s.name for s in every)}): "
            "say which one.",
            field="name",
        )
    return every[0] if every else None


async def schedule_names(services: Services, guild_id: int) -> list[str]:
    """The names of the server's schedules, oldest first (for autocomplete and errors)."""
    return [s.name for s in await schedules.guild_schedules(services.db, guild_id)]
