"""The server pages: the list, one server's schedule and state, its preview and explain.

Each change calls one use case of :mod:`bot.usecases.schedules`, the same ones as
``/briefing setup|disable|preview|explain|status``; a :class:`~bot.usecases.UseCaseError`
is shown next to the field it names and nothing changes.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.channels import ChannelChecker, postable_channels
from bot.parsing import format_time_of_day, timezone_names
from bot.rendering import render_briefing, render_explanation
from bot.usecases import UseCaseError
from bot.usecases import schedules as usecases
from bot.usecases.topics import known_topics
from bot.web.oauth import UserGuild
from bot.web.panel import checked_form, manageable, managed_guild, panel_of, render, signed_in
from bot.web.session import WebSession

routes = web.RouteTableDef()

DONE = {
    "saved": "Saved. The briefing will be posted as shown below.",
    "disabled": "The daily briefing is off. Save the form again to turn it back on.",
    "nothing": "There was no daily briefing to turn off.",
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
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    panel = panel_of(request)
    state = await usecases.status(panel.services, guild.id)
    schedule = state.schedule
    if form is None:
        form = (
            {
                "channel": str(schedule.channel_id),
                "time": format_time_of_day(schedule.post_time),
                "timezone": schedule.timezone,
                "topics": ", ".join(schedule.topics),
                "min_quality": f"{schedule.min_quality:g}",
            }
            if schedule is not None
            else {"time": "08:00", "timezone": "UTC", "topics": "", "min_quality": "0"}
        )
    context: dict[str, Any] = {
        "guild": guild,
        "state": state,
        "channels": postable_channels(panel.client, guild.id),
        "form": form,
        "errors": errors or {},
        "done": DONE.get(request.query.get("done", "")),
        "zones": timezone_names(),
        "topics": known_topics(panel.services),
    }
    return render(request, "server.html", session, context, status=status)


@routes.get("/servers/{guild_id}")
async def server(request: web.Request) -> web.Response:
    """One server: its schedule form, next post, last deliveries, store and sources."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    return await _server_page(request, session, guild)


@routes.post("/servers/{guild_id}/schedule")
async def save_schedule(request: web.Request) -> web.Response:
    """Create or replace the schedule (``/briefing setup``)."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    form, nonce = await checked_form(request, session)
    panel = panel_of(request)
    channel = form.get("channel", "")
    try:
        if not channel.isdigit():  # the form's list of channels: nothing chosen
            raise UseCaseError("Choose the channel to post in.", field="channel")
        await usecases.set_up(
            panel.services,
            guild.id,
            channel_id=int(channel),
            time=form.get("time", ""),
            timezone=form.get("timezone", ""),
            topics=form.get("topics"),
            min_quality=form.get("min_quality"),
            configured_by=session.user_id,
            check_channel=ChannelChecker(panel.client),
        )
    except UseCaseError as error:
        panel_of(request).cookies.used_forms.give_back(nonce)
        errors = {error.field or "form": error.message}
        return await _server_page(request, session, guild, form=form, errors=errors, status=400)
    raise web.HTTPSeeOther(f"/servers/{guild.id}?done=saved")


@routes.post("/servers/{guild_id}/schedule/disable")
async def disable_schedule(request: web.Request) -> web.Response:
    """Turn the briefing off (``/briefing disable``)."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    await checked_form(request, session)
    disabled = await usecases.disable(panel_of(request).services, guild.id)
    raise web.HTTPSeeOther(f"/servers/{guild.id}?done={'disabled' if disabled else 'nothing'}")


@routes.get("/servers/{guild_id}/preview")
async def preview(request: web.Request) -> web.Response:
    """The briefing as it would be posted now, drawn like Discord draws it."""
    session = signed_in(request)
    guild = await managed_guild(request, session)
    services = panel_of(request).services
    topic = request.query.get("topic", "").strip() or None
    errors: dict[str, str] = {}
    messages = []
    zone = ZoneInfo("UTC")
    try:
        result = await usecases.preview(services, guild.id, topic=topic)
        zone = result.zone
        messages = render_briefing(result.briefing, heading=result.heading, zone=result.zone)
    except UseCaseError as error:
        errors[error.field or "form"] = error.message
    context = {
        "guild": guild,
        "messages": [_message(m.content, [e.to_dict() for e in m.embeds]) for m in messages],
        "zone": zone,
        "topic": topic or "",
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
    errors: dict[str, str] = {}
    embed = None
    if url:
        try:
            result = await usecases.explain(panel_of(request).services, guild.id, url)
            embed = render_explanation(result).to_dict()
        except UseCaseError as error:
            errors[error.field or "form"] = error.message
    context = {"guild": guild, "url": url, "embed": embed, "errors": errors}
    return render(request, "explain.html", session, context, status=400 if errors else 200)
