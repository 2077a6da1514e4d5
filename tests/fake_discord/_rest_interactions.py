"""Fake Discord REST routes for interaction callbacks, followups and ``@original`` edits.

Callbacks (types 1/4/5/6/7/8/9, with Discord's 3-second deadline and 40060 "already
acknowledged"; 6/7 on a component of an ephemeral message update that message, which only its
recipient sees, so no gateway event tells anyone), followup webhooks and webhook-message get/edit/delete are attached to the
``InjectedInteraction`` they belong to; the messages they create go through
``MessageRoutes.post_message`` (so their pings are recorded too; the edit that fills in a
deferred response records its pings then).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal

from ._http import DiscordError, Reply, RestContext, Router, no_content, ok, validate_message_body
from ._interactions import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    PING,
    InjectedInteraction,
)
from ._records import EPHEMERAL_FLAG, LOADING_FLAG, InteractionResponseRecord, JsonObject
from ._rest_messages import UNKNOWN_MESSAGE

if TYPE_CHECKING:
    from ._rest_messages import MessageRoutes
    from .server import FakeDiscord

UNKNOWN_INTERACTION = DiscordError(404, 10062, "Unknown interaction")
UNKNOWN_WEBHOOK = DiscordError(404, 10015, "Unknown Webhook")
ALREADY_ACKNOWLEDGED = DiscordError(400, 40060, "Interaction has already been acknowledged.")


class InteractionRoutes:
    """Handlers for ``/interactions/...`` and ``/webhooks/{app}/{token}...``."""

    def __init__(self, fake: FakeDiscord, messages: MessageRoutes) -> None:
        self.fake = fake
        self.messages = messages

    def register(self, r: Router) -> None:
        r.add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, auth=False)
        r.add("POST", "/webhooks/{app}/{token}", self.followup, auth=False)
        webhook_message = "/webhooks/{app}/{token}/messages/{message_id}"
        r.add("GET", webhook_message, self.get_webhook_message, auth=False)
        r.add("PATCH", webhook_message, self.edit_webhook_message, auth=False)
        r.add("DELETE", webhook_message, self.delete_webhook_message, auth=False)

    def _interaction_message(
        self, inter: InjectedInteraction, body: JsonObject, ctx: RestContext
    ) -> JsonObject:
        user = self.fake.users[inter.user_id]
        flags = int(body.get("flags") or 0)
        metadata: JsonObject = {
            "id": str(inter.id),
            "type": inter.type,
            "user": user.to_payload(),
            "authorizing_integration_owners": inter.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if inter.original_message_id is not None:
            metadata["original_response_message_id"] = str(inter.original_message_id)
        first = inter.type == APPLICATION_COMMAND and inter.original_message_id is None
        return self.messages.post_message(
            self.fake.channels[inter.channel_id],
            {**body, "flags": flags & ~LOADING_FLAG},
            ctx.files,
            extra={
                "type": 20 if first else 0,
                "webhook_id": str(self.fake.application_id),
                "application_id": str(self.fake.application_id),
                "interaction_metadata": metadata,
                "flags": flags & (EPHEMERAL_FLAG | LOADING_FLAG),
            },
            in_history=not flags & EPHEMERAL_FLAG,
        )

    async def callback(self, ctx: RestContext) -> Reply:
        inter = self.fake.interactions.get(ctx.snowflake("interaction_id"))
        if inter is None or inter.token != ctx.params["token"]:
            raise UNKNOWN_INTERACTION
        if inter.acknowledged:
            raise ALREADY_ACKNOWLEDGED
        deadline = self.fake.initial_response_timeout
        sent = inter.dispatched_at
        if deadline is not None and sent is not None and time.monotonic() - sent > deadline:
            raise UNKNOWN_INTERACTION
        body = ctx.json_object
        callback_type = int(body.get("type", 0))
        data = body.get("data") or {}
        message: JsonObject | None = None
        if callback_type == 1 and inter.type != PING:
            raise DiscordError(400, 50035, "Invalid Form Body")
        if callback_type in (4, 5):
            if callback_type == 4:
                validate_message_body(data, ctx.files, creating=True)
                msg_body = data
            else:
                msg_body = {"flags": (int(data.get("flags") or 0) & EPHEMERAL_FLAG) | LOADING_FLAG}
            message = self._interaction_message(inter, msg_body, ctx)
            inter.original_message_id = int(message["id"])
        elif callback_type in (6, 7):
            if inter.source_message_id is None:
                raise DiscordError(
                    400, 40043, "This interaction type does not support this response type"
                )
            inter.original_message_id = inter.source_message_id
            if callback_type == 7:
                validate_message_body(data, ctx.files, creating=False)
                message = self.fake.messages.edit(inter.source_message_id, data, ctx.files)
                if not int(message.get("flags", 0)) & EPHEMERAL_FLAG:  # no events for those
                    self.fake._message_event("MESSAGE_UPDATE", message)
        elif callback_type == 8 and inter.type != APPLICATION_COMMAND_AUTOCOMPLETE:
            raise DiscordError(
                400, 40043, "This interaction type does not support this response type"
            )
        elif callback_type not in (1, 8, 9):
            raise DiscordError(400, 50035, "Invalid Form Body")
        self._record(inter, "callback", body, message, callback_type=callback_type)
        if not ctx.flag("with_response"):
            return no_content()
        flags = int((message or {}).get("flags", 0))
        payload: JsonObject = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.type,
                "activity_instance_id": None,
                "response_message_id": _opt_str(inter.original_message_id),
                "response_message_loading": callback_type == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL_FLAG),
            }
        }
        if message is not None:
            payload["resource"] = {"type": callback_type, "message": message}
        elif callback_type == 9:
            payload["resource"] = {"type": callback_type}
        return ok(payload)

    def _record(
        self,
        inter: InjectedInteraction,
        kind: Literal["callback", "followup", "edit", "delete"],
        body: JsonObject,
        message: JsonObject | None,
        *,
        callback_type: int | None = None,
        message_id: int | None = None,
    ) -> None:
        if message_id is None and message is not None:
            message_id = int(message["id"])
        inter.responses.append(
            InteractionResponseRecord(
                kind=kind,
                interaction_id=inter.id,
                body=body,
                callback_type=callback_type,
                message_id=message_id,
                message=message,
            )
        )
        self.fake.notifier.notify()

    def _webhook_interaction(self, ctx: RestContext) -> InjectedInteraction:
        inter = self.fake.interaction_by_token(ctx.params["token"])
        if (
            inter is None
            or ctx.params["app"] != str(self.fake.application_id)
            or not inter.acknowledged
        ):
            raise UNKNOWN_WEBHOOK
        return inter

    def _webhook_message_id(self, ctx: RestContext, inter: InjectedInteraction) -> int:
        raw = ctx.params["message_id"]
        if raw == "@original":
            if inter.original_message_id is None:
                raise UNKNOWN_MESSAGE
            return inter.original_message_id
        message_id = ctx.snowflake("message_id")
        owned = {r.message_id for r in inter.responses} | {inter.original_message_id}
        if message_id not in owned:
            raise UNKNOWN_MESSAGE
        return message_id

    async def followup(self, ctx: RestContext) -> Reply:
        inter = self._webhook_interaction(ctx)
        body = ctx.json_object
        validate_message_body(body, ctx.files, creating=True)
        message = self._interaction_message(inter, body, ctx)
        self._record(inter, "followup", body, message)
        return ok(message) if ctx.flag("wait") else no_content()

    async def get_webhook_message(self, ctx: RestContext) -> Reply:
        inter = self._webhook_interaction(ctx)
        message = self.fake.messages.messages.get(self._webhook_message_id(ctx, inter))
        if message is None:
            raise UNKNOWN_MESSAGE
        return ok(message)

    async def edit_webhook_message(self, ctx: RestContext) -> Reply:
        inter = self._webhook_interaction(ctx)
        message_id = self._webhook_message_id(ctx, inter)
        if message_id not in self.fake.messages.messages:
            raise UNKNOWN_MESSAGE
        body = ctx.json_object
        validate_message_body(body, ctx.files, creating=False)
        # Edits never ping, except the one that turns a deferred "thinking" message into
        # the real response: that is when Discord delivers its mentions.
        loading = int(self.fake.messages.messages[message_id].get("flags", 0)) & LOADING_FLAG
        channel = self.fake.channels[inter.channel_id]
        pings = self.messages.pings_for(channel, body) if loading else None
        message = self.fake.messages.edit(message_id, body, ctx.files)
        message["flags"] = int(message.get("flags", 0)) & ~LOADING_FLAG
        if pings is not None:
            self.messages.store_pings(message, pings)
        self._record(inter, "edit", body, message)
        if not message["flags"] & EPHEMERAL_FLAG:
            self.fake._message_event("MESSAGE_UPDATE", message)
        return ok(message)

    async def delete_webhook_message(self, ctx: RestContext) -> Reply:
        inter = self._webhook_interaction(ctx)
        message_id = self._webhook_message_id(ctx, inter)
        message = self.fake.messages.delete(message_id)
        if message is None:
            raise UNKNOWN_MESSAGE
        self._record(inter, "delete", {}, message, message_id=message_id)
        if not int(message.get("flags", 0)) & EPHEMERAL_FLAG:
            self.fake._message_event("MESSAGE_DELETE", message)
        return no_content()


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)
