"""The trust boundary: which requests may reach a route at all.

backcoach serves health data on this computer, and the person using it browses
the rest of the web in the same browser. Two checks run before any route, for
HTTP requests and WebSocket handshakes alike:

1. **Host allow-list.** The ``Host`` header must name this server: ``127.0.0.1``,
   ``localhost`` or ``[::1]`` on the port it listens on, or a host configured in
   ``BACKCOACH_ALLOWED_HOSTS``. Anything else is refused with 400. This defeats
   DNS rebinding, where a hostile page points its own name at 127.0.0.1 to read
   our answers as if they were its own.
2. **Cross-origin protection**, following the browser-header design of Go 1.25's
   ``http.CrossOriginProtection``. A request that can change something (any
   method but GET, HEAD and OPTIONS, and every WebSocket handshake) is refused
   with 403 when ``Sec-Fetch-Site`` is present and is neither ``same-origin`` nor
   ``none``, or, without that header, when ``Origin`` is present and does not
   name the request's own host. Requests with neither header come from programs,
   not from a web page (curl, scripts, the CLI) and pass.

Forms also carry a CSRF token (``web.csrf``) for browsers that send neither header.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from backcoach.i18n import N_, _

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

BAD_HOST = N_(
    "This address is not backcoach's. Open backcoach at http://127.0.0.1 (or localhost) "
    "on the port it was started on."
)
CROSS_ORIGIN = N_(
    "Refused: this request came from another web site. Only backcoach's own pages "
    "may change or read your data."
)


def answers_in_json(path: str) -> bool:
    """The JSON API (and its schema) answers errors in JSON; pages answer for people."""
    return path.startswith("/api/") or path == "/openapi.json"


def split_host(host: str, default_port: int) -> tuple[str, int] | None:
    """``(name, port)`` of a Host header value (``[::1]`` keeps its brackets), or None."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]") + 1
        name, port_part = host[:end], host[end:]
    else:
        name, colon, port_text = host.partition(":")
        port_part = colon + port_text
    if not name or name == "[":
        return None
    if not port_part:
        return name, default_port
    port_text = port_part.removeprefix(":")
    if port_part == port_text or not port_text.isdecimal() or len(port_text) > 5:
        return None
    return name, int(port_text)


def host_allowed(
    host: str | None, *, scheme: str, server_port: int | None, extra: Iterable[str] = ()
) -> bool:
    """True when ``host`` names this server (see the module docstring)."""
    if host is None:
        return False
    parsed = split_host(host, DEFAULT_PORTS.get(scheme, 80))
    if parsed is None:
        return False
    name, port = parsed
    for allowed in extra:
        allowed_name, _, allowed_port = allowed.partition(":")
        if name == allowed_name and (not allowed_port or allowed_port == str(port)):
            return True
    return name in LOOPBACK_NAMES and (server_port is None or port == server_port)


def cross_origin(method: str, headers: Headers, *, websocket: bool) -> bool:
    """True when a browser sent this state-changing request from another site."""
    if not websocket and method in SAFE_METHODS:
        return False
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.lower() not in SAME_ORIGIN_FETCH
    origin = headers.get("origin")
    if origin is None:
        return False
    origin_host = urlsplit(origin).netloc.lower() if "://" in origin else ""
    return not origin_host or origin_host != headers.get("host", "").lower()


class TrustBoundaryMiddleware:
    """Refuse foreign hosts (400) and cross-site state changes (403) before any route runs."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        server = scope.get("server")
        server_port = server[1] if server and len(server) > 1 else None
        websocket = scope["type"] == "websocket"
        if not host_allowed(
            headers.get("host"),
            scheme=scope.get("scheme", "http"),
            server_port=server_port,
            extra=self.allowed_hosts,
        ):
            await _refuse(scope, send, 400, BAD_HOST)
            return
        if cross_origin(scope.get("method", "GET"), headers, websocket=websocket):
            await _refuse(scope, send, 403, CROSS_ORIGIN)
            return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """Answer with ``status`` and a plain message; a WebSocket handshake is closed unaccepted.

    ``message`` is a msgid: the answer is in the request's language; a close reason
    (at most 123 bytes, read by programs) stays in English.
    """
    if scope["type"] == "websocket":
        # Closing before accept makes the server answer the handshake with HTTP 403.
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    text = _(message)
    if answers_in_json(scope["path"]):
        body, content_type = json.dumps({"detail": text}).encode(), b"application/json"
    else:
        body, content_type = text.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
