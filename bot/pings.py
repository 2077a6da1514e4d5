"""Which roles a channel briefing mentions: the pings of the topics it shows.

Pure (no Discord, no I/O). A schedule may name one role per topic (``/briefing ping``, stored
by :mod:`bot.state.pings`). A post mentions a configured role when the briefing shows a story
of that topic: its section, or one of the "Top stories" labelled with it (a top story is not
repeated in its section, so a topic may appear only there). A topic covers its catalog
descendants, as a schedule's topics do: a ping for "Technology" fires for a "Space" section.
Roles are mentioned once each, in the order their topics first appear in the post.

The mentions sit on one line of the first message's content (content is the only part of a
message Discord parses for pings); that message is sent with ``allowed_mentions`` naming
exactly these roles, and every other message with ``AllowedMentions.none()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.state.pings import RolePing
from briefings.briefing import Briefing, topic_selection
from briefings.model import Catalog, topic_key

MAX_PINGS = 25
"""The most topics a schedule may ping roles for: its mention line (at most 25 characters a
role) always fits in a message with the heading, far below Discord's 100 allowed roles."""


def shown_topics(briefing: Briefing) -> list[str]:
    """The topic keys of the stories a briefing shows, in the order they first appear."""
    keys = [topic_key(story.topic) for story in briefing.top_stories if story.topic]
    keys += [topic_key(section.topic) for section in briefing.sections if section.stories]
    return list(dict.fromkeys(keys))


def roles_to_ping(
    briefing: Briefing,
    pings: Sequence[RolePing],
    catalog: Catalog,
    *,
    existing: Iterable[int] | None = None,
) -> tuple[int, ...]:
    """The configured roles ``briefing`` mentions: those of the topics it shows.

    ``existing``, when known, are the role ids the server still has; a deleted role is left
    out (its mention would show as "@deleted-role" and ping nobody anyway).
    """
    alive = None if existing is None else set(existing)
    covers = [(topic_selection([p.topic], catalog) or frozenset(), p.role_id) for p in pings]
    roles: dict[int, None] = {}
    for key in shown_topics(briefing):
        for covered, role_id in covers:
            if key in covered and (alive is None or role_id in alive):
                roles.setdefault(role_id)
    return tuple(roles)


def mention_line(role_ids: Sequence[int]) -> str:
    """``<@&1> <@&2>``: the roles as mentions, on one line ("" for none)."""
    return " ".join(f"<@&{role_id}>" for role_id in role_ids)
