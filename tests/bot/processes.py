"""Starting the bot as a real ``python -m bot`` process, for the tests and benchmarks that need one.

:func:`clean_environment` drops every bot setting this process may carry (a developer's
``DISCORD_TOKEN``, a CI's ``DATABASE_URL``) so each child gets exactly the settings given.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import IO

BOT_SETTING_PREFIXES = ("DISCORD_", "ARTICLE_", "DATABASE_", "SHARD_", "WORKER_")


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any bot setting, plus ``settings``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(BOT_SETTING_PREFIXES)}
    environment.update(settings)
    return environment


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


async def start_bot(
    env: dict[str, str],
    cwd: Path,
    *,
    capture_output: bool = False,
    sigint_ignored: bool = False,
    log: Path | None = None,
) -> asyncio.subprocess.Process:
    """``python -m bot`` in ``cwd``; its output in ``stdout`` (with stderr), appended to the
    file ``log`` (to show when a test fails), or discarded.

    ``sigint_ignored`` starts it the way a shell without job control starts ``bot &``: with
    SIGINT ignored, inherited through exec.
    """
    output: int | IO[bytes] = (
        asyncio.subprocess.PIPE if capture_output else asyncio.subprocess.DEVNULL
    )
    errors: int | IO[bytes] = (
        asyncio.subprocess.STDOUT if capture_output else asyncio.subprocess.DEVNULL
    )
    with contextlib.ExitStack() as files:
        if log is not None:
            output = errors = files.enter_context(log.open("ab"))
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=errors,
            preexec_fn=_ignore_sigint if sigint_ignored else None,
        )
