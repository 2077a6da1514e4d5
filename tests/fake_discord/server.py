"""``FakeDiscord``: a local Discord (REST ``/api/v10`` + JSON gateway) for end-to-end tests.

The unmodified discord.py client connects to it once ``bot.endpoints.point_discord_at``
has pointed ``Route.BASE`` / ``DEFAULT_GATEWAY`` at ``api_base_url`` / ``gateway_url``.
Tests build a world (guilds, text/announcement/forum channels, threads, roles, members),
inject gateway events such as INTERACTION_CREATE, queue faults (429s, 5xx, dropped
connections, gateway drops) and assert on everything the bot sent, which is recorded:
messages (``messages_in``, ``dms_to``), who each one pinged (``pings``), published
announcements (``published``), threads and forum posts (``threads_in``).  ``oauth``
is an OAuth2 provider (authorize page, token endpoints, Bearer user routes) for a web panel.
"""

# Waiting helpers take a ``timeout`` argument on purpose: it is the API tests use.
# ruff: noqa: ASYNC109

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from ._gateway import FakeGateway
from ._injection import InteractionInjector
from ._interactions import InjectedInteraction
from ._mentions import MentionRecord
from ._oauth import OAuth2Provider
from ._records import (
    ForcedResponse,
    InteractionResponseRecord,
    JsonObject,
    Notifier,
    RecordedRequest,
)
from ._rest import RestApi
from ._store import CommandStore, MessageStore
from ._world import INTENT_DIRECT_MESSAGES, INTENT_GUILD_MESSAGES

_log = logging.getLogger(__name__)

T = TypeVar("T")


