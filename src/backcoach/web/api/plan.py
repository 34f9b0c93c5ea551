"""``/api/v1/plan``: today's plan, or why there is none; ``/api/v1/plan/calendar.ics``: the
plan's session days as a calendar file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from backcoach.coach.plan import SessionPlan
from backcoach.coach.safety import for_web
from backcoach.content import Length
from backcoach.services.calendar_export import DEFAULT_WEEKS, FILENAME, MAX_WEEKS, plan_calendar
from backcoach.services.clock import wall
from backcoach.services.session_start import plan_for_today
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.presenters.player import StepView, planned_step_fields

router = APIRouter(prefix="/plan", tags=["plan"])


class PlanStep(StepView):
    estimated_s: float


class PlanOut(BaseModel):
    program_id: str | None
    length: Length
    refusal: str | None
    message: str
    cautions: list[str]
    estimated_minutes: float | None
    steps: list[PlanStep]


def _steps(plan: SessionPlan) -> list[PlanStep]:
    return [
        PlanStep(**planned_step_fields(s, i), estimated_s=s.estimated_seconds())
        for i, s in enumerate(plan.steps)
    ]


@router.get("")
def get_plan(
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    length: Length = Length.SHORT,
    pain_now: Annotated[int | None, Query(ge=0, le=10, description="Pain now, 0-10")] = None,
) -> PlanOut:
    """Today's plan with estimated minutes and why doses changed (``notes``).

    Without a safety screening, with a red flag, or when a new screening is due,
    there is no plan: ``refusal`` and ``message`` say why and what to do.
    """
    decision = plan_for_today(
        db, user_id=user.id, catalog=catalog, length=length, pain_now=pain_now
    )
    plan = decision.plan
    return PlanOut(
        program_id=plan.program_id if plan else None,
        length=length,
        refusal=decision.refusal.value if decision.refusal else None,
        message=for_web(decision.message) if decision.message else decision.message,
        cautions=list(decision.cautions),
        estimated_minutes=round(plan.estimated_minutes(), 1) if plan else None,
        steps=_steps(plan) if plan else [],
    )


@router.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "An iCalendar file"}},
)
def get_plan_calendar(
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    weeks: Annotated[
        int, Query(ge=1, le=MAX_WEEKS, description="Weeks from today to include (1-26)")
    ] = DEFAULT_WEEKS,
) -> Response:
    """Your planned session days from today, as an iCalendar (.ics) file to save or import.

    One event per session day at your session reminder's time (18:00 without one),
    listing the exercises of today's plan; with a reminder set, each has an alarm.
    """
    data = plan_calendar(db, user_id=user.id, catalog=catalog, now=wall(), weeks=weeks)
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{FILENAME}"'},
    )
