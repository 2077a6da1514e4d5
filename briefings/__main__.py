"""``python -m briefings``: the same as the ``briefings`` command."""

from briefings.cli import main

raise SystemExit(main())
