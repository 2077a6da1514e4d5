"""Use cases: the plain async functions every front end calls (slash commands, web panel).

A front end parses what it received, calls **one** use case and renders the result. Use cases
take the bot's :class:`~bot.services.Services` and plain values (ids, the text a person typed),
validate them, change state and return frozen dataclasses of domain values; they never import
``discord`` or ``aiohttp``, so tests reach them without Discord. A problem with what the
person asked for is raised as :class:`UseCaseError` whose message is safe to show and whose
``field`` names the input it is about: :mod:`bot.errors` turns it into an ephemeral reply, the
web panel shows it next to that field. Because both front ends go through the same function,
a time like ``25:99``, an unknown zone or an over-long topic list gets the same sentence in
Discord and on the web.

Modules:

- :mod:`bot.usecases.schedules`: a server's daily briefing (``set_up``, ``disable``,
  ``status``, ``preview``, ``explain``), behind ``/briefing …`` and the panel's server page.
- :mod:`bot.usecases.subscriptions`: a member's DM digest (``subscribe``, ``unsubscribe``,
  ``subscriptions``, ``change_digest_time``, ``forget_me``), behind ``/subscribe`` … and the
  panel's personal page.
- :mod:`bot.usecases.search`: ``/search`` and its pages.
- :mod:`bot.usecases.topics`: the topics a member may name (``/topics``, autocomplete,
  resolving a typed name).
- :mod:`bot.usecases.requests`: the one mapping from a server's schedule to the briefing it
  asks for, used by the daily post, the preview and the explanation alike.

Who may call a use case (Manage Server, the bot being in the server) is the front end's
check: Discord computes it for a slash command, the panel re-reads the user's guild list.
"""

from bot.usecases.errors import UseCaseError

__all__ = ["UseCaseError"]
