"""The session engine's vocabulary: events in, notices out, and the state between.

Everything here is plain frozen data; ``engine.py`` holds the rules that
move from one state to the next. Import these names from
``backcoach.coach.engine``, which re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# --- events ---------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """Begin the session (at the first step, or the ``resume_at`` step)."""

    t: float


@dataclass(frozen=True)
class Tick:
    """Time passes; countdowns move."""

    t: float


@dataclass(frozen=True)
class RepDone:
    """The person finished a rep (or a breath); during a rest: "I'm ready"."""

    t: float


@dataclass(frozen=True)
class HoldDone:
    """End the current hold or timed work now."""

    t: float


@dataclass(frozen=True)
class Pause:
    t: float


@dataclass(frozen=True)
class Resume:
    t: float


@dataclass(frozen=True)
class Skip:
    """Skip the current step."""

    t: float


@dataclass(frozen=True)
class Back:
    """Go back to the previous step (or restart the first)."""

    t: float


@dataclass(frozen=True)
class Quit:
    t: float


@dataclass(frozen=True)
class Hurt:
    """The person reports pain: the session stops."""

    t: float


Event = Start | Tick | RepDone | HoldDone | Pause | Resume | Skip | Back | Quit | Hurt


# --- state ----------------------------------------------------------------


class Status(StrEnum):
    NOT_STARTED = "not-started"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


class EndReason(StrEnum):
    COMPLETED = "completed"  # went past the last step with at least half the steps done
    ENDED_EARLY = "ended-early"  # went past the last step with fewer than half done
    QUIT = "quit"
    HURT = "hurt"


class Phase(StrEnum):
    IDLE = "idle"  # before the start and after the end
    WORK = "work"
    REST = "rest"


class Activity(StrEnum):
    """What the person is doing right now."""

    GET_READY = "get-ready"  # a few seconds to get into position before a hold or timed work
    COUNT_REPS = "count-reps"
    MOVE = "move"
    HOLD = "hold"
    KEEP_MOVING = "keep-moving"
    BREATHE_IN = "breathe-in"
    BREATHE_HOLD = "breathe-hold"
    BREATHE_OUT = "breathe-out"
    REST = "rest"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"


class StepStatus(StrEnum):
    COMPLETED = "completed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepRecord:
    """What was done of one step (completed, or skipped part-way)."""

    index: int
    exercise_id: str
    status: StepStatus
    reps: int  # reps or breaths, all sets and sides
    hold_s: float  # seconds held
    duration_s: float  # active seconds on the step, rests included
    sets_done: int


@dataclass(frozen=True)
class SessionState:
    """A read-only view of the session. Times are in seconds of event time."""

    steps_total: int
    status: Status = Status.NOT_STARTED
    ended_by: EndReason | None = None
    start_index: int = 0
    step_index: int = 0
    set_index: int = 0  # 0-based
    side_index: int = 0  # 0-based
    side: Side | None = None
    phase: Phase = Phase.IDLE
    activity: Activity | None = None
    remaining_s: float | None = None  # of the current countdown (None while counting reps)
    activity_total_s: float | None = None
    reps_done: int = 0  # in the current set and side
    reps_target: int | None = None
    step_reps: int = 0
    step_hold_s: float = 0.0
    step_active_s: float = 0.0
    step_sets_done: int = 0
    records: tuple[StepRecord, ...] = ()
    started_at: float | None = None
    last_t: float | None = None
    ended_at: float | None = None
    active_s: float = 0.0
    paused_s: float = 0.0

    @property
    def finished(self) -> bool:
        return self.status is Status.FINISHED

    @property
    def paused(self) -> bool:
        return self.status is Status.PAUSED

    @property
    def completed(self) -> tuple[int, ...]:
        """Indexes of completed steps."""
        return tuple(r.index for r in self.records if r.status is StepStatus.COMPLETED)

    @property
    def skipped(self) -> tuple[int, ...]:
        """Indexes of skipped steps."""
        return tuple(r.index for r in self.records if r.status is StepStatus.SKIPPED)


class NoticeKind(StrEnum):
    SESSION_STARTED = "session_started"
    STEP_STARTED = "step_started"
    STEP_REOPENED = "step_reopened"
    SIDE_STARTED = "side_started"
    REP_DONE = "rep_done"
    HOLD_STARTED = "hold_started"
    WORK_STARTED = "work_started"  # timed work begins after its get-ready
    HOLD_DONE = "hold_done"
    BREATH = "breath"  # a breath phase began; ``say`` names it
    COUNTDOWN = "countdown"  # 3, 2, 1 before a get-ready, hold, timed work or rest ends
    SET_DONE = "set_done"
    REST_STARTED = "rest_started"
    REST_DONE = "rest_done"
    STEP_COMPLETED = "step_completed"
    STEP_SKIPPED = "step_skipped"
    PAUSED = "paused"
    RESUMED = "resumed"
    SESSION_FINISHED = "session_finished"


@dataclass(frozen=True)
class Notice:
    """Something that just happened. ``say`` is a short cue to show or speak."""

    kind: NoticeKind
    step_index: int
    say: str | None = None
    record: StepRecord | None = None  # for step_completed and step_skipped


@dataclass(frozen=True)
class Summary:
    ended_by: EndReason | None
    steps_total: int
    steps_completed: int
    steps_skipped: int
    active_s: float
    paused_s: float
    reps: int
    hold_s: float
    records: tuple[StepRecord, ...]
