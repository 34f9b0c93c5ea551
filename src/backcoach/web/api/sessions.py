"""``/api/v1/sessions``: start a guided session, send its events, finish it.

The session engine runs on the server; every event is applied at the server's
clock and stored, so a reload or a server restart continues at the same step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from backcoach.coach.planner import PlanRefused
from backcoach.content import Catalog, Length
from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.services import session_events
from backcoach.services.clock import SessionClock
from backcoach.services.session_events import (
    EventType,
    ExerciseBlocked,
    NotOnExercise,
    open_session,
    send_event,
)
from backcoach.services.session_start import create_session
from backcoach.services.sessions import (
    ActiveSession,
    SessionBusy,
    SessionSummary,
    summarize,
)
from backcoach.store import PainLocation
from backcoach.web.deps import CatalogDep, DbDep, SettingsDep, UserDep, owner_of
from backcoach.web.presenters.player import (
    NoticeView,
    PlayerState,
    notice_views,
    player_state,
)

router = APIRouter(prefix="/sessions", tags=["sessions"])

SessionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Session id")]
Pain = Annotated[int, Field(ge=0, le=10, description="0 = no pain, 10 = worst imaginable")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No session with this id"},
    503: {"description": "Other changes to the session kept winning; try again"},
}


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
    effort: Annotated[int, Field(ge=0, le=10)] | None = Field(
        default=None,
        description="How hard the session felt (RPE): 0 = no effort, 10 = as hard as you could go",
    )
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


def _not_found(session_id: int) -> HTTPException:
    return HTTPException(404, _("No session with id {id}.").format(id=session_id))


def _busy(exc: SessionBusy) -> HTTPException:
    return HTTPException(503, str(exc), headers={"Retry-After": "1"})


def _open(db: DbDep, user: UserDep, session_id: int, settings: SettingsDep) -> ActiveSession:
    try:
        return open_session(
            db, session_id=session_id, user_id=user.id, clock=SessionClock.of(settings)
        )
    except SessionBusy as exc:
        raise _busy(exc) from None
    except UsageError:
        raise _not_found(session_id) from None


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
    return player_state(active, SessionClock.of(settings), catalog)


@router.get("/{session_id}", responses=NOT_FOUND)
def get_state(
    session_id: SessionId, db: DbDep, user: UserDep, settings: SettingsDep, catalog: CatalogDep
) -> PlayerState:
    """Where the session is now: step, set, side, countdown, reps, and the figure's pose."""
    active = _open(db, user, session_id, settings)
    return player_state(active, SessionClock.of(settings), catalog)


@router.post("/{session_id}/events", responses=NOT_FOUND)
async def post_event(
    session_id: SessionId,
    body: EventIn,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> EventOut:
    """Apply one event (start, tick, rep_done, hold_done, pause, resume, skip, back, quit, hurt).

    Returns the new state and what happened (``notices``, with short cues to show or speak).
    """
    # The player sends a tick every second: its blocking work (whose request, the change,
    # the answer) takes one trip to the thread pool, not one per dependency and one more
    # to check the answer.
    return await run_in_threadpool(
        _apply_event, request, session_id, body.type, db, SessionClock.of(settings), catalog
    )


def _apply_event(
    request: Request,
    session_id: int,
    kind: EventType,
    db: Session,
    clock: SessionClock,
    catalog: Catalog,
) -> EventOut:
    owner = owner_of(request)  # no query: the lock checks whose session it is
    try:
        changed = send_event(db, session_id=session_id, user_id=owner, kind=kind, clock=clock)
    except SessionBusy as exc:
        raise _busy(exc) from None
    except ExerciseBlocked as blocked:
        raise HTTPException(409, blocked.block.web_message) from None
    except UsageError:
        raise _not_found(session_id) from None
    return EventOut(
        state=player_state(changed.active, clock, catalog),
        notices=notice_views(changed.value, changed.active, catalog),
    )


@router.post("/{session_id}/finish", responses=NOT_FOUND)
def finish(
    session_id: SessionId, body: FinishIn, db: DbDep, user: UserDep, settings: SettingsDep
) -> SummaryOut:
    """Close the session with the after check-in (pain and effort); returns the summary."""
    clock = SessionClock.of(settings)
    try:
        summary = session_events.finish(
            db,
            session_id=session_id,
            user_id=user.id,
            clock=clock,
            pain_after=body.pain_after,
            effort=body.effort,
            location=body.location,
        )
    except SessionBusy as exc:
        raise _busy(exc) from None
    except UsageError:
        raise _not_found(session_id) from None
    return SummaryOut.of(summary)


@router.post(
    "/{session_id}/hurt",
    responses={**NOT_FOUND, 409: {"description": "The session is not on an exercise"}},
)
def this_hurts(
    session_id: SessionId, body: HurtIn, db: DbDep, user: UserDep, settings: SettingsDep
) -> HurtOut:
    """ "This hurts" on the current exercise: stores the pain and says whether to stop it.

    The planner makes that exercise easier next time either way. Send ``skip`` or
    ``hurt`` (end the session) afterwards, as the person chooses.
    """
    try:
        advice = session_events.this_hurts(
            db,
            session_id=session_id,
            user_id=user.id,
            pain=body.pain,
            location=body.location,
            clock=SessionClock.of(settings),
        )
    except NotOnExercise as exc:
        raise HTTPException(409, str(exc)) from None
    except SessionBusy as exc:
        raise _busy(exc) from None
    except UsageError:
        raise _not_found(session_id) from None
    return HurtOut(
        exercise_id=advice.exercise_id,
        stop=advice.stop,
        pain=advice.pain,
        limit=advice.limit,
        message=advice.message,
    )


@router.get("/{session_id}/summary", responses=NOT_FOUND)
def get_summary(
    session_id: SessionId, db: DbDep, user: UserDep, settings: SettingsDep
) -> SummaryOut:
    """Totals of the session so far."""
    _open(db, user, session_id, settings)
    return SummaryOut.of(summarize(db, session_id=session_id))
