"""Interaction injection half of ``FakeDiscord``: build and dispatch INTERACTION_CREATE.

Slash commands (with subcommands, typed options and ``resolved`` data), autocomplete,
component presses and modal submits, in a guild channel (``member`` with permissions,
``app_permissions``) or a DM (``user``, no ``guild_id``).  Each call uses a fresh id and
token and returns an ``InjectedInteraction`` that collects the bot's responses.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

from ._channels import DM, GUILD_TEXT
from ._components import find_component
from ._gateway import FakeGateway
from ._interactions import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE,
    CHANNEL,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    ROLE,
    USER,
    InjectedInteraction,
    build_command_data,
)
from ._models import (
    FakeGuild,
    FakeMember,
    FakeUser,
    compute_permissions,
    new_snowflake,
)
from ._records import JsonObject, Notifier
from ._store import CommandStore, MessageStore
from ._world_surfaces import SurfaceWorld


class InteractionInjector(SurfaceWorld):
    """Adds ``inject_*`` methods; FakeDiscord provides the attributes declared here."""

    gateway: FakeGateway
    notifier: Notifier
    messages: MessageStore
    command_store: CommandStore
    interactions: dict[int, InjectedInteraction]
    _interactions_by_token: dict[str, InjectedInteraction]

    def resolve_option(
        self, guild_id: int | None, invoker_id: int, option_type: int, obj_id: int
    ) -> tuple[str, JsonObject] | None:
        """Build the ``resolved`` entry for a user/member/channel/role option value."""
        if option_type == CHANNEL and obj_id in self.channels:
            channel = self.channels[obj_id]
            return "channels", {
                **self.channel_payload(channel),
                "permissions": str(self.permissions_for(invoker_id, obj_id)),
            }
        if option_type == USER and obj_id in self.users:
            return "users", self.users[obj_id].to_payload()
        if option_type == -USER and guild_id is not None:
            member = self.guilds[guild_id].members.get(obj_id)
            if member is None:
                return None
            perms = compute_permissions(self.guilds[guild_id], obj_id, None)
            return "members", {**member.to_payload(with_user=False), "permissions": str(perms)}
        if option_type == ROLE and guild_id is not None:
            role = self.guilds[guild_id].roles.get(obj_id)
            return ("roles", role.to_payload()) if role is not None else None
        return None

    def interaction_context(
        self, *, guild_id: int | None, channel_id: int, user_id: int
    ) -> JsonObject:
        """The location/actor fields shared by every INTERACTION_CREATE payload."""
        channel = self.channels[channel_id]
        base: JsonObject = {
            "application_id": str(self.application_id),
            "channel_id": str(channel_id),
            "channel": self.channel_payload(channel),
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 26214400,
            "app_permissions": str(self.bot_permissions(channel_id)),
        }
        if guild_id is None:
            base["user"] = self.users[user_id].to_payload()
            base["context"] = 1
            base["authorizing_integration_owners"] = {"0": "0"}
            return base
        guild = self.guilds[guild_id]
        member = guild.members.get(user_id) or self.add_member(guild_id, user_id)
        perms = self.permissions_for(user_id, channel_id)
        base.update(
            guild_id=str(guild_id),
            guild={"id": str(guild_id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            member={**member.to_payload(), "permissions": str(perms)},
            context=0,
            authorizing_integration_owners={"0": str(guild_id)},
        )
        base["channel"]["permissions"] = str(perms)
        return base

    def _first_human(self, guild: FakeGuild | None) -> FakeUser:
        pool = (
            list(guild.members.values())
            if guild
            else [FakeMember(user=u) for u in self.users.values()]
        )
        for member in pool:
            if not member.user.bot and member.user.id != (
                guild.owner_id if guild else self.owner.id
            ):
                return member.user
        if guild is not None:
            return self.add_member(guild.id, username="test-user").user
        return self.add_user("test-user")

    def _where(
        self, guild_id: int | None, channel_id: int | None, user_id: int | None, dm: bool
    ) -> tuple[int | None, int, int]:
        if dm:
            uid = user_id if user_id is not None else self._first_human(None).id
            return None, self.dm_channel(uid).id, uid
        if channel_id is not None and guild_id is None:
            guild_id = self.channels[channel_id].guild_id
        if guild_id is None:
            if not self.guilds:
                raise RuntimeError("no guilds: call add_guild() first or pass dm=True")
            guild_id = next(iter(self.guilds))
        guild = self.guilds[guild_id]
        if channel_id is None:
            text = [c for c in guild.channel_ids if self.channels[c].type == GUILD_TEXT]
            channel_id = text[0] if text else self.add_text_channel(guild_id).id
        uid = user_id if user_id is not None else self._first_human(guild).id
        return guild_id, channel_id, uid

    async def _inject(
        self,
        interaction_type: int,
        data: JsonObject,
        where: tuple[int | None, int, int],
        *,
        message: JsonObject | None = None,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        guild_id, channel_id, user_id = where
        interaction_id = new_snowflake()
        token = "fake-" + secrets.token_urlsafe(32)
        payload: JsonObject = {
            **self.interaction_context(guild_id=guild_id, channel_id=channel_id, user_id=user_id),
            "id": str(interaction_id),
            "type": interaction_type,
            "token": token,
            "data": data,
            "locale": locale,
        }
        if message is not None:
            payload["message"] = message
        inter = InjectedInteraction(
            id=interaction_id,
            token=token,
            type=interaction_type,
            payload=payload,
            channel_id=channel_id,
            guild_id=guild_id,
            user_id=user_id,
            notifier=self.notifier,
            source_message_id=int(message["id"]) if message is not None else None,
        )
        self.interactions[interaction_id] = inter
        self._interactions_by_token[token] = inter
        await self.gateway.wait_live(guild_id)
        inter.dispatched_at = time.monotonic()
        inter.seq = await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return inter

    async def inject_interaction(
        self,
        interaction_type: int,
        data: JsonObject,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        dm: bool = False,
        message_id: int | None = None,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Dispatch an INTERACTION_CREATE with a hand-built ``data`` (e.g. context menus)."""
        message = self.messages.messages.get(message_id) if message_id is not None else None
        where = self._where(guild_id, channel_id, user_id, dm)
        return await self._inject(interaction_type, data, where, message=message, locale=locale)

    async def inject_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
        subcommand_group: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Invoke ``/name [group] [sub] options...`` as a user, in a guild channel or a DM.

        Option types come from the registered command (after ``tree.sync()``); otherwise
        they are inferred from the Python value (wrap in ``CommandOption`` to force one).
        """
        where = self._where(guild_id, channel_id, user_id, dm)
        return await self._command_interaction(
            APPLICATION_COMMAND, name, options, subcommand, subcommand_group, where, locale, None
        )

    async def inject_autocomplete(
        self,
        name: str,
        focused: str,
        value: Any = "",
        options: Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
        subcommand_group: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Autocomplete for option ``focused`` with partial ``value``; see ``autocomplete_choices``."""
        where = self._where(guild_id, channel_id, user_id, dm)
        return await self._command_interaction(
            APPLICATION_COMMAND_AUTOCOMPLETE,
            name,
            options,
            subcommand,
            subcommand_group,
            where,
            locale,
            (focused, value),
        )

    async def _command_interaction(
        self,
        interaction_type: int,
        name: str,
        options: Mapping[str, Any] | None,
        subcommand: str | None,
        subcommand_group: str | None,
        where: tuple[int | None, int, int],
        locale: str,
        focused: tuple[str, Any] | None,
    ) -> InjectedInteraction:
        guild_id, _, user_id = where
        command = self.command_store.find(name, guild_id)
        data = build_command_data(
            name=name,
            command=command,
            command_id=int(command["id"]) if command is not None else new_snowflake(),
            options=options,
            subcommand=subcommand,
            subcommand_group=subcommand_group,
            resolver=lambda t, i: self.resolve_option(guild_id, user_id, t, i),
            focused=focused,
        )
        return await self._inject(interaction_type, data, where, locale=locale)

    async def inject_component(
        self,
        message_id: int,
        custom_id: str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        user_id: int | None = None,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Press a button (or choose select ``values``) on a message the bot sent.

        Only what a Discord client can click: a component on that message (``LookupError``
        otherwise) and, for a string select, values among its options.
        """
        message = self.messages.messages.get(message_id)
        if message is None:
            raise KeyError(f"unknown message {message_id}")
        find_component(message, custom_id, values)
        channel = self.channels[int(message["channel_id"])]
        data: JsonObject = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        if channel.type == DM:
            where = self._where(None, None, user_id or channel.recipient_id, True)
        else:
            where = self._where(channel.guild_id, channel.id, user_id, False)
        return await self._inject(MESSAGE_COMPONENT, data, where, message=message, locale=locale)

    async def inject_modal_submit(
        self,
        custom_id: str,
        values: Mapping[str, str],
        *,
        message_id: int | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        user_id: int | None = None,
        dm: bool = False,
    ) -> InjectedInteraction:
        """Submit a modal: ``values`` maps each text input's custom_id to its value."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()
        ]
        data: JsonObject = {"custom_id": custom_id, "components": rows}
        message = self.messages.messages.get(message_id) if message_id is not None else None
        where = self._where(guild_id, channel_id, user_id, dm)
        return await self._inject(MODAL_SUBMIT, data, where, message=message)
