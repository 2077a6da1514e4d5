"""The one error path: expected errors are explained, unexpected ones logged and apologised for.

The generic branch is provoked for real: the article index is closed under the running bot,
so ``/search`` fails inside SQLite, as it would with a broken disk.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.errors import GENERIC_FAILURE, missing_permissions_message
from tests.bot.harness import BotHarness, reply_of


@pytest.mark.command_errors
async def test_an_unexpected_error_is_logged_with_ids_and_gets_the_generic_reply(
    harness: BotHarness, command_errors: list[logging.LogRecord]
) -> None:
    assert harness.bot is not None
    services = harness.bot.services
    alice = harness.user("alice")
    await asyncio.to_thread(services.library.close)
    inter = await harness.fake.inject_slash_command(
        "search", {"query": "battery"}, user_id=alice.id
    )
    reply = await reply_of(inter)
    assert reply.ephemeral and reply.content == GENERIC_FAILURE
    (record,) = command_errors
    assert record.exc_info is not None and record.exc_info[1] is not None
    extra = {key: getattr(record, key) for key in ("command", "guild_id", "user_id")}
    assert extra == {"command": "search", "guild_id": harness.guild.id, "user_id": alice.id}
    assert str(inter.id) in record.getMessage()
    metrics = services.metrics.render().decode()
    assert 'briefing_command_seconds_count{command="search",outcome="error"} 1.0' in metrics


def test_missing_permissions_are_named() -> None:
    assert missing_permissions_message(["manage_guild"]) == (
        "You need the Manage Server permission for this command."
    )
    assert missing_permissions_message(["manage_guild", "manage_channels", "view_channel"]) == (
        "You need the Manage Server, Manage Channels and View Channels permissions "
        "for this command."
    )
