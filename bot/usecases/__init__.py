"""Use cases: the plain async functions the front ends call (slash commands, the web panel).

A front end parses what it received, calls **one** use case and renders the result. Use cases
take the bot's :class:`~bot.services.Services` and plain values (ids, the text a person typed),
validate them, read or change state and return frozen dataclasses of domain values; they never
import ``discord`` or ``aiohttp``, so tests reach them without Discord. A problem with what the
person asked for is raised as :class:`UseCaseError`, whose message is safe to show:
:mod:`bot.errors` turns it into an ephemeral reply.

Modules:

- :mod:`bot.usecases.search`: ``/search`` and its pages.
- :mod:`bot.usecases.topics`: the topics a member may name (``/topics``, autocomplete).
- :mod:`bot.usecases.requests`: the one mapping from a server's schedule to the briefing it
  asks for, used by previews, explanations and the daily post alike.
"""

from bot.usecases.errors import UseCaseError

__all__ = ["UseCaseError"]
