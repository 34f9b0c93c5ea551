"""``/api/v1/checkins`` and ``/api/v1/screening``: pain check-ins and the safety screening."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from backcoach.coach.safety import QUESTIONS
from backcoach.errors import UsageError
from backcoach.services.clock import SessionClock
from backcoach.services.safety import save_screening
from backcoach.services.sessions import save_checkin
from backcoach.store import CheckinPhase, PainLocation, list_checkins
from backcoach.web.deps import DbDep, UserDep

router = APIRouter(tags=["check-ins"])

Scale = Annotated[int, Field(ge=0, le=10)]


class CheckinIn(BaseModel):
    phase: CheckinPhase
    pain: Scale
    location: PainLocation = PainLocation.LOW_BACK
    effort: Scale | None = Field(default=None, description="After a session only")
    session_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    exercise_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class CheckinOut(BaseModel):
    id: int
    at: datetime
    phase: CheckinPhase
    pain: int
    location: PainLocation
    effort: int | None
    session_id: int | None
    exercise_id: str | None


class Question(BaseModel):
    id: str
    text: str
    help: str
    kind: str


class ScreeningIn(BaseModel):
    answers: dict[str, bool] = Field(description="Question id -> yes (true) or no (false)")


class ScreeningOut(BaseModel):
    outcome: str
    red_flags: list[str]
    cautions: list[str]
    severity: str | None
    message: str


@router.get("/checkins")
def get_checkins(db: DbDep, user: UserDep) -> list[CheckinOut]:
    """Every check-in, oldest first."""
    return [
        CheckinOut.model_validate(c, from_attributes=True)
        for c in list_checkins(db, user_id=user.id)
    ]


@router.post(
    "/checkins",
    status_code=status.HTTP_201_CREATED,
    responses={400: {"description": "Not a valid check-in (see the message)"}},
)
def post_checkin(body: CheckinIn, db: DbDep, user: UserDep) -> CheckinOut:
    """Record a pain check-in before, during or after a session (or on its own)."""
    try:
        row = save_checkin(db, user_id=user.id, now=SessionClock.wall(), **body.model_dump())
    except UsageError as exc:
        raise HTTPException(400, str(exc)) from None
    return CheckinOut.model_validate(row, from_attributes=True)


@router.get("/screening/questions")
def screening_questions() -> list[Question]:
    """The safety screening's yes/no questions."""
    return [Question(id=q.id, text=q.text, help=q.help, kind=q.kind.value) for q in QUESTIONS]


@router.post("/screening", responses={400: {"description": "Missing or unknown answers"}})
def post_screening(body: ScreeningIn, db: DbDep, user: UserDep) -> ScreeningOut:
    """Answer the whole screening. A red flag means no exercise plan until it is clear."""
    try:
        result = save_screening(db, user_id=user.id, answers=body.answers, now=SessionClock.wall())
    except UsageError as exc:
        raise HTTPException(400, str(exc)) from None
    return ScreeningOut(
        outcome=result.outcome.value,
        red_flags=list(result.red_flags),
        cautions=list(result.cautions),
        severity=result.severity.value if result.severity else None,
        message=result.message,
    )
