"""Every route the web app has, read from the app itself, so tests cover routes added later."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi.routing import iter_route_contexts

from backcoach.config import Settings
from backcoach.web import create_app
from backcoach.web.security.trust import SAFE_METHODS


@dataclass(frozen=True)
class Endpoint:
    method: str  # "WS" for a WebSocket
    path: str  # the template, e.g. /session/{session_id}

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def changes(self) -> bool:
        """A request that may change something (not a read, not a WebSocket)."""
        return self.method not in SAFE_METHODS and self.method != "WS"


def app_endpoints(settings: Settings | None = None) -> list[Endpoint]:
    """One entry per method and path of a fresh app (static files left out).

    The app is built with ``settings`` (default: local mode); pass clinic-mode
    settings to list the clinic app's routes.
    """
    found: list[Endpoint] = []
    for context in iter_route_contexts(create_app(settings or Settings()).routes):
        path = context.path
        if path is None or path.startswith("/static"):
            continue
        methods = context.methods
        if methods is None:
            found.append(Endpoint("WS", path))
        else:
            found.extend(Endpoint(method, path) for method in sorted(methods))
    return found


#: Paths that do something only in clinic mode (accounts, the clinician's side).
CLINIC_ONLY_PREFIXES = (
    *("/api/v1/auth/", "/api/v1/clinic", "/clinic"),
    *("/login", "/logout", "/register", "/reset/"),
)


def clinic_only(path: str) -> bool:
    """True for a route that answers "only in clinic mode" (404 or a redirect) in local mode."""
    return path.startswith(CLINIC_ONLY_PREFIXES)


def fill_path(path: str, ids: Mapping[str, str]) -> str:
    """The path with its parameters filled in from ``ids`` ("1" for any other)."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids.get(m.group(1), "1"), path)
