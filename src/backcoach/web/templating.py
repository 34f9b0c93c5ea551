"""Jinja2 templates and the one way pages are rendered.

A page route calls ``render(request, "exercises/index.html", context,
partial="exercises/_list.html")``: a normal request gets the whole page, an
HTMX request (``HX-Request`` header) gets only the fragment it swaps in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from backcoach.services.accounts import SignedIn
from backcoach.store import Role
from backcoach.web.deps import release_database
from backcoach.web.security.csrf import csrf_token
from backcoach.web.security.signin import signed_in
from backcoach.web.state import app_state

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

NAV: tuple[tuple[str, str], ...] = (
    ("/", "Today"),
    ("/exercises", "Exercises"),
    ("/desk", "Desk"),
    ("/history", "History"),
    ("/settings", "Settings"),
)
#: A clinician's navigation (clinic mode); an admin also gets ``ADMIN_NAV``.
CLINICIAN_NAV: tuple[tuple[str, str], ...] = (
    ("/clinic", "Patients"),
    ("/clinic/programs", "Programs"),
    ("/clinic/exercises", "Exercises"),
    ("/exercises", "Library"),
)
ADMIN_NAV: tuple[tuple[str, str], ...] = (("/clinic/accounts", "Accounts"),)


def nav_for(who: SignedIn | None) -> tuple[tuple[str, str], ...]:
    """The main navigation for whoever is signed in (everyone, in local mode)."""
    if who is None or who.role is Role.PATIENT:
        return NAV
    return CLINICIAN_NAV + (ADMIN_NAV if who.role is Role.ADMIN else ())


def nav_current(path: str, items: tuple[tuple[str, str], ...]) -> str | None:
    """The navigation entry this page belongs to: the longest one that ``path`` is under
    (``/`` only for itself)."""
    matches = [href for href, _ in items if path == href or path.startswith(href + "/")]
    return max(matches, key=len, default=None)


def make_templates(globals_: dict[str, Any]) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals.update(nav_for=nav_for, nav_current=nav_current, **globals_)
    templates.env.filters["minutes"] = format_minutes
    templates.env.filters["seconds"] = format_seconds
    return templates


def format_minutes(value: float) -> str:
    minutes = round(value)
    return "under 1 min" if minutes < 1 else f"{minutes} min"


def format_seconds(value: float | None) -> str:
    if value is None:
        return ""
    whole = round(value)
    return f"{whole // 60}:{whole % 60:02d}" if whole >= 60 else f"{whole} s"


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
) -> Response:
    """The page, or only ``partial`` when HTMX asked for a fragment.

    The request's database session is ended first (``deps.release_database``):
    ``context`` must hold everything the template shows.
    """
    release_database(request)
    templates = app_state(request.app).templates
    name = partial if partial is not None and is_htmx(request) else template
    return templates.TemplateResponse(
        request,
        name,
        {
            "path": request.url.path,
            "csrf_token": csrf_token(request),
            "who": signed_in(request),
            **(context or {}),
        },
        status_code=status_code,
    )
