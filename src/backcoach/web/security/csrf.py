"""CSRF tokens on page forms: defence in depth behind the cross-origin check (``web.trust``).

Older browsers send neither ``Sec-Fetch-Site`` nor ``Origin`` on a form post, so
every page form also carries a token (double submit): the browser keeps a random
token in a ``SameSite=Strict`` cookie, pages put the same token in a hidden
``csrf_token`` field (and a ``<meta name="csrf-token">`` that HTMX requests send
as ``X-CSRF-Token``; a file-upload form carries it in its action URL), and a
state-changing request to a page route must show both, equal. Another site can
make the browser send the cookie on a top-level request only, never read it, so
it cannot fill in the field.

The JSON API under ``/api/`` needs no token: a cross-site page cannot send JSON
without a CORS preflight, which backcoach never grants, and programs (curl,
scripts) have no token to give.
"""

from __future__ import annotations

import re
import secrets

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backcoach.i18n import N_, _
from backcoach.web.security.trust import SAFE_METHODS

COOKIE = "backcoach_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
EXEMPT_PREFIXES = ("/api/", "/static/")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")

EXPIRED = N_(
    "This form has expired or did not come from backcoach's own page. Nothing was "
    "changed; reload the page and try again."
)


def csrf_token(connection: HTTPConnection) -> str:
    """The token of this browser (set by ``CsrfCookieMiddleware`` for every request)."""
    token: str = connection.scope["state"]["csrf_token"]
    return token


class CsrfCookieMiddleware:
    """Give every browser a token cookie, and make the token available to templates."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = HTTPConnection(scope).cookies.get(COOKIE, "")
        fresh = _TOKEN.fullmatch(cookie) is None
        # Over HTTPS (a clinic behind its TLS proxy) the cookie is sent over HTTPS only.
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        token = secrets.token_urlsafe(32) if fresh else cookie
        scope.setdefault("state", {})["csrf_token"] = token

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(
                    "set-cookie", f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def require_form_token(connection: HTTPConnection) -> None:
    """Refuse (403) a state-changing page request whose token is missing or wrong.

    Declared once on the whole app, so every page route added later is covered.
    """
    if not isinstance(connection, Request) or connection.method in SAFE_METHODS:
        return
    if connection.url.path.startswith(EXEMPT_PREFIXES):
        return
    sent = connection.headers.get(HEADER)
    content_type = connection.headers.get("content-type", "")
    if sent is None and content_type.startswith("multipart/form-data"):
        # A file upload: the token is in the form's action URL, so the upload is never
        # parsed (or spooled to disk) before the route reads it with its size limit.
        sent = connection.query_params.get(FIELD)
    elif sent is None and content_type.startswith("application/x-www-form-urlencoded"):
        value = (await connection.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    cookie = connection.cookies.get(COOKIE)
    if not sent or not cookie or not secrets.compare_digest(sent.encode(), cookie.encode()):
        raise HTTPException(status_code=403, detail=_(EXPIRED))
