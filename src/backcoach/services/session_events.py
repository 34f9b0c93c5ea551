"""What people do during a session, as the web player and the terminal both send it.

Every function here changes the session through ``sessions.change_session``
(one writer at a time, enforced by the database), at the engine time of a
``SessionClock``: wall-clock time times ``Settings.time_scale``, the same in
the browser and in the terminal, so it survives a restart and tests run fast.

Left alone: a page sends a ``tick`` about every second while a session runs,
the terminal as often. When no event arrived for ``STALE_AFTER_S`` real
seconds (the page was closed, the laptop slept, the server restarted), the
session is paused at the moment it was last seen, before anything else is
applied: the person comes back to the same step and presses Resume, instead of
finding that holds and rests ran on without them.

"This hurts" (``this_hurts``): the pain is stored as a check-in on the current
exercise (the planner makes it easier next time) and the answer says whether
to stop it. Then the person chooses, in the browser and in the terminal alike:
skip this exercise (``resume`` if paused, then ``skip``), carry on gently, or
end the session (``hurt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
    SessionState,
    Skip,
    Start,
    Status,
    Tick,
)
from backcoach.coach.progression import STOP_MESSAGE
from backcoach.content import Kind
from backcoach.errors import BackcoachError, UsageError
from backcoach.i18n import N_, _
from backcoach.services.checkins import HurtResult, record_this_hurts
from backcoach.services.clock import SessionClock
from backcoach.services.safety import Block, exercise_block
from backcoach.services.sessions import (
    ActiveSession,
    Changed,
    SessionChange,
    SessionSummary,
    change_from_written,
    change_session,
    close_session,
    load_session,
    summarize,
)
from backcoach.store import PainLocation, StepSource
from backcoach.store.sessions import Owner

STALE_AFTER_S = 15.0
#: A running session is sent a tick at least this often (real seconds), by the page and the
#: terminal alike, and whenever a countdown moves on.
HEARTBEAT_S = 1.0

GENTLE_MESSAGE = N_(
    "Thank you for telling us. Make the movement smaller and slower, or skip this exercise. "
    "Stop at once if the pain grows; never push through pain. It will be easier next time."
)


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


class NotOnExercise(UsageError):
    """ "This hurts" while the session is on no exercise (not started, or finished)."""


@dataclass(frozen=True)
class HurtAdvice:
    """The answer to "this hurts": stop this exercise (``stop``) or go gently, and why."""

    exercise_id: str
    stop: bool
    pain: int
    limit: int
    message: str


#: Events that move exercise on: refused while a red flag blocks exercise.
EXERCISING = frozenset(
    {
        EventType.START,
        EventType.RESUME,
        EventType.REP_DONE,
        EventType.HOLD_DONE,
        EventType.SKIP,
        EventType.BACK,
    }
)


class ExerciseBlocked(BackcoachError):
    """A red flag stops every path to exercise, a session already begun included."""

    def __init__(self, block: Block) -> None:
        super().__init__(block.cli_message)
        self.block = block


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


def _pause_if_stale(tx: SessionChange, clock: SessionClock) -> None:
    tx.notices.extend(pause_if_stale(tx.active, clock))


def open_session(
    db: Session, *, session_id: int, user_id: int | None, clock: SessionClock
) -> ActiveSession:
    """The stored session with its engine, paused first if it was left running.

    Reads only, unless the session has to be paused (see the module doc).

    Raises:
        UsageError: no such session for this user.
    """
    active = load_session(db, session_id=session_id, user_id=user_id)
    state = active.engine.state
    if state.status is not Status.RUNNING or state.last_t is None:
        return active
    if (clock.now() - state.last_t) / clock.time_scale <= STALE_AFTER_S:
        return active
    changed = change_session(
        db,
        session_id=session_id,
        user_id=user_id,
        now=clock.wall(),
        change=lambda tx: _pause_if_stale(tx, clock),
    )
    return changed.active


def send_event(
    db: Session,
    *,
    session_id: int,
    user_id: Owner,
    kind: EventType,
    clock: SessionClock,
    source: StepSource = StepSource.MANUAL,
) -> Changed[list[Notice]]:
    """Apply one event at the clock's engine time and store the result; ``value``: its notices.

    Raises:
        UsageError: no such session for this user.
        ExerciseBlocked: a red flag since the session began; only pausing, quitting,
            "this hurts" and time passing are accepted until a new screening is clear.
    """

    def apply(tx: SessionChange) -> list[Notice]:
        if kind in EXERCISING:
            block = exercise_block(tx.db, user_id=tx.row.user_id)
            if block is not None:
                raise ExerciseBlocked(block)
        _pause_if_stale(tx, clock)
        return tx.apply(make_event(kind, clock.now()))

    if kind is EventType.TICK:  # every second: from the session as last written, when it can

        def tick(active: ActiveSession, notices: list[Notice]) -> list[Notice]:
            notices.extend(pause_if_stale(active, clock))
            happened = active.engine.apply(make_event(kind, clock.now()))
            notices.extend(happened)
            return happened

        ticked = change_from_written(db, session_id=session_id, user_id=user_id, change=tick)
        if ticked is not None:
            return ticked
    return change_session(
        db, session_id=session_id, user_id=user_id, now=clock.wall(), change=apply, source=source
    )


def this_hurts(
    db: Session,
    *,
    session_id: int,
    user_id: int | None,
    pain: int,
    clock: SessionClock,
    location: PainLocation = PainLocation.LOW_BACK,
) -> HurtAdvice:
    """ "This hurts" on the current exercise: store the pain, say whether to stop it.

    Raises:
        UsageError: no such session, or pain outside 0-10.
        NotOnExercise: the session is not on an exercise right now.
    """
    results: list[HurtResult] = []

    def hurt(tx: SessionChange) -> str:
        _pause_if_stale(tx, clock)
        step = tx.engine.step
        if step is None or tx.engine.state.finished:
            raise NotOnExercise(_("The session is not on an exercise right now."))
        tx.after(
            lambda db: results.append(
                record_this_hurts(
                    db,
                    user_id=tx.row.user_id,
                    session_id=session_id,
                    exercise_id=step.exercise_id,
                    pain=pain,
                    location=location,
                    now=tx.now,
                )
            )
        )
        return step.exercise_id

    exercise_id = change_session(
        db, session_id=session_id, user_id=user_id, now=clock.wall(), change=hurt
    ).value
    (result,) = results
    return HurtAdvice(
        exercise_id=exercise_id,
        stop=result.stop,
        pain=result.pain,
        limit=result.limit,
        message=_(STOP_MESSAGE) if result.stop else _(GENTLE_MESSAGE),
    )


def finish(
    db: Session,
    *,
    session_id: int,
    user_id: int | None,
    clock: SessionClock,
    pain_after: int | None = None,
    effort: int | None = None,
    location: PainLocation = PainLocation.LOW_BACK,
) -> SessionSummary:
    """Close the session with the after check-in (pain and effort); returns the summary.

    A session still going is quit first (paused where it was left, if it was
    left alone), so its snapshot and its status say the same. Commits once.

    Raises:
        UsageError: no such session, or pain or effort outside 0-10.
    """

    def close(tx: SessionChange) -> None:
        _pause_if_stale(tx, clock)
        if not tx.engine.state.finished:
            tx.apply(Quit(clock.now()))
        close_session(tx, pain_after=pain_after, effort=effort, location=location, checkin=True)

    change_session(db, session_id=session_id, user_id=user_id, now=clock.wall(), change=close)
    return summarize(db, session_id=session_id)


def count_text(state: SessionState, kind: Kind) -> str | None:
    """Reps (or breaths) done of the target, such as ``2 of 5 reps``; None when not counting.

    The player page and the terminal show the same count: after two taps, 2.
    """
    if state.reps_target is None or state.status is Status.NOT_STARTED:
        return None
    text = _("{done} of {n} breaths") if kind is Kind.BREATHING else _("{done} of {n} reps")
    return text.format(done=state.reps_done, n=state.reps_target)
