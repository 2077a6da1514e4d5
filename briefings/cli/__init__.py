"""The ``briefings`` command line: an entry point on top of the core, not part of it.

- :mod:`~briefings.cli.commands`: the argument parser and the commands (``check``, ``build``,
  ``search``, ``topics``, ``explain``);
- :mod:`~briefings.cli.arguments`: argument values and the options several commands share;
- :mod:`~briefings.cli.store_access`: how a command gets at the store (the persistent index,
  or memory), with its progress bar and skipped-file lines;
- :mod:`~briefings.cli.render`: their text, Markdown and JSON output;
- :mod:`~briefings.cli.cache`: where the persistent indexes live (the user's cache folder).

Unlike the rest of ``briefings/``, this package prints, reads the environment and reads the
clock (``--at`` defaults to now). Nothing in the core imports it. The ``briefings`` console
script and ``python -m briefings`` run :func:`main`.
"""

from briefings.cli.commands import main

__all__ = ["main"]
