"""The user-facing features, one module each; :func:`setup_features` registers their commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands

from bot.features import briefing_admin, digest_feedback, search, subscriptions, topics

if TYPE_CHECKING:
    from bot.services import Services


def setup_features(tree: app_commands.CommandTree, services: Services) -> None:
    """Add every feature's commands to ``tree``."""
    for feature in (search, topics, subscriptions, digest_feedback, briefing_admin):
        feature.setup(tree, services)
