"""The bot starts against the fake Discord, registers its commands and answers."""

from __future__ import annotations

from tests.bot.harness import BotHarness


async def test_commands_are_registered_globally(harness: BotHarness) -> None:
    commands = {c["name"]: c for c in harness.fake.commands}
    assert sorted(commands) == [
        "briefing",
        "search",
        "subscribe",
        "subscriptions",
        "topics",
        "unsubscribe",
    ]
    briefing = commands["briefing"]
    assert sorted(o["name"] for o in briefing["options"]) == [
        "disable",
        "edit",
        "explain",
        "filter",
        "list",
        "ping",
        "preview",
        "remove",
        "setup",
        "status",
    ]
    assert int(briefing["default_member_permissions"]) == 1 << 5  # Manage Server
    subscribe = [o["name"] for o in commands["subscribe"]["options"]]
    assert subscribe == ["topic", "time", "timezone", "exclude", "include", "outlets"]
    assert harness.bot is not None and harness.bot.services.scheduler.running
