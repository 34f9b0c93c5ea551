"""``/session``: start a session (form from Today) and ``/session/{id}``, the player."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from backcoach.coach.planner import PlanDecision, PlanRefused
from backcoach.content import Catalog, Length
from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.services.clock import SessionClock
from backcoach.services.preferences import load_preferences
from backcoach.services.safety import exercise_block
from backcoach.services.session_events import open_session
from backcoach.services.session_start import create_session
from backcoach.services.sessions import ActiveSession, summarize
from backcoach.store import PainLocation
from backcoach.web.deps import CatalogDep, DbDep, SettingsDep, UserDep
from backcoach.web.figures import keyframe_figure
from backcoach.web.pages.today import today_page
from backcoach.web.presenters.player import player_state
from backcoach.web.templating import render

router = APIRouter(prefix="/session", tags=["pages"], include_in_schema=False)


@dataclass(frozen=True)
class StartChoice:
    """What the Today page's start form asks: session length, pain now, where it hurts."""

    length: Length = Length.SHORT
    pain_before: int | None = None
    location: PainLocation = PainLocation.LOW_BACK


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


LENGTHS = tuple(length.value for length in Length)
LOCATIONS = tuple(location.value for location in PainLocation)


def read_start_form(form: FormData) -> tuple[StartChoice, dict[str, str]]:
    """The start form's choices, and a plain message for each field that is wrong.

    Blank fields take their defaults (no pain check-in when the pain is left out).
    """
    choice, errors = StartChoice(), {}
    length = _field(form, "length")
    if length in LENGTHS:
        choice = replace(choice, length=Length(length))
    elif length:
        errors["length"] = _("Choose a session length: short or full.")
    pain = _field(form, "pain_before")
    # Two ASCII digits at most: isdigit() also takes "²", which int() refuses
    if len(pain) <= 2 and pain.isascii() and pain.isdecimal() and int(pain) <= 10:
        choice = replace(choice, pain_before=int(pain))
    elif pain:
        errors["pain_before"] = _("Choose how much pain you have now, from 0 to 10.")
    location = _field(form, "location")
    if location in LOCATIONS:
        choice = replace(choice, location=PainLocation(location))
    elif location:
        errors["location"] = _("Choose where the pain is from the list.")
    return choice, errors


@router.post("")
async def start(
    request: Request,
    db: DbDep,
    user: UserDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> Response:
    """Start today's session from the Today page's form (a wrong value shows Today again)."""
    choice, errors = read_start_form(await request.form())
    if errors:
        return today_page(
            request,
            db,
            user,
            catalog,
            form_errors=errors,
            start_pain=choice.pain_before,
            status_code=422,
        )
    try:
        active = create_session(
            db,
            user_id=user.id,
            catalog=catalog,
            clock=SessionClock.of(settings),
            length=choice.length,
            pain_before=choice.pain_before,
            location=choice.location,
        )
    except PlanRefused as refused:
        # e.g. today's pain jumped: a new screening comes first (no session is created)
        decision = PlanDecision(plan=None, refusal=refused.reason, message=str(refused))
        return today_page(request, db, user, catalog, decision=decision)
    return RedirectResponse(f"/session/{active.id}", status_code=303)


def step_context(catalog: Catalog, exercise_id: str | None) -> dict[str, object]:
    if exercise_id is None or exercise_id not in catalog.exercises:
        return {"exercise": None, "figure": ""}
    exercise = catalog.exercise(exercise_id)
    return {
        "exercise": exercise,
        "figure": keyframe_figure(exercise),
    }


def _open_or_404(
    db: Session, *, session_id: int, user_id: int, clock: SessionClock
) -> ActiveSession:
    try:
        return open_session(db, session_id=session_id, user_id=user_id, clock=clock)
    except UsageError:
        raise HTTPException(
            404, _("There is no session number {number}.").format(number=session_id)
        ) from None


@router.get("/{session_id}")
def player(
    request: Request,
    session_id: int,
    db: DbDep,
    user: UserDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> Response:
    clock = SessionClock.of(settings)
    active = _open_or_404(db, session_id=session_id, user_id=user.id, clock=clock)
    state = player_state(active, clock, catalog)
    block = exercise_block(db, user_id=user.id)
    if block is not None and state.status != "finished":
        # a red flag since the session began: the calm stop notice, not the player
        return render(request, "session/blocked.html", {"block": block})
    context = {
        "state": state,
        "plan": active.plan,
        "voice": load_preferences(db, user_id=user.id).voice,
        "summary": summarize(db, session_id=active.id) if state.status == "finished" else None,
        **step_context(catalog, state.step.exercise_id if state.step else None),
    }
    return render(request, "session/player.html", context)


@router.get("/{session_id}/step/{step_index}")
def step_fragment(
    request: Request,
    session_id: int,
    step_index: int,
    db: DbDep,
    user: UserDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> Response:
    """The figure and the instructions of one step (swapped in when the step changes)."""
    active = _open_or_404(
        db, session_id=session_id, user_id=user.id, clock=SessionClock.of(settings)
    )
    if not 0 <= step_index < len(active.plan.steps):
        raise HTTPException(404, _("That step is not in this session."))
    step = active.plan.steps[step_index]
    context = {"step": step, **step_context(catalog, step.exercise_id)}
    return render(request, "session/_step_fragment.html", context)