class FakeDiscord(InteractionInjector):
    """A fake Discord server on ``127.0.0.1`` (random port); see the module docstring."""

    def __init__(
        self,
        *,
        bot_id: int | None = None,
        bot_name: str = "briefing-bot",
        application_id: int | None = None,
        application_flags: int = 0,
        token: str | None = None,
        shard_count: int = 1,
        heartbeat_interval_ms: int = 41250,
        initial_response_timeout: float | None = 3.0,
    ) -> None:
        """Create the (not yet listening) fake.

        ``token``: if given, REST calls / IDENTIFY with another token get 401 / close 4004.
        ``shard_count``: what ``GET /gateway/bot`` recommends (for ``AutoShardedClient``).
        ``initial_response_timeout``: like Discord, an interaction callback arriving later
        than this many seconds after the dispatch gets 404 10062 (None disables).
        """
        super().__init__(
            bot_id=bot_id,
            bot_name=bot_name,
            application_id=application_id,
            application_flags=application_flags,
        )
        self.token = token
        self.shard_count = shard_count
        self.initial_response_timeout = initial_response_timeout
        self.notifier = Notifier()
        self.messages = MessageStore()
        self.command_store = CommandStore(self.application_id)
        self.interactions: dict[int, InjectedInteraction] = {}
        self._interactions_by_token: dict[str, InjectedInteraction] = {}
        self.requests: list[RecordedRequest] = []
        """Every REST request, in arrival order."""
        self.unhandled: list[RecordedRequest] = []
        """Requests to routes the fake does not implement (answered 404)."""
        self.faults: list[ForcedResponse] = []
        self.oauth = OAuth2Provider(client_id=self.application_id)
        """OAuth2 settings (client secret, redirect URIs, signed-in user) and grants."""
        self.gateway = FakeGateway(self, heartbeat_interval_ms=heartbeat_interval_ms)
        self._rest = RestApi(self)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/oauth2/authorize", self.oauth.authorize)  # on the site, not /api
        app.router.add_route("*", "/{tail:.*}", self._rest.handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        _log.debug("fake discord listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base_url(self) -> str:
        return self.base_url + "/api/v10"

    @property
    def oauth_authorize_url(self) -> str:
        """Where a browser is sent to sign in (discord.com/oauth2/authorize on Discord)."""
        return self.base_url + "/oauth2/authorize"

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway"

    def check_token(self, token: str | None) -> bool:
        return self.token is None or token == self.token

    # -- recording views ----------------------------------------------------------------

    def messages_in(self, channel_id: int) -> list[JsonObject]:
        """Messages currently visible in a channel's history, oldest first."""
        return self.messages.in_channel(channel_id)

    def dms_to(self, user_id: int) -> list[JsonObject]:
        """Messages the bot sent to ``user_id``'s DM channel, oldest first."""
        channel_id = self.dm_channel_id(user_id)
        return [] if channel_id is None else self.messages.in_channel(channel_id)

    def pings(self, message_id: int) -> MentionRecord:
        """Who a message the bot created really pinged (``pinged_users/roles/everyone``)."""
        return self.messages.pings_of(message_id)

    @property
    def published(self) -> list[int]:
        """Ids of announcement messages the bot published (crossposted), in order."""
        return list(self.messages.crossposted)

    def interaction_responses(self, interaction_id: int) -> list[InteractionResponseRecord]:
        """Callback, followups, edits and deletes for one interaction, in order."""
        inter = self.interactions.get(interaction_id)
        return [] if inter is None else list(inter.responses)

    @property
    def commands(self) -> list[JsonObject]:
        """Registered global application commands."""
        return list(self.command_store.global_commands.values())

    def guild_commands(self, guild_id: int) -> list[JsonObject]:
        return list(self.command_store.guild_commands.get(guild_id, {}).values())

    def requests_to(self, method: str, pattern: str) -> list[RecordedRequest]:
        """Completed requests matching ``method`` and a ``/channels/{id}/messages`` style pattern."""
        return [
            r
            for r in self.requests
            if (r.status is not None or r.dropped) and r.matches(method, pattern)
        ]

    def interaction_by_token(self, token: str) -> InjectedInteraction | None:
        return self._interactions_by_token.get(token)

    async def wait_until(self, condition: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``condition()`` is truthy (re-checked on every request/event); return it."""
        result: T = await self.notifier.wait_until(condition, timeout, "condition")
        return result

    async def wait_for(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0, *, since: int = 0
    ) -> RecordedRequest:
        """First completed request (index >= ``since``) satisfying ``predicate``."""

        def find() -> RecordedRequest | None:
            for record in self.requests[since:]:
                if (record.status is not None or record.dropped) and predicate(record):
                    return record
            return None

        result = await self.notifier.wait_until(find, timeout, "a matching request")
        assert isinstance(result, RecordedRequest)
        return result

    async def wait_for_request(
        self, method: str, pattern: str, timeout: float = 5.0, *, since: int = 0
    ) -> RecordedRequest:
        return await self.wait_for(lambda r: r.matches(method, pattern), timeout, since=since)

    def _request_completed(self, record: RecordedRequest) -> None:
        self.notifier.notify()

    # -- fault injection ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path: str,
        *,
        status: int = 500,
        json: Any = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
        apply: bool = False,
        delay: float = 0.0,
    ) -> ForcedResponse:
        """Answer the next ``times`` matching requests with ``status``/``json`` instead.

        ``path`` is like ``/channels/{id}/messages`` (``{...}`` = one segment) or a
        concrete path; ``method`` may be ``*``.  With ``apply`` the request is also
        processed normally first (e.g. the message really is created).
        """
        if json is None and text is None:
            json = {"message": f"{status}: fake-discord forced error", "code": 0}
        rule = ForcedResponse(
            method=method,
            pattern=path,
            status=status,
            json=json,
            text=text,
            headers=dict(headers or {}),
            times=times,
            apply=apply,
            delay=delay,
        )
        self.faults.append(rule)
        return rule

    def rate_limit_next(
        self,
        method: str,
        path: str,
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
        times: int | None = 1,
        bucket: str = "fake-bucket",
    ) -> ForcedResponse:
        """Answer with a 429 carrying Discord's body and ``X-RateLimit-*`` headers."""
        headers = {
            "Retry-After": str(max(1, round(retry_after))),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(
                {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                    "X-RateLimit-Bucket": bucket,
                }
            )
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
        }
        if is_global:
            body["code"] = 0
        return self.fail_next(method, path, status=429, json=body, headers=headers, times=times)

    def drop_next(
        self,
        method: str,
        path: str,
        *,
        times: int | None = 1,
        apply: bool = True,
        reset: bool = True,
    ) -> ForcedResponse:
        """Process (if ``apply``) the next matching request, then drop the connection unanswered."""
        rule = ForcedResponse(
            method=method, pattern=path, times=times, drop=True, apply=apply, reset=reset
        )
        self.faults.append(rule)
        return rule

    def hold_next(
        self, method: str, path: str, *, seconds: float, times: int | None = 1
    ) -> ForcedResponse:
        """Handle the next matching request normally but send its answer ``seconds`` later."""
        rule = ForcedResponse(method=method, pattern=path, times=times, hold=seconds)
        self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        self.faults.clear()

    def _take_forced(self, method: str, path: str) -> ForcedResponse | None:
        for rule in self.faults:
            if rule.matches(method, path):
                rule.hits += 1
                if rule.exhausted:
                    self.faults.remove(rule)
                return rule
        return None

    async def drop_gateway(
        self, code: int | None = 4000, *, invalidate_session: bool = False
    ) -> None:
        """Close the bot's websocket(s) so discord.py reconnects (``code=None``: TCP abort)."""
        await self.gateway.drop(code, invalidate_session=invalidate_session)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; discord.py closes and RESUMEs."""
        await self.gateway.send_reconnect()

    async def wait_for_gateway(self, timeout: float = 5.0) -> None:
        """Wait until the bot has a READY/RESUMED gateway connection."""
        await self.gateway.wait_live(None, timeout)

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def connect_count(self) -> int:
        return self.gateway.connect_count

    # -- gateway events -----------------------------------------------------------------

    def _world_event(
        self, event: str, data: JsonObject, guild_id: int | None, intent: int | None = None
    ) -> None:
        self.gateway.dispatch_soon(event, data, guild_id=guild_id, intent=intent)

    def _message_event(self, event: str, message: JsonObject) -> None:
        guild_id = int(message["guild_id"]) if message.get("guild_id") else None
        intent = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
        data = message
        if event == "MESSAGE_DELETE":
            data = {"id": message["id"], "channel_id": message["channel_id"]}
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
        self.gateway.dispatch_soon(event, data, guild_id=guild_id, intent=intent)

    async def inject_event(
        self, event: str, data: JsonObject, *, guild_id: int | None = None
    ) -> int:
        """Dispatch any gateway event; returns its sequence number."""
        return await self.gateway.dispatch(event, data, guild_id=guild_id)

    async def settle(self) -> None:
        """Send any queued world-change events (CHANNEL_UPDATE etc.) now."""
        await self.gateway.flush()
