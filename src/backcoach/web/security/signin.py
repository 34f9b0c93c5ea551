"""Clinic mode's sign-in gate: no request reaches a route without a valid session.

It sits inside the trust boundary (host allow-list, cross-origin check) and runs
before any route, for HTTP requests and WebSocket handshakes alike, so a route
added later is covered without doing anything:

- the session cookie is looked up (``services.accounts.session_user``); who it
  belongs to goes into the request's state for ``deps`` to read;
- without one, the JSON API answers 401, a WebSocket handshake is refused, and a
  page redirects to ``/login`` (coming back afterwards);
- ``/clinic`` and ``/api/v1/clinic`` are for clinicians and admins only (403).

What data a signed-in user may see is decided in ``services/`` (every query is
scoped to the user); this gate only decides who is asking.

Only the sign-in, registration and password-reset pages and the static files
are open. In local mode the gate is not installed at all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from backcoach.i18n import N_, _
from backcoach.services.accounts import SignedIn, session_user
from backcoach.store import Role
from backcoach.web.security.trust import answers_in_json
from backcoach.web.state import BUSY, RETRY_AFTER_S, app_state

COOKIE = "backcoach_session"
#: Paths anyone may open (prefixes end with "/").
OPEN_PATHS = frozenset(
    {"/login", "/register", "/favicon.ico", "/api/v1/auth/login", "/api/v1/auth/register"}
)
OPEN_PREFIXES = ("/static/", "/reset/")
CLINIC_PREFIXES = ("/clinic", "/api/v1/clinic")
CLINIC_ROLES = frozenset({Role.CLINICIAN, Role.ADMIN})

SIGN_IN_FIRST = N_("Sign in first: this backcoach is a clinic's, and your data needs your account.")
CLINICIANS_ONLY = N_("Only clinicians can open this.")


#: Routes that exist only in clinic mode (in local mode they answer 404, saying so).
CLINIC_MODE_PREFIXES = ("/api/v1/auth/", "/login", "/logout", "/register", "/reset/")
#: ... except who am I, which names the local user in local mode.
LOCAL_TOO = frozenset({"/api/v1/auth/me"})
LOCAL_MODE = N_(
    "This backcoach runs in local mode: one person on this computer, no accounts and no "
    "clinic. Clinic mode (BACKCOACH_MODE=clinic) has sign-in and the clinician's pages."
)


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def is_clinic_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in CLINIC_PREFIXES)


def signed_in(connection: HTTPConnection) -> SignedIn | None:
    """Who signed in for this request (None in local mode or on an open page)."""
    found = connection.scope.get("state", {}).get("signed_in")
    return found if isinstance(found, SignedIn) else None


async def clinic_routes_need_clinic_mode(connection: HTTPConnection) -> None:
    """In local mode, the accounts' and the clinic's routes answer 404 (an app dependency,
    so a clinic route added later is covered too)."""
    path = connection.url.path
    if path in LOCAL_TOO or app_state(connection.app).settings.clinic:
        return
    if is_clinic_path(path) or path.startswith(CLINIC_MODE_PREFIXES):
        raise HTTPException(status_code=404, detail=_(LOCAL_MODE))


class SignInGateMiddleware:
    """Let through only requests with a valid session (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or is_open(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(COOKIE, "")
        try:
            who = await self._who(scope, token) if token else None
        except PoolTimeout:  # no turn at the database in time: busy, as a route would say
            await _refuse(scope, send, 503, BUSY)
            return
        path = scope["path"]
        if who is None:
            await _refuse(scope, send, 401, SIGN_IN_FIRST)
            return
        if is_clinic_path(path) and who.role not in CLINIC_ROLES:
            await _refuse(scope, send, 403, CLINICIANS_ONLY)
            return
        scope.setdefault("state", {})["signed_in"] = who
        await self.app(scope, receive, send)

    async def _who(self, scope: Scope, token: str) -> SignedIn | None:
        state = app_state(scope["app"])
        async with state.database_turn():

            def look_up() -> SignedIn | None:
                with state.sessions() as db:
                    return session_user(db, token=token, now=datetime.now(UTC))

            return await run_in_threadpool(look_up)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """401/403/503 in JSON for the API, a refused handshake, or (401) a redirect to the sign-in.

    ``message`` is a msgid, answered in the request's language (a close reason stays English).
    """
    path: str = scope["path"]
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    headers = [(b"cache-control", b"no-store")]
    if status == 503:
        headers.append((b"retry-after", str(RETRY_AFTER_S).encode()))
    if status == 401 and not answers_in_json(path):
        query = scope.get("query_string", b"").decode("latin-1")
        back = path + ("?" + query if query else "")
        location = "/login" if back == "/" else "/login?next=" + quote(back, safe="")
        headers += [(b"location", location.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    text = _(message)
    if answers_in_json(path):
        body, content_type = json.dumps({"detail": text}).encode(), b"application/json"
    else:
        body, content_type = text.encode(), b"text/plain; charset=utf-8"
    headers += [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
