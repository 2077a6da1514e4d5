"""The fake Discord gateway: a JSON websocket speaking Discord's gateway protocol (v10).

It sends HELLO, answers heartbeats, handles IDENTIFY (READY + one GUILD_CREATE per guild),
RESUME (RESUMED, or INVALID_SESSION when told to), REQUEST_GUILD_MEMBERS, supports
sharded connections, and dispatches injected events with increasing sequence numbers.
Frames are plain TEXT: discord.py only decompresses binary frames, so the ``compress``
query parameter it sends can be ignored.
"""

# Waiting helpers take a ``timeout`` argument on purpose: it is the API tests use.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import WSMsgType, web

from ._records import JsonObject, Notifier

_log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11


class GatewayHost(Protocol):
    """What the gateway needs from the server that owns the world state."""

    notifier: Notifier

    def check_token(self, token: str | None) -> bool: ...

    def ready_payload(self, session: GatewaySession) -> JsonObject: ...

    def guild_create_payloads(self, session: GatewaySession) -> list[JsonObject]: ...

    def member_chunk_payloads(self, request: JsonObject) -> list[JsonObject]: ...


@dataclass
class GatewaySession:
    """A gateway session (survives reconnects until invalidated)."""

    session_id: str
    shard: tuple[int, int] | None
    intents: int
    identify: JsonObject
    seq: int = 0
    invalidated: bool = False

    def owns_guild(self, guild_id: int | None) -> bool:
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % shard_count == shard_id


