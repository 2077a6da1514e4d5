"""The personal page of any signed-in user: their topics, digest time and zone, the digest's
filters, what it learned from their feedback, "forget me".

Each change calls one use case of :mod:`bot.usecases.subscriptions`,
:mod:`bot.usecases.filters` or :mod:`bot.usecases.digest_signals`, the same ones as
``/subscribe``, ``/unsubscribe``, ``/subscriptions`` (``clear_filters``) and its "Reset my
signals" and "Forget me" buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.parsing import format_time_of_day, timezone_names
from bot.signals_text import ranked, signed
from bot.usecases import UseCaseError
from bot.usecases import digest_signals as signal_cases
from bot.usecases import filters as filter_cases
from bot.usecases import subscriptions as usecases
from bot.web.panel import checked_form, panel_of, render, signed_in
from bot.web.session import WebSession
from briefings.personal import WEIGHT_LIMIT, Signals

if TYPE_CHECKING:
    from bot.services import Services

routes = web.RouteTableDef()

DONE = {
    "subscribed": "Subscribed. Your digest arrives by DM when there is news.",
    "unsubscribed": "Unsubscribed.",
    "moved": "Your digest time is changed.",
    "forgotten": "Done: the bot no longer stores anything about you.",
    "nothing": "The bot stored nothing about you.",
    "reset": "Done: your digest forgot what you told it, and follows the usual ranking again.",
    "no-signals": "Your digest had learned nothing, so there was nothing to reset.",
    "cleared": "Done: your digest has no filters now.",
}


async def _me_page(
    request: web.Request,
    session: WebSession,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    services = panel_of(request).services
    settings = await usecases.subscriptions(services, session.user_id)
    if form is None:
        form = (
            {"time": format_time_of_day(settings.post_time), "timezone": settings.timezone}
            if settings is not None
            else {}
        )
    signals = await signal_cases.digest_signals(services, session.user_id)
    context: dict[str, Any] = {
        "settings": settings,
        "signals": signals,
        "learned": _learned(services, signals),
        "weight_limit": WEIGHT_LIMIT,
        "form": form,
        "errors": errors or {},
        "done": DONE.get(request.query.get("done", "")),
        "zones": timezone_names(),
        "topics": [summary.name for summary in services.library.topics],
    }
    return render(request, "me.html", session, context, status=status)


def _learned(services: Services, signals: Signals) -> dict[str, list[tuple[str, str]]]:
    """The signals as the page lists them: topics (by catalog name) and outlets, strongest
    liking first, each with its signed weight."""
    return {
        "topics": [
            (signal_cases.topic_name(services, key), signed(weight))
            for key, weight in ranked(signals.topics)
        ],
        "outlets": [(key, signed(weight)) for key, weight in ranked(signals.outlets)],
    }


@routes.get("/me")
async def me(request: web.Request) -> web.Response:
    """The user's subscriptions and digest settings."""
    session = signed_in(request)
    return await _me_page(request, session)


async def _change(request: web.Request, action: str) -> web.Response:
    session = signed_in(request)
    form, nonce = await checked_form(request, session)
    services = panel_of(request).services
    try:
        if action == "subscribe":
            await usecases.subscribe(services, session.user_id, form.get("topic", ""))
            done = "subscribed"
        elif action == "unsubscribe":
            await usecases.unsubscribe(services, session.user_id, form.get("topic", ""))
            done = "unsubscribed"
        elif action == "digest":
            await usecases.change_digest_time(
                services,
                session.user_id,
                time=form.get("time", ""),
                timezone=form.get("timezone", ""),
            )
            done = "moved"
        elif action == "signals":
            reset = await signal_cases.reset_signals(services, session.user_id)
            done = "reset" if reset else "no-signals"
        elif action == "filters":
            if not await filter_cases.clear_digest_filters(services, session.user_id):
                raise UseCaseError("You follow no topic, so your digest has no filters.")
            done = "cleared"
        else:
            if form.get("confirm") != "yes":
                raise UseCaseError(
                    "Tick the box to confirm: this cannot be undone.", field="confirm"
                )
            done = "forgotten" if await usecases.forget_me(services, session.user_id) else "nothing"
    except UseCaseError as error:
        panel_of(request).cookies.used_forms.give_back(nonce)
        errors = {error.field or "form": error.message}
        return await _me_page(request, session, form=form, errors=errors, status=400)
    raise web.HTTPSeeOther(f"/me?done={done}")


@routes.post("/me/subscribe")
async def subscribe(request: web.Request) -> web.Response:
    """Follow a topic (``/subscribe``)."""
    return await _change(request, "subscribe")


@routes.post("/me/unsubscribe")
async def unsubscribe(request: web.Request) -> web.Response:
    """Stop following a topic (``/unsubscribe``)."""
    return await _change(request, "unsubscribe")


@routes.post("/me/digest")
async def digest(request: web.Request) -> web.Response:
    """Change the digest's time and zone."""
    return await _change(request, "digest")


@routes.post("/me/forget")
async def forget(request: web.Request) -> web.Response:
    """Delete everything stored about the user ("Forget me")."""
    return await _change(request, "forget")


@routes.post("/me/signals/reset")
async def reset_signals(request: web.Request) -> web.Response:
    """Forget what the digest learned ("Reset my signals")."""
    return await _change(request, "signals")


@routes.post("/me/filters/clear")
async def clear_filters(request: web.Request) -> web.Response:
    """Empty the digest's filters (``/subscriptions clear_filters: True``)."""
    return await _change(request, "filters")
