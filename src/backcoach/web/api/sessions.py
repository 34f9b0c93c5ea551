"""``/api/v1/sessions``: start a guided session, send its events, finish it.

The session engine runs on the server; every event is applied at the server's
clock and stored, so a reload or a server restart continues at the same step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field

from backcoach.coach.planner import PlanRefused
from backcoach.coach.progression import STOP_MESSAGE
from backcoach.content import Length
from backcoach.errors import UsageError
from backcoach.services.checkins import record_checkin, record_this_hurts
from backcoach.services.clock import SessionClock
from backcoach.services.session_start import create_session
from backcoach.services.sessions import (
    ActiveSession,
    SessionSummary,
    finish_session,
    summarize,
)
from backcoach.store import CheckinPhase, PainLocation
from backcoach.web.deps import CatalogDep, DbDep, SettingsDep, UserDep
from backcoach.web.player import (
    EventType,
    NoticeView,
    PlayerState,
    SessionLocks,
    notice_views,
    open_session,
    player_state,
    send_event,
)

router = APIRouter(prefix="/sessions", tags=["sessions"])

SessionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Session id")]
Pain = Annotated[int, Field(ge=0, le=10, description="0 = no pain, 10 = worst imaginable")]
GENTLE_MESSAGE = (
    "Thank you for telling us. Make the movement smaller and slower, or skip this exercise. "
    "Stop at once if the pain grows; never push through pain. It will be easier next time."
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No session with this id"}}


class SessionCreate(BaseModel):
    length: Length = Length.SHORT
    pain_before: Pain | None = None
    location: PainLocation = PainLocation.LOW_BACK


class EventIn(BaseModel):
    type: EventType


class HurtIn(BaseModel):
    pain: Pain
    location: PainLocation = PainLocation.LOW_BACK


class HurtOut(BaseModel):
    exercise_id: str
    stop: bool = Field(description="True: stop this exercise now")
    pain: int
    limit: int
    message: str


class EventOut(BaseModel):
    state: PlayerState
    notices: list[NoticeView]


class FinishIn(BaseModel):
    pain_after: Pain | None = None
    effort: Pain | None = Field(default=None, description="Effort 0-10 (RPE)")
    location: PainLocation = PainLocation.LOW_BACK


class SummaryOut(BaseModel):
    session_id: int
    status: str
    started_at: datetime
    ended_at: datetime | None
    steps_total: int
    steps_completed: int
    steps_skipped: int
    reps: int
    hold_s: float
    active_s: float
    pain_before: int | None
    pain_after: int | None
    effort: int | None

    @classmethod
    def of(cls, summary: SessionSummary) -> SummaryOut:
        return cls(
            session_id=summary.session_id,
            status=summary.status.value,
            started_at=summary.started_at,
            ended_at=summary.ended_at,
            steps_total=summary.steps_total,
            steps_completed=summary.steps_completed,
            steps_skipped=summary.steps_skipped,
            reps=summary.reps,
            hold_s=summary.hold_s,
            active_s=summary.active_s,
            pain_before=summary.pain_before,
            pain_after=summary.pain_after,
            effort=summary.effort,
        )


def _locks(request: Request) -> SessionLocks:
    locks: SessionLocks = request.app.state.session_locks
    return locks


def _open(db: DbDep, user: UserDep, session_id: int, settings: SettingsDep) -> ActiveSession:
    try:
        return open_session(
            db, session_id=session_id, user_id=user.id, clock=SessionClock.of(settings)
        )
    except UsageError:
        raise HTTPException(404, f"No session with id {session_id}.") from None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "No plan today: screening needed, or a red flag"}},
)
def start(
    body: SessionCreate, db: DbDep, user: UserDep, settings: SettingsDep, catalog: CatalogDep
) -> PlayerState:
    """Create a session from today's plan, with the pain check-in before it.

    The session is not started yet: send a ``start`` event. Answers 409 with the
    reason when there is no plan today (no screening yet, a red flag, a pain jump).
    """
    try:
        active = create_session(
            db,
            user_id=user.id,
            catalog=catalog,
            clock=SessionClock.of(settings),
            length=body.length,
            pain_before=body.pain_before,
            location=body.location,
        )
    except PlanRefused as refused:
        raise HTTPException(409, str(refused)) from None
    return player_state(active, SessionClock.of(settings))


@router.get("/{session_id}", responses=NOT_FOUND)
def get_state(
    session_id: SessionId, db: DbDep, user: UserDep, settings: SettingsDep
) -> PlayerState:
    """Where the session is now: step, set, side, countdown, reps."""
    return player_state(_open(db, user, session_id, settings), SessionClock.of(settings))


@router.post("/{session_id}/events", responses=NOT_FOUND)
def post_event(
    session_id: SessionId,
    body: EventIn,
    request: Request,
    db: DbDep,
    user: UserDep,
    settings: SettingsDep,
) -> EventOut:
    """Apply one event (start, tick, rep_done, hold_done, pause, resume, skip, back, quit, hurt).

    Returns the new state and what happened (``notices``, with short cues to show or speak).
    """
    clock = SessionClock.of(settings)
    with _locks(request)(session_id):
        active = _open(db, user, session_id, settings)
        notices = send_event(db, active=active, kind=body.type, clock=clock)
    return EventOut(state=player_state(active, clock), notices=notice_views(notices))


@router.post("/{session_id}/finish", responses=NOT_FOUND)
def finish(
    session_id: SessionId, body: FinishIn, db: DbDep, user: UserDep, settings: SettingsDep
) -> SummaryOut:
    """Close the session with the after check-in (pain and effort); returns the summary."""
    _open(db, user, session_id, settings)
    if body.pain_after is not None:
        record_checkin(
            db,
            user_id=user.id,
            phase=CheckinPhase.AFTER,
            pain=body.pain_after,
            effort=body.effort,
            location=body.location,
            now=SessionClock.wall(),
            session_id=session_id,
        )
    summary = finish_session(
        db,
        session_id=session_id,
        now=SessionClock.wall(),
        effort=body.effort if body.pain_after is None else None,
    )
    return SummaryOut.of(summary)


@router.post(
    "/{session_id}/hurt",
    responses={**NOT_FOUND, 409: {"description": "The session is not on an exercise"}},
)
def this_hurts(
    session_id: SessionId,
    body: HurtIn,
    request: Request,
    db: DbDep,
    user: UserDep,
    settings: SettingsDep,
) -> HurtOut:
    """ "This hurts" on the current exercise: stores the pain and says whether to stop it.

    The planner makes that exercise easier next time either way. Send ``skip`` or
    ``hurt`` (end the session) afterwards, as the person chooses.
    """
    with _locks(request)(session_id):
        active = _open(db, user, session_id, settings)
        step = active.engine.step
        if step is None or active.engine.state.finished:
            raise HTTPException(409, "The session is not on an exercise right now.")
        result = record_this_hurts(
            db,
            user_id=user.id,
            session_id=session_id,
            exercise_id=step.exercise_id,
            pain=body.pain,
            location=body.location,
            now=SessionClock.wall(),
        )
    message = STOP_MESSAGE if result.stop else GENTLE_MESSAGE
    return HurtOut(
        exercise_id=step.exercise_id,
        stop=result.stop,
        pain=result.pain,
        limit=result.limit,
        message=message,
    )


@router.get("/{session_id}/summary", responses=NOT_FOUND)
def get_summary(
    session_id: SessionId, db: DbDep, user: UserDep, settings: SettingsDep
) -> SummaryOut:
    """Totals of the session so far."""
    _open(db, user, session_id, settings)
    return SummaryOut.of(summarize(db, session_id=session_id))
