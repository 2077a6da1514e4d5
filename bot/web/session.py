"""Signed cookies for the web panel: the session, the OAuth2 ``state`` and one-time form tokens.

Signing uses itsdangerous (the Pallets library behind Flask's sessions): a cookie is the
session's JSON, base64, a timestamp and an HMAC-SHA1 of it all under ``WEB_SECRET_KEY``, so
it cannot be forged or altered, and is refused after ``max_age``. It is *signed, not
encrypted*: it holds only the user's id and name, their own Discord access token (which the
browser that signed in may know) and the CSRF secret. Cookies are HttpOnly, SameSite=Lax, and
Secure when ``WEB_BASE_URL`` is https. Nothing is kept server-side except the nonces of forms
already sent (:class:`FormGuard`), so a restart keeps people signed in.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "briefing_session"
STATE_COOKIE = "briefing_oauth_state"
SESSION_MAX_AGE = 7 * 24 * 3600  # Discord's access tokens last a week
STATE_MAX_AGE = 600
FORM_MAX_AGE = 24 * 3600


@dataclass(frozen=True, slots=True)
class WebSession:
    """Who is signed in, with the token to re-read their guilds and the CSRF secret."""

    user_id: int
    username: str
    access_token: str
    csrf: str


class FormRefused(Exception):
    """A POST whose form token is missing, forged, expired or for another session."""


class FormAlreadySent(Exception):
    """A form token that was already used: the form was posted twice."""


class Cookies:
    """Reads and writes the panel's signed cookies."""

    def __init__(self, secret: str, *, secure: bool) -> None:
        self._session = URLSafeTimedSerializer(secret, salt="briefing-bot.session")
        self._state = URLSafeTimedSerializer(secret, salt="briefing-bot.oauth-state")
        self._form = URLSafeTimedSerializer(secret, salt="briefing-bot.form")
        self.secure = secure
        self.used_forms = FormGuard()

    def _set(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure,
        )

    def session(self, request: web.Request) -> WebSession | None:
        """The request's session, or None (no cookie, a forged or an expired one)."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._session.loads(raw, max_age=SESSION_MAX_AGE)
            return WebSession(int(data["u"]), str(data["n"]), str(data["t"]), str(data["c"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def start_session(self, response: web.StreamResponse, session: WebSession) -> None:
        """Sign ``session`` into the response's cookie."""
        data = {"u": session.user_id, "n": session.username, "t": session.access_token}
        value = self._session.dumps({**data, "c": session.csrf})
        self._set(response, SESSION_COOKIE, str(value), SESSION_MAX_AGE)

    def end_session(self, response: web.StreamResponse) -> None:
        """Delete the session cookie."""
        response.del_cookie(SESSION_COOKIE, path="/")

    def new_state(self, response: web.StreamResponse) -> str:
        """A fresh OAuth2 ``state``, remembered in a short-lived cookie for the callback."""
        state = secrets.token_urlsafe(24)
        self._set(response, STATE_COOKIE, str(self._state.dumps(state)), STATE_MAX_AGE)
        return state

    def state_matches(self, request: web.Request, state: str | None) -> bool:
        """Whether ``state`` is the one this browser was given (and not too old)."""
        raw = request.cookies.get(STATE_COOKIE)
        if not raw or not state:
            return False
        try:
            expected = self._state.loads(raw, max_age=STATE_MAX_AGE)
        except BadSignature:
            return False
        return isinstance(expected, str) and hmac.compare_digest(expected, state)

    def form_token(self, session: WebSession) -> str:
        """A one-time token for a form: the session's CSRF secret and a fresh nonce, signed."""
        return str(self._form.dumps({"c": session.csrf, "n": secrets.token_urlsafe(12)}))

    def check_form(self, session: WebSession, token: str | None) -> str:
        """The nonce of a valid form token of ``session``; :class:`FormRefused` otherwise."""
        if not token:
            raise FormRefused
        try:
            data = self._form.loads(token, max_age=FORM_MAX_AGE)
            csrf, nonce = str(data["c"]), str(data["n"])
        except (BadSignature, KeyError, TypeError):
            raise FormRefused from None
        if not hmac.compare_digest(csrf, session.csrf):
            raise FormRefused
        return nonce


class FormGuard:
    """Nonces of forms already sent, so a form posted twice changes nothing the second time."""

    def __init__(self) -> None:
        self._used: dict[str, float] = {}

    def take(self, nonce: str) -> None:
        """Mark ``nonce`` used; :class:`FormAlreadySent` when it already was."""
        now = time.monotonic()
        if len(self._used) > 10_000:
            self._used = {n: t for n, t in self._used.items() if now - t < FORM_MAX_AGE}
        if nonce in self._used:
            raise FormAlreadySent
        self._used[nonce] = now

    def give_back(self, nonce: str) -> None:
        """The change was refused (bad input): the same form may be sent again, corrected."""
        self._used.pop(nonce, None)
