"""HTTP plumbing for the fake Discord REST API: routing, body parsing, replies and errors.

Kept separate from the route handlers so they read like a list of Discord endpoints.
Responses always carry ``Content-Type: application/json`` exactly (discord.py compares the
header verbatim) and a ``Via`` header (discord.py treats a 429 without ``Via`` as a
Cloudflare ban and does not retry it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from ._records import JsonObject, RecordedRequest, UploadedFile

MAX_CONTENT_LENGTH = 2000
MAX_EMBEDS = 10
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TOTAL = 6000


class DiscordError(Exception):
    """Raised by handlers to answer with a Discord-style JSON error."""

    def __init__(self, status: int, code: int, message: str, errors: JsonObject | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JsonObject:
        body: JsonObject = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def not_found(code: int, what: str) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


MISSING_ACCESS = DiscordError(403, 50001, "Missing Access")
MISSING_PERMISSIONS = DiscordError(403, 50013, "Missing Permissions")


@dataclass
class Reply:
    """A handler's answer: status, JSON-able body (None = empty) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None


def ok(body: Any) -> Reply:
    return Reply(200, body)


def no_content() -> Reply:
    return Reply(204, None)


@dataclass
class RestContext:
    """Everything a handler needs about the current request."""

    request: web.Request
    params: dict[str, str]
    record: RecordedRequest

    @property
    def body(self) -> Any:
        return self.record.json

    @property
    def json_object(self) -> JsonObject:
        body = self.record.json
        if not isinstance(body, dict):
            raise DiscordError(400, 50109, "The request body contains invalid JSON.")
        return body

    @property
    def files(self) -> list[UploadedFile]:
        return self.record.files

    @property
    def query(self) -> dict[str, str]:
        return self.record.query

    def snowflake(self, name: str) -> int:
        raw = self.params[name]
        if not raw.isdigit():
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                {
                    name: {
                        "_errors": [{"code": "NUMBER_TYPE_COERCE", "message": "Not a snowflake."}]
                    }
                },
            )
        return int(raw)

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true")


Handler = Callable[[RestContext], Awaitable[Reply]]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    auth: bool = True
    bearer: Handler | None = None
    """Handler for OAuth2 ``Authorization: Bearer`` calls (None: Bearer gets 401)."""

    def __post_init__(self) -> None:
        parts = re.split(r"\{(\w+)\}", self.template)
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
        )
        self.regex = re.compile(pattern)


class Router:
    """First-match router over ``(method, template)`` pairs."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        auth: bool = True,
        bearer: Handler | None = None,
    ) -> None:
        self.routes.append(Route(method.upper(), template, handler, auth, bearer))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            found = route.regex.fullmatch(path)
            if found is not None:
                return route, found.groupdict()
        return None


async def parse_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """Parse a JSON or multipart (``payload_json`` + ``files[n]``) request body."""
    if not request.can_read_body:
        return None, []
    if request.content_type == "multipart/form-data":
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                payload = json.loads(data)
            elif part.filename is not None:
                files.append(
                    UploadedFile(
                        field_name=part.name or "",
                        filename=part.filename,
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
                    )
                )
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode("utf-8", "replace"), []


def build_response(reply: Reply) -> web.Response:
    headers = {"Via": "1.1 google", **reply.headers}
    if reply.text is not None:
        return web.Response(status=reply.status, text=reply.text, headers=headers)
    if reply.body is None:
        return web.Response(status=reply.status, headers=headers)
    return web.Response(
        status=reply.status,
        body=json.dumps(reply.body).encode(),
        content_type="application/json",
        headers=headers,
    )


def invalid_field(path: str, code: str, message: str) -> DiscordError:
    """400 50035 "Invalid Form Body" with Discord's nested ``errors`` for a dotted ``path``."""
    errors: JsonObject = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path.split(".")):
        errors = {key: errors}
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def _length_error(field_name: str, limit: int) -> DiscordError:
    return invalid_field(field_name, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def validate_message_body(body: JsonObject, files: list[UploadedFile], *, creating: bool) -> None:
    """Reject bodies real Discord rejects: empty messages, over-long content/embeds and
    components out of Discord's limits (see ``_components``)."""
    content = body.get("content")
    if isinstance(content, str) and len(content) > MAX_CONTENT_LENGTH:
        raise _length_error("content", MAX_CONTENT_LENGTH)
    embeds = body.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        raise _length_error("embeds", MAX_EMBEDS)
    total = 0
    for index, embed in enumerate(embeds):
        description = embed.get("description") or ""
        if len(description) > MAX_EMBED_DESCRIPTION:
            raise _length_error(f"embeds.{index}.description", MAX_EMBED_DESCRIPTION)
        total += len(embed.get("title") or "") + len(description)
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
        for fld in embed.get("fields") or []:
            total += len(fld.get("name") or "") + len(fld.get("value") or "")
    if total > MAX_EMBED_TOTAL:
        raise _length_error("embeds", MAX_EMBED_TOTAL)
    if body.get("components"):
        from ._components import validate_components  # it raises this module's errors

        validate_components(body["components"])
    if creating and not (
        content
        or embeds
        or files
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message")
