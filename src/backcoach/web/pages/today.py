"""``/``: today. Screening on first visit, then today's plan, resume, habits and a tip."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from backcoach.coach.plan import plan_from_program
from backcoach.services.sessions import find_resumable
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.preferences import load_preferences
from backcoach.web.sessions_start import DEFAULT_PROGRAM
from backcoach.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/")
def today(request: Request, db: DbDep, user: UserDep, catalog: CatalogDep) -> Response:
    prefs = load_preferences(db, user_id=user.id)
    plan = plan_from_program(catalog, DEFAULT_PROGRAM, prefs.session_length)
    context = {
        "plan": plan,
        "resume": find_resumable(db, user_id=user.id),
        "prefs": prefs,
        "tip": catalog.tips[0] if catalog.tips else None,
    }
    return render(request, "today/index.html", context)
