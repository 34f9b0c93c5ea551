"""The session player's server side: the clock, the events, and what the page shows.

The session engine lives on the server (``services.sessions``); the browser
sends events and draws the state it gets back. Engine time is wall-clock time
multiplied by ``Settings.time_scale``, so it survives a server restart and tests
can run sessions fast.

The browser sends a ``tick`` about every second while a session runs. When no
event arrived for ``STALE_AFTER_S`` real seconds (the page was closed, the
laptop slept, the server restarted), the session is paused at the moment it was
last seen: the person comes back to the same step and presses Resume, instead
of finding that holds and rests ran on without them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.orm import Session

from backcoach.coach.engine import (
    Back,
    Event,
    HoldDone,
    Hurt,
    Notice,
    Pause,
    Quit,
    RepDone,
    Resume,
    Skip,
    Start,
    Status,
    Tick,
)
from backcoach.services.clock import SessionClock
from backcoach.services.sessions import (
    ActiveSession,
    apply_event,
    load_session,
    record_notices,
)

STALE_AFTER_S = 15.0


class EventType(StrEnum):
    START = "start"
    TICK = "tick"
    REP_DONE = "rep_done"
    HOLD_DONE = "hold_done"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    BACK = "back"
    QUIT = "quit"
    HURT = "hurt"


_EVENTS: dict[EventType, type[Event]] = {
    EventType.START: Start,
    EventType.TICK: Tick,
    EventType.REP_DONE: RepDone,
    EventType.HOLD_DONE: HoldDone,
    EventType.PAUSE: Pause,
    EventType.RESUME: Resume,
    EventType.SKIP: Skip,
    EventType.BACK: Back,
    EventType.QUIT: Quit,
    EventType.HURT: Hurt,
}


def make_event(kind: EventType, t: float) -> Event:
    return _EVENTS[kind](t)


def pause_if_stale(active: ActiveSession, clock: SessionClock) -> list[Notice]:
    """Pause a running session nobody has sent events to for a while (see module doc)."""
    state = active.engine.state
    if state.status is not Status.RUNNING or state.last_t is None:
        return []
    if (clock.now() - state.last_t) / clock.time_scale <= STALE_AFTER_S:
        return []
    return active.engine.apply(Pause(state.last_t))


class SessionLocks:
    """One lock per session id: events of one session are applied one at a time."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)

    def __call__(self, session_id: int) -> threading.Lock:
        with self._guard:
            return self._locks[session_id]


class StepView(BaseModel):
    index: int
    exercise_id: str
    name: str
    kind: str
    sets: int
    reps: int | None
    hold_s: float | None
    duration_s: float | None
    per_side: bool
    rest_s: float
    variant: str
    notes: list[str]


class NoticeView(BaseModel):
    kind: str
    step_index: int
    say: str | None


class PlayerState(BaseModel):
    """Everything the player page needs to draw the current moment of a session."""

    session_id: int
    status: str
    ended_by: str | None
    step_index: int
    steps_total: int
    steps_done: int
    step: StepView | None
    set_number: int
    side: str | None
    phase: str
    activity: str | None
    remaining_s: float | None
    activity_total_s: float | None
    reps_done: int
    reps_target: int | None
    time_scale: float
    active_s: float


def step_view(active: ActiveSession, index: int) -> StepView | None:
    if not 0 <= index < len(active.plan.steps):
        return None
    step = active.plan.steps[index]
    return StepView(
        index=index,
        exercise_id=step.exercise_id,
        name=step.name,
        kind=step.kind.value,
        sets=step.sets,
        reps=step.reps,
        hold_s=step.hold_s,
        duration_s=step.duration_s,
        per_side=step.per_side,
        rest_s=step.rest_s,
        variant=step.variant.value,
        notes=list(step.notes),
    )


def player_state(active: ActiveSession, clock: SessionClock) -> PlayerState:
    state = active.engine.state
    return PlayerState(
        session_id=active.id,
        status=state.status.value,
        ended_by=state.ended_by.value if state.ended_by else None,
        step_index=state.step_index,
        steps_total=state.steps_total,
        steps_done=len(state.records),
        step=step_view(active, state.step_index),
        set_number=state.set_index + 1,
        side=state.side.value if state.side else None,
        phase=state.phase.value,
        activity=state.activity.value if state.activity else None,
        remaining_s=state.remaining_s,
        activity_total_s=state.activity_total_s,
        reps_done=state.reps_done,
        reps_target=state.reps_target,
        time_scale=clock.time_scale,
        active_s=state.active_s,
    )


def notice_views(notices: list[Notice]) -> list[NoticeView]:
    return [NoticeView(kind=n.kind.value, step_index=n.step_index, say=n.say) for n in notices]


def open_session(
    db: Session, *, session_id: int, user_id: int, clock: SessionClock
) -> ActiveSession:
    """The stored session with its engine, paused first if it was left running (see above).

    Raises:
        UsageError: no such session for this user.
    """
    active = load_session(db, session_id=session_id, user_id=user_id)
    notices = pause_if_stale(active, clock)
    if notices:
        record_notices(db, active=active, notices=notices, now=clock.wall(), checkpoint=True)
    return active


def send_event(
    db: Session, *, active: ActiveSession, kind: EventType, clock: SessionClock
) -> list[Notice]:
    """Apply one event at the current engine time and store the result."""
    return apply_event(db, active=active, event=make_event(kind, clock.now()), now=clock.wall())
