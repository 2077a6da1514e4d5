"""The server pages: the list, one server's schedules and state, a preview and explain.

A server's page lists its schedules (``/briefing list``) and shows one of them
(``?schedule=<name>``, default the oldest; ``?schedule=`` alone: a blank form to add one) with
its form (``thread`` included), where it goes and what the bot cannot do there (the
warnings of ``/briefing setup`` and ``status``), its role pings (set and cleared with the
``/briefing ping`` use case), state and last deliveries. Each change calls one use case of
:mod:`bot.usecases.schedules` or :mod:`bot.usecases.pings`, the same ones as ``/briefing
setup|edit|disable|ping|preview|explain|status``; a :class:`~bot.usecases.UseCaseError` is
shown next to the field it names and nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.channels import ChannelChecker, postable_channels
from bot.parsing import format_days, format_time_of_day, format_window, timezone_names
from bot.rendering import render_briefing, render_explanation
from bot.roles import RoleChecker
from bot.state.schedules import ChannelSchedule, name_key
from bot.usecases import UseCaseError
from bot.usecases import pings as ping_cases
from bot.usecases import schedules as usecases
from bot.usecases.filters import as_text, changed_filters
from bot.usecases.schedules import ScheduleInput
from bot.usecases.topics import known_topics
from bot.web.discord_view import mention_names, ping_views, pingable_roles, where
from bot.web.markdown import plain_mentions
from bot.web.oauth import UserGuild
from bot.web.panel import checked_form, manageable, managed_guild, panel_of, render, signed_in
from bot.web.session import WebSession
from briefings.filters import Filters

routes = web.RouteTableDef()

DONE = {
    "saved": "Saved. The briefing will be posted as shown below.",
    "disabled": "The briefing is off. Save the form again to turn it back on.",
    "nothing": "There was no briefing to turn off.",
    "pinged": "Saved. The briefing mentions the role when it has news of the topic.",
    "unpinged": "Saved. The briefing no longer mentions a role for that topic.",
}


@routes.get("/servers")
async def servers(request: web.Request) -> web.Response:
    """The servers the user manages and the bot is in."""
    session = signed_in(request)
    guilds = await manageable(request, session, fresh=False)
    return render(request, "servers.html", session, {"guilds": guilds})


async def _server_page(
    request: web.Request,
    session: WebSession,
    guild: UserGuild,
    *,
    form: dict[str, str] | None = None,
    ping_form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    panel = panel_of(request)
    entries = await usecases.list_schedules(panel.services, guild.id)
    wanted = request.query.get("schedule")
    if form is not None:
        wanted = form.get("original", "")
    elif ping_form is not None:
        wanted = ping_form.get("name", "")
    chosen = next(
        (
            e.schedule
            for e in entries
            if wanted is None or name_key(e.schedule.name) == name_key(wanted)
        ),
        None,
    )
    services = panel.services
    if chosen is not None:
        state = await usecases.status(services, guild.id, chosen.name)
    elif entries:  # a blank form to add one: the store and sources only
        state = _blank(await usecases.status(services, guild.id, entries[0].schedule.name))
    else:
        state = await usecases.status(services, guild.id)
    if form is None:
        form = _form_of(chosen)
    client = panel.client
    names = mention_names(client, guild.id)
    chosen_pings = next((e.pings for e in entries if e.schedule == chosen), ())
    context: dict[str, Any] = {
        "guild": guild,
        "state": state,
        "entries": entries,
        "where": {e.schedule.id: where(client, e.schedule) for e in entries},
        "pings": ping_views(client, chosen, chosen_pings) if chosen is not None else [],
        "roles": pingable_roles(client, guild.id),
        "names": names,
        "channels": postable_channels(client, guild.id),
        "form": form,
        "ping_form": ping_form or {},
        # the use cases write for Discord: a channel or role is named, not mentioned, here
        "errors": {key: plain_mentions(text, names) for key, text in (errors or {}).items()},
        "done": DONE.get(request.query.get("done", "")),
        "zones": timezone_names(),
        "topics": known_topics(panel.services),
    }
    return render(request, "server.html", session, context, status=status)


def _blank(state: usecases.ScheduleStatus) -> usecases.ScheduleStatus:
    """The store and sources of ``state`` without its schedule: the page to add one."""
    return replace(state, schedule=None, next_post=None, deliveries=())


def _form_of(schedule: ChannelSchedule | None) -> dict[str, str]:
    if schedule is None:
        return {"time": "08:00", "timezone": "UTC", "topics": "", "min_quality": "0"}
    return {
        "name": schedule.name,
        "channel": str(schedule.channel_id),
        "time": format_time_of_day(schedule.post_time),
        "timezone": schedule.timezone,
        "days": format_days(schedule.days),
        "window": "" if schedule.window is None else format_window(schedule.window),
        "length": str(schedule.length),
        "topics": ", ".join(schedule.topics),
        "min_quality": f"{schedule.min_quality:g}",
        "include": as_text(schedule.filters.include),
        "exclude": as_text(schedule.filters.exclude),
        "outlets": as_text(schedule.filters.outlets),
        "thread": "on" if schedule.thread else "",
    }


def _filters_of(form: Mapping[str, str]) -> Filters | None:
    """The form's filters, replacing the schedule's (None when the form has no filter fields)."""
    if not {"include", "exclude", "outlets"} & set(form):
        return None
    return changed_filters(
        Filters(),
        include=form.get("include", ""),
        exclude=form.get("exclude", ""),
        outlets=form.get("outlets", ""),
    )


@routes.get("/servers/{guild_id}")
async def server(request: web.Request) -> web.Response:
    """One server: its schedule form, next post, last deliveries, store and sources."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    return await _server_page(request, session, guild)


