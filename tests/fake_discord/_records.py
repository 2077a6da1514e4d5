"""Records kept by the fake Discord server and the fault-injection rules it applies.

``RecordedRequest`` is one REST call the bot made, ``InteractionResponseRecord`` one step
of the bot's answer to an interaction (callback, followup, edit, delete),
``ForcedResponse`` a queued fault for a route pattern, and ``Notifier`` lets tests wait
(without sleeping) until some condition over the records becomes true.
"""

# Waiting helpers take a ``timeout`` argument on purpose: it is the API tests use.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

JsonObject = dict[str, Any]

EPHEMERAL_FLAG = 1 << 6
LOADING_FLAG = 1 << 7


@dataclass
class UploadedFile:
    """A file part of a multipart/form-data request (``files[n]``)."""

    field_name: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request received from the bot, with the answer the fake gave."""

    method: str
    path: str
    """Path relative to the API base, e.g. ``/channels/123/messages``."""
    query: dict[str, str]
    json: Any
    """Parsed JSON body; for multipart requests the parsed ``payload_json`` part."""
    files: list[UploadedFile]
    headers: dict[str, str]
    time: float = field(default_factory=time.monotonic)
    route: str | None = None
    """Route template that matched, e.g. ``/channels/{channel_id}/messages``."""
    status: int | None = None
    response: Any = None
    forced: bool = False
    """True when a fault-injection rule produced the answer."""
    dropped: bool = False
    """True when the connection was dropped instead of answering."""

    def matches(self, method: str, pattern: str) -> bool:
        return (
            self.method == method.upper()
            and compile_path_pattern(pattern).fullmatch(self.path) is not None
        )


@dataclass
class InteractionResponseRecord:
    """One thing the bot did in response to an injected interaction, in arrival order."""

    kind: Literal["callback", "followup", "edit", "delete"]
    interaction_id: int
    body: JsonObject
    """The request body (for callbacks: ``{"type": ..., "data": ...}``)."""
    callback_type: int | None = None
    message_id: int | None = None
    message: JsonObject | None = None
    """The message created or edited, as stored by the fake."""
    time: float = field(default_factory=time.monotonic)

    @property
    def data(self) -> JsonObject:
        """The message-ish part of the body (``data`` for callbacks, the body otherwise)."""
        if self.kind == "callback":
            inner = self.body.get("data")
            return inner if isinstance(inner, dict) else {}
        return self.body

    @property
    def flags(self) -> int:
        value = self.data.get("flags")
        return int(value) if value is not None else 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)

    @property
    def content(self) -> str | None:
        value = self.data.get("content")
        return value if isinstance(value, str) else None


@dataclass
class ForcedResponse:
    """A fault queued for requests matching ``method`` + path ``pattern``.

    ``times`` is how many more requests it applies to (``None`` = forever).  With
    ``apply`` the real handler runs first, so side effects (e.g. message creation) happen
    even though the bot sees the forced answer.  With ``drop`` the connection is closed
    (``reset``: with a TCP RST) instead of answering.  With ``hold`` the request is handled
    normally and the real answer is only sent after ``hold`` seconds (Discord accepted it, but
    the bot has not heard yet: the moment to kill a bot in a crash test).
    """

    method: str
    pattern: str
    status: int = 500
    json: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    drop: bool = False
    reset: bool = True
    apply: bool = False
    delay: float = 0.0
    hold: float = 0.0
    hits: int = 0

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self._regex = compile_path_pattern(self.pattern)

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return (self.method in ("*", method)) and self._regex.fullmatch(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


_PLACEHOLDER = re.compile(r"\{[^}/]*\}")


def compile_path_pattern(pattern: str) -> re.Pattern[str]:
    """Compile ``/channels/{id}/messages`` style patterns; ``{...}`` matches one segment.

    A leading ``/api/v10`` is ignored and ``*`` matches anything (including slashes).
    """
    if pattern.startswith("/api/v10"):
        pattern = pattern[len("/api/v10") :]
    parts: list[str] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(pattern):
        parts.append(_escape_literal(pattern[pos : match.start()]))
        parts.append(r"[^/]+")
        pos = match.end()
    parts.append(_escape_literal(pattern[pos:]))
    return re.compile("".join(parts))


def _escape_literal(text: str) -> str:
    return ".*".join(re.escape(piece) for piece in text.split("*"))


class Notifier:
    """Wakes waiters whenever the fake's recorded state changes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, condition: Callable[[], Any], timeout: float, what: str) -> Any:
        """Return ``condition()``'s first truthy value, re-checking after every change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event
            result = condition()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue
