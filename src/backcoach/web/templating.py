"""Jinja2 templates and the one way pages are rendered.

A page route calls ``render(request, "exercises/index.html", context,
partial="exercises/_list.html")``: a normal request gets the whole page, an
HTMX request (``HX-Request`` header) gets only the fragment it swaps in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from backcoach.i18n import N_, _, current_language, install_in_jinja, js_messages
from backcoach.services.accounts import SignedIn
from backcoach.store import Role
from backcoach.web.deps import release_database
from backcoach.web.security.csrf import csrf_token
from backcoach.web.security.signin import signed_in
from backcoach.web.state import app_state

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

#: The main navigation: (path, label); the labels are msgids, translated where shown.
NAV: tuple[tuple[str, str], ...] = (
    ("/", N_("Today")),
    ("/exercises", N_("Exercises")),
    ("/desk", N_("Desk")),
    ("/history", N_("History")),
    ("/settings", N_("Settings")),
)
#: A clinician's navigation (clinic mode); an admin also gets ``ADMIN_NAV``.
CLINICIAN_NAV: tuple[tuple[str, str], ...] = (
    ("/clinic", N_("Patients")),
    ("/clinic/programs", N_("Programs")),
    ("/clinic/exercises", N_("Exercises")),
    ("/exercises", N_("Library")),
)
ADMIN_NAV: tuple[tuple[str, str], ...] = (("/clinic/accounts", N_("Accounts")),)


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
    install_in_jinja(templates.env)
    templates.env.globals.update(
        nav_for=nav_for, nav_current=nav_current, js_messages=_js_messages, **globals_
    )
    templates.env.filters["minutes"] = format_minutes
    templates.env.filters["seconds"] = format_seconds
    return templates


def _js_messages() -> Mapping[str, str]:
    """The browser scripts' messages in the language in use (``base.html`` hands them on)."""
    return js_messages(current_language())


def format_minutes(value: float) -> str:
    minutes = round(value)
    return _("under 1 min") if minutes < 1 else _("{minutes} min").format(minutes=minutes)


def format_seconds(value: float | None) -> str:
    if value is None:
        return ""
    whole = round(value)
    return (
        f"{whole // 60}:{whole % 60:02d}" if whole >= 60 else _("{seconds} s").format(seconds=whole)
    )


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
