"""The JSON API, mounted under ``/api/v1``; one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from backcoach.web.api import (
    auth,
    checkins,
    clinic,
    clinic_accounts,
    clinic_exercises,
    clinic_programs,
    desk,
    exercises,
    export,
    history,
    plan,
    preferences,
    programs,
    sessions,
)

PREFIX = "/api/v1"

ROUTERS: tuple[APIRouter, ...] = (
    exercises.router,
    programs.router,
    plan.router,
    sessions.router,
    checkins.router,
    preferences.router,
    history.router,
    export.router,
    desk.router,
    auth.router,
    clinic.router,
    clinic_accounts.router,
    clinic_exercises.router,
    clinic_programs.router,
)
