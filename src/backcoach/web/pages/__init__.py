"""HTML pages (Jinja2 + HTMX); one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from backcoach.web.pages import (
    auth,
    camera,
    clinic,
    clinic_accounts,
    clinic_exercises,
    clinic_programs,
    desk,
    exercises,
    history,
    info,
    questionnaires,
    session,
    settings,
    today,
)

ROUTERS: tuple[APIRouter, ...] = (
    today.router,
    exercises.router,
    session.router,
    history.router,
    questionnaires.router,
    settings.router,
    info.router,
    desk.router,
    camera.router,
    auth.router,
    clinic.router,
    clinic_accounts.router,
    clinic_exercises.router,
    clinic_exercises.library_router,
    clinic_programs.router,
)
