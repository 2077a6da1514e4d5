"""The one error type of the use cases: a message safe to show, and the input it is about."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class UseCaseError(Exception):
    """What the person asked for cannot be done; ``str(error)`` tells them why.

    ``field`` names the input the problem is with (``"time"``, ``"timezone"``, ``"topics"``,
    …) so a form can show the message next to it; None when it is about the request as a whole.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def about(self, field: str) -> UseCaseError:
        """The same error, attributed to ``field`` (when no field was named yet)."""
        return self if self.field is not None else UseCaseError(self.message, field=field)


def parse_field(field: str, parse: Callable[[str], T], text: str) -> T:
    """``parse(text)``, with any :class:`UseCaseError` it raises attributed to ``field``."""
    try:
        return parse(text)
    except UseCaseError as error:
        raise error.about(field) from None