@routes.post("/servers/{guild_id}/schedule")
async def save_schedule(request: web.Request) -> web.Response:
    """Add a schedule (``/briefing setup``) or, when the form names its ``original``, change
    that one (``/briefing edit``)."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    form, nonce = await checked_form(request, session)
    panel = panel_of(request)
    channel = form.get("channel", "")
    original = form.get("original", "").strip()
    try:
        # the form's list of channels: nothing chosen (or a value no list offers)
        if not (channel.isascii() and channel.isdigit()):
            raise UseCaseError("Choose the channel to post in.", field="channel")
        given = ScheduleInput(
            channel_id=int(channel),
            time=form.get("time", ""),
            timezone=form.get("timezone", ""),
            topics=form.get("topics", ""),
            min_quality=form.get("min_quality", ""),
            days=form.get("days", ""),
            name=form.get("name", ""),
            window=form.get("window", ""),
            length=form.get("length", ""),
            thread=form.get("thread") == "on",  # an unticked box is not sent
            filters=_filters_of(form),
        )
        checker = ChannelChecker(panel.client)
        if original:
            done = await usecases.edit(
                panel.services,
                guild.id,
                original,
                given,
                configured_by=session.user_id,
                check_channel=checker,
            )
        else:
            done = await usecases.add(
                panel.services,
                guild.id,
                given,
                configured_by=session.user_id,
                check_channel=checker,
            )
    except UseCaseError as error:
        panel_of(request).cookies.used_forms.give_back(nonce)
        errors = {error.field or "form": error.message}
        return await _server_page(request, session, guild, form=form, errors=errors, status=400)
    name = quote(done.schedule.name)
    raise web.HTTPSeeOther(f"/servers/{guild.id}?schedule={name}&done=saved")


@routes.post("/servers/{guild_id}/schedule/disable")
async def disable_schedule(request: web.Request) -> web.Response:
    """Turn the briefing off (``/briefing disable``)."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    form, _ = await checked_form(request, session)
    name = form.get("name") or None
    try:
        disabled = await usecases.disable(panel_of(request).services, guild.id, name)
    except UseCaseError:
        disabled = None  # gone meanwhile (removed by a command)
    which = quote(disabled.name) if disabled is not None else ""
    done = "disabled" if disabled is not None else "nothing"
    raise web.HTTPSeeOther(f"/servers/{guild.id}?schedule={which}&done={done}")


@routes.post("/servers/{guild_id}/pings")
async def set_ping(request: web.Request) -> web.Response:
    """Mention ``role`` when the briefing ``name`` has news of ``topic``; with ``clear``, stop
    (``/briefing ping topic [role] [name]``)."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    form, nonce = await checked_form(request, session)
    panel = panel_of(request)
    clear = form.get("clear") == "yes"  # a ping's "Stop pinging" button
    role = "" if clear else form.get("role", "").strip()
    try:
        if not clear and not (role.isascii() and role.isdigit()):
            raise UseCaseError("Choose the role to mention.", field="role")
        change = await ping_cases.set_ping(
            panel.services,
            guild.id,
            form.get("topic", ""),
            int(role) if role else None,
            name=form.get("name") or None,
            configured_by=session.user_id,
            check_role=RoleChecker(panel.client),
        )
    except UseCaseError as error:
        panel.cookies.used_forms.give_back(nonce)
        errors = {f"ping_{error.field or 'form'}": error.message}
        return await _server_page(
            request, session, guild, ping_form=form, errors=errors, status=400
        )
    name = quote(change.schedule.name)
    done = "pinged" if change.role_id is not None else "unpinged"
    raise web.HTTPSeeOther(f"/servers/{guild.id}?schedule={name}&done={done}#pings")


@routes.get("/servers/{guild_id}/preview")
async def preview(request: web.Request) -> web.Response:
    """The briefing as it would be posted now, drawn like Discord draws it."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    services = panel_of(request).services
    topic = request.query.get("topic", "").strip() or None
    schedule = request.query.get("schedule", "").strip() or None
    errors: dict[str, str] = {}
    messages = []
    zone = ZoneInfo("UTC")
    mentions: tuple[int, ...] = ()
    try:
        result = await usecases.preview(services, guild.id, topic=topic, name=schedule)
        zone, mentions = result.zone, result.ping_roles
        messages = render_briefing(
            result.briefing, heading=result.heading, zone=result.zone, length=result.length
        )
    except UseCaseError as error:
        errors[error.field or "form"] = error.message
    context = {
        "guild": guild,
        "messages": [_message(m.content, [e.to_dict() for e in m.embeds]) for m in messages],
        "zone": zone,
        "mentions": mentions,
        "names": mention_names(panel_of(request).client, guild.id),
        "topic": topic or "",
        "schedule": schedule or "",
        "errors": errors,
        "topics": [summary.name for summary in services.library.topics],
    }
    return render(request, "preview.html", session, context, status=400 if errors else 200)


def _message(content: str | None, embeds: list[Any]) -> dict[str, Any]:
    return {"content": content or "", "embeds": embeds}


@routes.get("/servers/{guild_id}/explain")
async def explain(request: web.Request) -> web.Response:
    """Paste a link: why the article is or is not in the server's briefing, stage by stage."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    url = request.query.get("url", "")
    schedule = request.query.get("schedule", "").strip() or None
    errors: dict[str, str] = {}
    embed = None
    if url:
        try:
            services = panel_of(request).services
            result = await usecases.explain(services, guild.id, url, name=schedule)
            embed = render_explanation(result).to_dict()
        except UseCaseError as error:
            errors[error.field or "form"] = error.message
    context = {
        "guild": guild,
        "url": url,
        "schedule": schedule or "",
        "embed": embed,
        "errors": errors,
    }
    return render(request, "explain.html", session, context, status=400 if errors else 200)
