"""The sign-in cookie (clinic mode): set on login, cleared on logout.

HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site requests
other than top-level navigation), Secure when the request came over HTTPS (behind
a TLS proxy, with ``backcoach serve --proxy-headers``), and as long-lived as the
server-side session (``services.accounts.SESSION_IDLE``).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from backcoach.services.accounts import SESSION_IDLE
from backcoach.web.security.signin import COOKIE


def session_token(connection: HTTPConnection) -> str:
    return connection.cookies.get(COOKIE, "")


def client_address(connection: HTTPConnection) -> str:
    """The address a request came from (the proxy's client with ``--proxy-headers``)."""
    return connection.client.host if connection.client else "unknown"


def remember_session(connection: HTTPConnection, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_IDLE.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=connection.url.scheme == "https",
    )


def forget_session(connection: HTTPConnection, response: Response) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=connection.url.scheme == "https"
    )