@dataclass
class GatewayConnection:
    """One websocket connection from the client."""

    ws: web.WebSocketResponse
    request: web.Request
    session: GatewaySession | None = None
    live: bool = False
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class FakeGateway:
    """Serves ``/gateway`` websocket connections for one :class:`FakeDiscord`."""

    def __init__(self, host: GatewayHost, *, heartbeat_interval_ms: int = 41250) -> None:
        self.host = host
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.connections: list[GatewayConnection] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.received: list[JsonObject] = []
        """Every payload the client sent, in order."""
        self.sent: list[JsonObject] = []
        """Every payload sent to the client, in order."""
        self.connect_count = 0
        self.identify_count = 0
        self.ready_times: list[float] = []
        """``time.monotonic()`` as each READY was about to be sent (comparable to requests)."""
        self.resume_count = 0
        self.invalidate_next_resume = False
        self._pending: list[tuple[str, JsonObject, int | None, int | None]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    # -- websocket handling -------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True, timeout=2.0)
        await ws.prepare(request)
        conn = GatewayConnection(ws=ws, request=request)
        self.connections.append(conn)
        self.connect_count += 1
        self._changed()
        try:
            await self._send(
                conn, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
            )
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                self.received.append(payload)
                self._changed()
                await self._on_payload(conn, payload)
        except (ConnectionResetError, RuntimeError) as exc:
            _log.debug("gateway connection ended: %r", exc)
        finally:
            conn.live = False
            if conn in self.connections:
                self.connections.remove(conn)
            self._changed()
        return ws

    async def _on_payload(self, conn: GatewayConnection, payload: JsonObject) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == OP_HEARTBEAT:
            await self._send(conn, {"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data or {})
        elif op == OP_RESUME:
            await self._resume(conn, data or {})
        elif op == OP_REQUEST_GUILD_MEMBERS and conn.session is not None:
            for chunk in self.host.member_chunk_payloads(data or {}):
                await self._dispatch_on(conn, "GUILD_MEMBERS_CHUNK", chunk)
        elif op == OP_PRESENCE_UPDATE:
            pass
        else:
            _log.info("fake gateway ignoring op %s", op)

    async def _identify(self, conn: GatewayConnection, data: JsonObject) -> None:
        self.identify_count += 1
        if not self.host.check_token(data.get("token")):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard = data.get("shard")
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            shard=(int(shard[0]), int(shard[1])) if shard else None,
            intents=int(data.get("intents", 0)),
            identify=data,
        )
        self.sessions[session.session_id] = session
        conn.session = session
        self.ready_times.append(time.monotonic())
        await self._dispatch_on(conn, "READY", self.host.ready_payload(session))
        for guild in self.host.guild_create_payloads(session):
            await self._dispatch_on(conn, "GUILD_CREATE", guild)
        conn.live = True
        self._changed()

    async def _resume(self, conn: GatewayConnection, data: JsonObject) -> None:
        self.resume_count += 1
        session = self.sessions.get(str(data.get("session_id")))
        if (
            session is None
            or session.invalidated
            or self.invalidate_next_resume
            or not self.host.check_token(data.get("token"))
        ):
            self.invalidate_next_resume = False
            if session is not None:
                session.invalidated = True
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False})
            return
        for other in self.connections:
            if other is not conn and other.session is session:
                other.live = False
        conn.session = session
        await self._dispatch_on(conn, "RESUMED", {"_trace": ["fake-discord"]})
        conn.live = True
        self._changed()

    # -- sending ------------------------------------------------------------------------

    async def _send(self, conn: GatewayConnection, payload: JsonObject) -> None:
        async with conn.send_lock:
            if conn.ws.closed:
                raise ConnectionResetError("gateway websocket is closed")
            self.sent.append(payload)
            await conn.ws.send_str(json.dumps(payload))

    async def _dispatch_on(self, conn: GatewayConnection, event: str, data: JsonObject) -> int:
        assert conn.session is not None
        async with conn.send_lock:
            if conn.ws.closed:
                raise ConnectionResetError("gateway websocket is closed")
            conn.session.seq += 1
            payload = {"op": OP_DISPATCH, "t": event, "s": conn.session.seq, "d": data}
            self.sent.append(payload)
            await conn.ws.send_str(json.dumps(payload))
            return conn.session.seq

    def live_connection(self, guild_id: int | None = None) -> GatewayConnection | None:
        for conn in self.connections:
            if conn.live and conn.session is not None and conn.session.owns_guild(guild_id):
                return conn
        return None

    async def wait_live(
        self, guild_id: int | None = None, timeout: float = 5.0
    ) -> GatewayConnection:
        """Wait until a live (READY/RESUMED) connection for ``guild_id``'s shard exists."""
        conn = await self.host.notifier.wait_until(
            lambda: self.live_connection(guild_id), timeout, "a live gateway connection"
        )
        assert isinstance(conn, GatewayConnection)
        return conn

    async def dispatch(
        self, event: str, data: JsonObject, *, guild_id: int | None = None, timeout: float = 5.0
    ) -> int:
        """Send a DISPATCH to the shard owning ``guild_id``; returns its sequence number.

        Waits (up to ``timeout``) for a live connection, so events injected while the bot
        is reconnecting are delivered once it has resumed.
        """
        await self.flush()
        conn = await self.wait_live(guild_id, timeout)
        return await self._dispatch_on(conn, event, data)

    def dispatch_soon(
        self,
        event: str,
        data: JsonObject,
        *,
        guild_id: int | None = None,
        intent: int | None = None,
    ) -> None:
        """Queue an event for the live connection (used for world changes); never waits.

        Dropped when nothing is connected (a later IDENTIFY gets the whole world anyway)
        or when the session did not ask for ``intent``.  Queued events are always sent
        before anything passed to :meth:`dispatch` afterwards.
        """
        if self.live_connection(guild_id) is None:
            return
        self._pending.append((event, data, guild_id, intent))
        task = asyncio.get_running_loop().create_task(self.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Send every queued world-change event now."""
        while self._pending:
            event, data, guild_id, intent = self._pending.pop(0)
            conn = self.live_connection(guild_id)
            if conn is None or conn.session is None:
                continue
            if intent is not None and not conn.session.intents & intent:
                continue
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await self._dispatch_on(conn, event, data)

    # -- fault injection ----------------------------------------------------------------

    async def drop(self, code: int | None = 4000, *, invalidate_session: bool = False) -> int:
        """Close every live connection (``code=None``: abort the TCP connection instead).

        With ``invalidate_session`` the client's next RESUME gets INVALID_SESSION, so it
        has to IDENTIFY again.  Returns how many connections were dropped.
        """
        if invalidate_session:
            self.invalidate_next_resume = True
        dropped = 0
        for conn in list(self.connections):
            conn.live = False
            dropped += 1
            if code is None:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                with contextlib.suppress(ConnectionResetError, RuntimeError):
                    await conn.ws.close(code=code, message=b"fake-discord drop")
        self._changed()
        return dropped

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT to every connection (the client should resume)."""
        for conn in list(self.connections):
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await self._send(conn, {"op": OP_RECONNECT, "d": None})

    async def close_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for conn in list(self.connections):
            conn.live = False
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await conn.ws.close(code=1001, message=b"fake-discord shutting down")

    def _changed(self) -> None:
        self.host.notifier.notify()
