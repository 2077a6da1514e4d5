"""The fake Discord REST API: request pipeline plus user/application/command/guild routes.

Routes authenticate with the bot token (``Authorization: Bot``); the few OAuth2 user
routes (``/users/@me``, ``/users/@me/guilds``) also take ``Authorization: Bearer``
(``_oauth``), which every other route answers with 401.

Every request under ``/api/v10`` is recorded, checked against queued fault-injection
rules, then routed; unknown routes are logged, recorded in ``FakeDiscord.unhandled`` and
answered with Discord's 404.  Message routes live in ``_rest_messages``, interaction
and webhook routes in ``_rest_interactions``, thread, forum-post and crosspost routes
in ``_rest_threads``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from typing import TYPE_CHECKING

from aiohttp import web

from ._http import (
    MISSING_ACCESS,
    DiscordError,
    Reply,
    RestContext,
    Route,
    Router,
    build_response,
    no_content,
    not_found,
    ok,
    parse_body,
)
from ._records import JsonObject, RecordedRequest
from ._rest_interactions import InteractionRoutes
from ._rest_messages import MessageRoutes
from ._rest_threads import ThreadRoutes

if TYPE_CHECKING:
    from .server import FakeDiscord

_log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"


class RestApi:
    """aiohttp handler implementing the subset of Discord's REST API a bot uses."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.router = Router()
        r = self.router
        r.add("GET", "/gateway", self.get_gateway, auth=False)
        r.add("GET", "/gateway/bot", self.get_gateway_bot)
        oauth = fake.oauth
        r.add("POST", "/oauth2/token", oauth.token, auth=False)
        r.add("POST", "/oauth2/token/revoke", oauth.revoke, auth=False)
        identify = oauth.bearer_handler("identify", self._oauth_user)
        r.add("GET", "/users/@me", self.get_me, bearer=identify)
        guilds = oauth.bearer_handler("guilds", fake.user_guild_entries)
        r.add("GET", "/users/@me/guilds", self.get_my_guilds, bearer=guilds)
        r.add("GET", "/applications/@me", self.get_application)
        r.add("GET", "/oauth2/applications/@me", self.get_application)
        for prefix in ("/applications/{app}", "/applications/{app}/guilds/{guild_id}"):
            r.add("GET", prefix + "/commands", self.list_commands)
            r.add("PUT", prefix + "/commands", self.bulk_overwrite_commands)
            r.add("POST", prefix + "/commands", self.create_command)
            r.add("GET", prefix + "/commands/{command_id}", self.get_command)
            r.add("PATCH", prefix + "/commands/{command_id}", self.edit_command)
            r.add("DELETE", prefix + "/commands/{command_id}", self.delete_command)
        r.add("GET", "/guilds/{guild_id}", self.get_guild)
        r.add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        r.add("GET", "/guilds/{guild_id}/roles", self.get_guild_roles)
        r.add("GET", "/guilds/{guild_id}/members", self.list_guild_members)
        r.add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_guild_member)
        messages = MessageRoutes(fake)
        messages.register(r)
        ThreadRoutes(fake, messages).register(r)
        InteractionRoutes(fake, messages).register(r)
        r.add("GET", "/users/{user_id}", self.get_user)

    # -- pipeline -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        fake = self.fake
        in_api = request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
        path = request.path[len(API_PREFIX) :] if in_api else request.path
        try:
            body, files = await parse_body(request)
        except ValueError:
            body, files = None, []
        record = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            files=files,
            headers=dict(request.headers),
        )
        fake.requests.append(record)
        matched = self.router.match(request.method, path) if in_api else None
        if matched is not None:
            record.route = matched[0].template
        ctx = RestContext(request, matched[1] if matched else {}, record)
        forced = fake._take_forced(request.method, path)
        try:
            if forced is not None:
                record.forced = True
                if forced.delay:
                    await asyncio.sleep(forced.delay)
                if forced.hold and matched is not None:
                    held = await self._run(matched[0], ctx)
                    record.status = held.status
                    record.response = held.text if held.text is not None else held.body
                    fake._request_completed(record)
                    await asyncio.sleep(forced.hold)
                    return build_response(held)
                if forced.apply and matched is not None:
                    with contextlib.suppress(DiscordError):
                        await self._run(matched[0], ctx)
                if forced.drop:
                    record.dropped = True
                    _drop_connection(request, reset=forced.reset)
                    fake._request_completed(record)
                    return web.Response(status=500)
                reply = Reply(forced.status, forced.json, dict(forced.headers), forced.text)
            elif matched is None:
                _log.warning("fake discord: unhandled route %s %s", request.method, request.path_qs)
                fake.unhandled.append(record)
                reply = Reply(404, {"message": "404: Not Found", "code": 0})
            else:
                reply = await self._run(matched[0], ctx)
        except DiscordError as exc:
            reply = Reply(exc.status, exc.body())
        record.status = reply.status
        record.response = reply.text if reply.text is not None else reply.body
        fake._request_completed(record)
        return build_response(reply)

    async def _run(self, route: Route, ctx: RestContext) -> Reply:
        header = ctx.request.headers.get("Authorization", "")
        if route.auth and header.startswith("Bearer "):
            if route.bearer is None:
                raise DiscordError(401, 0, "401: Unauthorized")
            return await route.bearer(ctx)
        if route.auth:
            token = header[4:] if header.startswith("Bot ") else None
            if not self.fake.check_token(token):
                raise DiscordError(401, 0, "401: Unauthorized")
        return await route.handler(ctx)

    # -- gateway / identity -------------------------------------------------------------

    async def get_gateway(self, ctx: RestContext) -> Reply:
        return ok({"url": self.fake.gateway_url})

    async def get_gateway_bot(self, ctx: RestContext) -> Reply:
        return ok(
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000 - self.fake.identify_count,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_me(self, ctx: RestContext) -> Reply:
        return ok(self.fake.bot_user_payload())

    def _oauth_user(self, user_id: int) -> JsonObject:
        user = self.fake.users[user_id]
        return {**user.to_payload(), "locale": "en-US", "mfa_enabled": False, "premium_type": 0}

    async def get_my_guilds(self, ctx: RestContext) -> Reply:
        """The bot's own guilds (``GET /users/@me/guilds`` with the bot token)."""
        entries = self.fake.user_guild_entries(self.fake.bot_user.id)
        after = int(ctx.query.get("after", "0"))
        limit = min(int(ctx.query.get("limit", "200")), 200)
        return ok([e for e in entries if int(e["id"]) > after][:limit])

    async def get_user(self, ctx: RestContext) -> Reply:
        user = self.fake.users.get(ctx.snowflake("user_id"))
        if user is None:
            raise not_found(10013, "User")
        return ok(user.to_payload())

    async def get_application(self, ctx: RestContext) -> Reply:
        fake = self.fake
        return ok(
            {
                "id": str(fake.application_id),
                "name": fake.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": fake.application_flags,
                "owner": fake.owner.to_payload(),
                "team": None,
                "bot": fake.bot_user.to_payload(),
                "rpc_origins": [],
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": len(fake.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    # -- application commands -----------------------------------------------------------

    def _command_scope(self, ctx: RestContext) -> int | None:
        if ctx.snowflake("app") != self.fake.application_id:
            raise DiscordError(
                403, 20012, "You are not authorized to perform this action on this application"
            )
        if "guild_id" not in ctx.params:
            return None
        guild_id = ctx.snowflake("guild_id")
        if guild_id not in self.fake.guilds:
            raise MISSING_ACCESS
        return guild_id

    async def list_commands(self, ctx: RestContext) -> Reply:
        scope = self.fake.command_store.scope(self._command_scope(ctx))
        return ok(list(scope.values()))

    async def bulk_overwrite_commands(self, ctx: RestContext) -> Reply:
        guild_id = self._command_scope(ctx)
        body = ctx.body
        if not isinstance(body, list):
            raise DiscordError(400, 50035, "Invalid Form Body")
        return ok(self.fake.command_store.bulk_overwrite(guild_id, body))

    async def create_command(self, ctx: RestContext) -> Reply:
        guild_id = self._command_scope(ctx)
        command = self.fake.command_store.upsert(guild_id, ctx.json_object)
        return Reply(201, command)

    def _existing_command(self, ctx: RestContext) -> tuple[int | None, int, JsonObject]:
        guild_id = self._command_scope(ctx)
        command_id = ctx.snowflake("command_id")
        command = self.fake.command_store.scope(guild_id).get(command_id)
        if command is None:
            raise not_found(10063, "application command")
        return guild_id, command_id, command

    async def get_command(self, ctx: RestContext) -> Reply:
        return ok(self._existing_command(ctx)[2])

    async def edit_command(self, ctx: RestContext) -> Reply:
        guild_id, command_id, _ = self._existing_command(ctx)
        return ok(self.fake.command_store.edit(guild_id, command_id, ctx.json_object))

    async def delete_command(self, ctx: RestContext) -> Reply:
        guild_id, command_id, _ = self._existing_command(ctx)
        del self.fake.command_store.scope(guild_id)[command_id]
        return no_content()

    # -- guilds -------------------------------------------------------------------------

    def _guild(self, ctx: RestContext) -> int:
        guild_id = ctx.snowflake("guild_id")
        if guild_id not in self.fake.guilds:
            raise not_found(10004, "Guild")
        return guild_id

    async def get_guild(self, ctx: RestContext) -> Reply:
        guild = self.fake.guilds[self._guild(ctx)]
        payload = guild.to_payload()
        if not ctx.flag("with_counts"):
            payload.pop("approximate_member_count")
            payload.pop("approximate_presence_count")
        return ok(payload)

    async def get_guild_channels(self, ctx: RestContext) -> Reply:
        guild = self.fake.guilds[self._guild(ctx)]
        channels = self.fake.guild_channels(guild, threads=False)
        return ok([self.fake.channel_payload(c) for c in channels])

    async def get_guild_roles(self, ctx: RestContext) -> Reply:
        guild = self.fake.guilds[self._guild(ctx)]
        return ok([r.to_payload() for r in guild.roles.values()])

    async def list_guild_members(self, ctx: RestContext) -> Reply:
        guild = self.fake.guilds[self._guild(ctx)]
        limit = int(ctx.query.get("limit", "1"))
        after = int(ctx.query.get("after", "0"))
        members = sorted(
            (m for m in guild.members.values() if m.user.id > after), key=lambda m: m.user.id
        )
        return ok([m.to_payload() for m in members[:limit]])

    async def get_guild_member(self, ctx: RestContext) -> Reply:
        guild = self.fake.guilds[self._guild(ctx)]
        member = guild.members.get(ctx.snowflake("user_id"))
        if member is None:
            raise not_found(10007, "Member")
        return ok(member.to_payload())


def _drop_connection(request: web.Request, *, reset: bool) -> None:
    """Close the client's TCP connection without answering (RST when ``reset``)."""
    transport = request.transport
    if transport is None:
        return
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
