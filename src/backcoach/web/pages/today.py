"""``/``: today. Screening and disclaimer first; then today's plan, resume, habits and a tip.

A red flag in the screening shows the calm stop message and no plan at all.
``/?screening=again`` (also ``GET /screening``) shows the safety questions again,
for "My symptoms changed"; the messages are worded for the web (``for_web``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from backcoach.coach import questionnaires
from backcoach.coach.planner import PlanDecision, Refusal
from backcoach.coach.safety import QUESTIONS, for_web
from backcoach.content import Catalog
from backcoach.i18n import _
from backcoach.services.clinic_programs import program_for
from backcoach.services.clinician_notes import notes_for_patient
from backcoach.services.clock import SessionClock, local_today, local_tz
from backcoach.services.habits import HABITS, habits_today, tick_habit
from backcoach.services.questionnaire_schedules import due_for
from backcoach.services.safety import save_screening
from backcoach.services.today import CHECK_NAME, today_overview
from backcoach.store import Role, User
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.state import app_state
from backcoach.web.templating import is_htmx, render

router = APIRouter(tags=["pages"], include_in_schema=False)

SCREENING_REFUSALS = (Refusal.NO_SCREENING, Refusal.RESCREEN_DUE)
SCREENING_AGAIN_URL = "/?screening=again"  # "My symptoms changed", on Today and Settings


def today_page(
    request: Request,
    db: Session,
    user: User,
    catalog: Catalog,
    *,
    decision: PlanDecision | None = None,
    screening_again: bool = False,
    screening_errors: dict[str, str] | None = None,
    answers: dict[str, str] | None = None,
    form_errors: dict[str, str] | None = None,
    start_pain: int | None = None,
    status_code: int = 200,
) -> Response:
    """The Today page for ``decision`` (default: today's plan without a pain check-in yet).

    ``form_errors`` (field name -> message) are shown beside the start form's and the
    habits' fields; ``start_pain`` keeps a pain answer already given checked.
    """
    overview = today_overview(db, user_id=user.id, catalog=catalog)
    if decision is None:
        decision = overview.decision
    show_screening = screening_again or decision.refusal in SCREENING_REFUSALS
    tips = catalog.tips
    context: dict[str, Any] = {
        "decision": decision,
        "message": for_web(decision.message),
        "red_flag": decision.refusal is Refusal.RED_FLAG and not screening_again,
        "show_screening": show_screening,
        "first_visit": decision.refusal is Refusal.NO_SCREENING,
        "questions": QUESTIONS,
        "screening_errors": screening_errors or {},
        "answers": answers or {},
        "form_errors": form_errors or {},
        "start_pain": start_pain,
        "resume": overview.resume if decision.plan else None,
        "habits": overview.habits,
        "desk": overview.desk,
        "tip": tips[local_today().toordinal() % len(tips)] if tips else None,
        "prefs": overview.prefs,
        "check_due": bool(decision.plan) and overview.check_due,
    }
    if app_state(request.app).settings.clinic:  # what the patient's clinician asks and says
        asked = due_for(db, user.id, local_today(), local_tz())
        # As the questionnaire pages show them (one kept in its original is marked English).
        context["asked"] = [questionnaires.get(q.name).localized() for q in asked]
        if any(q.name == CHECK_NAME for q in asked):  # asked once, by the clinician's card
            context["check_due"] = False
        context["clinician_notes"] = notes_for_patient(db, patient_id=user.id)
        context["clinic_program"] = program_for(db, user_id=user.id, catalog=catalog)
    return render(request, "today/index.html", context, status_code=status_code)


@router.get("/")
def today(
    request: Request, db: DbDep, user: UserDep, catalog: CatalogDep, screening: str = ""
) -> Response:
    if user.role in (Role.CLINICIAN, Role.ADMIN):  # their day starts with their patients
        return RedirectResponse("/clinic", status_code=303)
    return today_page(request, db, user, catalog, screening_again=screening == "again")


@router.get("/screening")
def screening_again() -> Response:
    """The safety questions again ("My symptoms changed"): they are on Today."""
    return RedirectResponse(SCREENING_AGAIN_URL, status_code=303)


def _answers(form: FormData) -> tuple[dict[str, bool], dict[str, str], dict[str, str]]:
    answers: dict[str, bool] = {}
    raw: dict[str, str] = {}
    errors: dict[str, str] = {}
    for question in QUESTIONS:
        value = form.get(question.id)
        if value in ("yes", "no"):
            answers[question.id] = value == "yes"
            raw[question.id] = str(value)
        else:
            errors[question.id] = _("Please answer yes or no.")
    return answers, raw, errors


@router.post("/screening")
async def screening(request: Request, db: DbDep, user: UserDep, catalog: CatalogDep) -> Response:
    answers, raw, errors = _answers(await request.form())
    if errors:
        return today_page(
            request,
            db,
            user,
            catalog,
            screening_again=True,
            screening_errors=errors,
            answers=raw,
            status_code=422,
        )
    save_screening(db, user_id=user.id, answers=answers, now=SessionClock.wall())
    return RedirectResponse("/", status_code=303)


@router.post("/habits")
async def habit(request: Request, db: DbDep, user: UserDep, catalog: CatalogDep) -> Response:
    kind = (await request.form()).get("kind")
    if not isinstance(kind, str) or kind not in HABITS:
        # The buttons only send known habits: this is a stale page or a hand-made request.
        errors = {"habit": _("That habit is not on the list; choose one of the buttons.")}
        if is_htmx(request):
            context = {"habits": habits_today(db, user_id=user.id), "form_errors": errors}
            return render(request, "today/_habits.html", context, status_code=422)
        return today_page(request, db, user, catalog, form_errors=errors, status_code=422)
    tick_habit(db, user_id=user.id, kind=kind)
    if is_htmx(request):
        return render(request, "today/_habits.html", {"habits": habits_today(db, user_id=user.id)})
    return RedirectResponse("/", status_code=303)
