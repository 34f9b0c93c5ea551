"""Which language a request is answered in, and the Settings choice that overrides it.

Order: the language chosen in Settings (a cookie, so it costs no database read
and holds for this browser), else the browser's ``Accept-Language``, else the
server's default (``BACKCOACH_LANG`` when the server started, else English).
The middleware sets it for the whole request, HTTP or WebSocket, so templates,
services and spoken cues all use the same one; answers say it in
``Content-Language`` and vary on the two headers it was read from.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backcoach.i18n import LANGUAGES, negotiate, reset_language, set_language, supported

#: The cookie that holds the language chosen in Settings ("auto" or no cookie: the browser's).
LANGUAGE_COOKIE = "backcoach_lang"
AUTOMATIC = "auto"
_ONE_YEAR_S = 365 * 24 * 3600


def request_language(headers: Headers, default: str) -> str:
    """The language for a request with these headers (see the module doc)."""
    chosen = chosen_language(headers)
    return chosen if chosen != AUTOMATIC else negotiate(headers.get("accept-language"), default)


def remember_choice(response: Response, choice: str) -> None:
    """Keep the Settings choice (``"auto"`` or one of ``LANGUAGES``) in this browser."""
    if choice == AUTOMATIC:
        response.delete_cookie(LANGUAGE_COOKIE, path="/", samesite="lax", httponly=True)
        return
    if choice not in LANGUAGES:
        raise ValueError(f"unknown language {choice!r}")
    response.set_cookie(
        LANGUAGE_COOKIE,
        choice,
        max_age=_ONE_YEAR_S,
        path="/",
        samesite="lax",
        httponly=True,
    )


def chosen_language(headers: Headers) -> str:
    """What Settings shows as chosen: a language, or ``"auto"`` (the browser decides)."""
    chosen = cookie_parser(headers.get("cookie", "")).get(LANGUAGE_COOKIE)
    return supported(chosen) or AUTOMATIC


class LanguageMiddleware:
    """Set the request's language (``backcoach.i18n``) for everything below it."""

    def __init__(self, app: ASGIApp, *, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        language = request_language(Headers(scope=scope), self.default)
        token = set_language(language)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Language", language)
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            reset_language(token)
