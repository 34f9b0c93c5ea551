"""``/api/v1/sessions``: start a guided session, send its events, finish it.

The session engine runs on the server; every event is applied at the server's
clock and stored, so a reload or a server restart continues at the same step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field

from backcoach.content import Length
from backcoach.errors import UsageError
from backcoach.services.sessions import (
    ActiveSession,
    SessionSummary,
    finish_session,
    summarize,
)
from backcoach.web.deps import CatalogDep, DbDep, SettingsDep, UserDep
from backcoach.web.player import (
    EventType,
    NoticeView,
    PlayerState,
    SessionClock,
    SessionLocks,
    notice_views,
    open_session,
    player_state,
    send_event,
)
from backcoach.web.sessions_start import create_session

router = APIRouter(prefix="/sessions", tags=["sessions"])

SessionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Session id")]
Pain = Annotated[int, Field(ge=0, le=10, description="0 = no pain, 10 = worst imaginable")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No session with this id"}}


class SessionCreate(BaseModel):
    length: Length = Length.SHORT
    pain_before: Pain | None = None


class EventIn(BaseModel):
    type: EventType
    pain: Pain | None = Field(
        default=None, description="With 'hurt' or 'skip': how much it hurts right now."
    )


class EventOut(BaseModel):
    state: PlayerState
    notices: list[NoticeView]


class FinishIn(BaseModel):
    pain_after: Pain | None = None
    effort: Pain | None = Field(default=None, description="Effort 0-10 (RPE)")


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


@router.post("", status_code=status.HTTP_201_CREATED)
def start(
    body: SessionCreate, db: DbDep, user: UserDep, settings: SettingsDep, catalog: CatalogDep
) -> PlayerState:
    """Create a session from today's plan (not started yet: send a ``start`` event)."""
    active = create_session(
        db,
        user_id=user.id,
        catalog=catalog,
        clock=SessionClock.of(settings),
        length=body.length,
        pain_before=body.pain_before,
    )
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
    summary = finish_session(
        db,
        session_id=session_id,
        now=SessionClock.wall(),
        pain_after=body.pain_after,
        effort=body.effort,
    )
    return SummaryOut.of(summary)


@router.get("/{session_id}/summary", responses=NOT_FOUND)
def get_summary(
    session_id: SessionId, db: DbDep, user: UserDep, settings: SettingsDep
) -> SummaryOut:
    """Totals of the session so far."""
    _open(db, user, session_id, settings)
    return SummaryOut.of(summarize(db, session_id=session_id))
