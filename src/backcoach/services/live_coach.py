"""Live camera coaching: landmarks from the browser in, feedback out.

The browser runs pose estimation itself and sends only landmarks (never an
image). Each connection's frames go through the same Python analyzer that
``backcoach analyze`` uses, under the same shared rules (``Guided``: one
person, counting once they are ready, hints naming the joints out of view,
and the dose: a rep with a hold counts only when held its dosed time, with
"Hold... 2 more seconds" while it lasts). This module holds the parts that do not depend
on the web framework (what a client may send, ``parse_message`` and
``RateLimiter``, is ``live_protocol``'s; they are re-exported here):

* ``LiveCoach``: one exercise's analyzer plus what the page shows besides the
  analyzer's own feedback: the time offset that lets a reconnecting client
  start its clock from zero again, and the hold clock that pauses (and says
  why) when a hold's form breaks.
* ``SessionCoach``: a ``LiveCoach`` for the current step of a guided session
  that turns what the camera sees into the session engine's events (a rep
  counted, a hold started, a hold paused and resumed), recorded with source
  ``camera``. The manual buttons keep working alongside: they add a rep the
  camera missed, or go back to redo a step. Both write through
  ``sessions.change_session``, so neither overwrites what the other counted.

Rules for driving the session engine from the camera:

* counting reps: every rep the analyzer finishes is a ``RepDone``;
* reps with a hold (glute bridge): a rep counts only when the engine's dosed
  hold time is reached. Reaching the position while moving into it starts the
  hold at once; coming down early pauses the hold with a plain reason and the
  seconds left, and it resumes when the position is back (``camera_hold``);
* holds (plank): reaching the position while getting ready starts the hold;
  when the form breaks during the hold the session is paused, with the
  analyzer's reason, and it resumes by itself when the position is back.

The engine's state is the only count and the only hold clock the session page
shows: the camera's replies carry no count of their own for a session, only
whether the camera changed the session (the page then redraws from it), its
reason for a pause, and its form cues.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from backcoach.coach.engine import (
    Activity,
    Event,
    Pause,
    RepDone,
    Resume,
    SessionState,
    Status,
    Tick,
)
from backcoach.coach.plan import PlannedStep
from backcoach.content import Exercise, Kind
from backcoach.errors import UsageError
from backcoach.i18n import N_, _
from backcoach.services.camera_hold import Action, Position, hold_action, pause_reason, position
from backcoach.services.live_protocol import (
    BURST_FRAMES,
    MAX_FRAMES_PER_S,
    MAX_MESSAGE_BYTES,
    MAX_REJECTED_IN_A_ROW,
    SERVER_MAX_MESSAGE_BYTES,
    ProtocolError,
    RateLimiter,
    error_message,
    parse_message,
)
from backcoach.services.sessions import (
    ActiveSession,
    SessionChange,
    change_session,
    load_session,
)
from backcoach.store import StepSource
from backcoach.vision.analyzers import Analyzer, Feedback, get_analyzer
from backcoach.vision.analyzers.base import UNFINISHED, Guided
from backcoach.vision.counting import Dose
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.wording import shown

__all__ = [
    "BURST_FRAMES",
    "MAX_FRAMES_PER_S",
    "MAX_MESSAGE_BYTES",
    "MAX_REJECTED_IN_A_ROW",
    "SERVER_MAX_MESSAGE_BYTES",
    "LiveCoach",
    "LiveCoaches",
    "ProtocolError",
    "RateLimiter",
    "SessionCoach",
    "error_message",
    "exercise_dose",
    "make_analyzer",
    "parse_message",
    "step_dose",
]

#: Gap put between the last frame of a dropped connection and a reconnected client's first.
RECONNECT_GAP_S = 1 / 30
#: Coaches of sessions going on but with no connection, kept for a reconnect.
MAX_IDLE_COACHES = 32
#: How often (client seconds) the session's state is re-read to notice manual step changes.
SYNC_EVERY_S = 1.0

NO_ANALYZER_HINT = N_("The camera does not check this exercise: use the buttons.")
HOLD_BROKEN = N_("Hold paused: get back into the position.")


def make_analyzer(exercise_id: str, dose: Dose | None = None) -> Analyzer | None:
    """The exercise's analyzer under the shared rules (``Guided``), or None when there is none."""
    try:
        return Guided(get_analyzer(exercise_id), dose=dose)
    except UsageError:
        return None


def _dose(kind: Kind, hold_s: float | None) -> Dose | None:
    if not hold_s or kind not in (Kind.REPS, Kind.HOLD):
        return None
    return Dose(hold_s=hold_s, each_rep=kind is Kind.REPS)


def step_dose(step: PlannedStep) -> Dose | None:
    """What the camera checks of a session step's dose: each rep's hold, or the hold."""
    return _dose(step.kind, step.hold_s)


def exercise_dose(exercise: Exercise) -> Dose | None:
    """The camera's dose for practising an exercise: its default hold time."""
    hold = exercise.dosage.hold_s
    return _dose(exercise.kind, None if hold is None else hold.default)


@dataclass
class LiveCoach:
    """One exercise's analyzer fed by live frames, with a pausing hold clock.

    ``hold_total_s`` adds up the time held in good form; when a hold stops
    without a rep finishing (form broke, person left the position) the clock
    pauses and ``pause_reason`` says why, until the hold resumes.
    """

    exercise_id: str
    analyzer: Analyzer | None
    last_t: float = -math.inf
    offset_s: float = 0.0
    hold_total_s: float = 0.0
    hold_paused: bool = False
    pause_reason: str | None = None
    hold_number: int = 0  # holds begun so far: 1 during (and after) the first
    frames: int = 0
    last: Feedback | None = None

    @classmethod
    def for_exercise(cls, exercise_id: str, dose: Dose | None = None) -> LiveCoach:
        return cls(exercise_id, make_analyzer(exercise_id, dose))

    def new_connection(self) -> None:
        """A client (re)connected: its clock may start again from zero."""
        self.offset_s = math.nan

    def feed(self, frame: LandmarkFrame) -> Feedback:
        """Analyze one frame (its ``t_s`` on the client's clock).

        Raises:
            ProtocolError: the frame's time goes back on this connection's clock.
        """
        if math.isnan(self.offset_s):
            behind = self.last_t + RECONNECT_GAP_S - frame.t_s
            self.offset_s = behind if math.isfinite(behind) and behind > 0 else 0.0
        t = frame.t_s + self.offset_s
        if t < self.last_t:
            raise ProtocolError("time-back", _("'t_s' went back in time; frame ignored."))
        dt = 0.0 if not math.isfinite(self.last_t) else t - self.last_t
        self.last_t = t
        self.frames += 1
        if self.analyzer is None:
            feedback = Feedback(
                exercise=self.exercise_id,
                t_s=t,
                hint=_(NO_ANALYZER_HINT),
                pose_detected=frame.landmarks is not None,
            )
        else:
            shifted = LandmarkFrame(t_s=t, landmarks=frame.landmarks, aspect=frame.aspect)
            feedback = self.analyzer.update(shifted)
        self._hold_clock(feedback, dt)
        self.last = feedback
        return feedback

    def _hold_clock(self, feedback: Feedback, dt: float) -> None:
        was_holding = self.last is not None and self.last.hold_s > 0
        if feedback.hold_s > 0:
            if not was_holding:
                self.hold_number += 1
            if was_holding:
                self.hold_total_s += min(dt, 0.5)  # a dropout longer than that is not held time
            self.hold_paused, self.pause_reason = False, None
        elif was_holding and not feedback.rep_done:
            self.hold_paused = True
            self.pause_reason = shown(feedback.cue or feedback.hint) or _(HOLD_BROKEN)
        elif self.hold_paused and (reason := feedback.cue or feedback.hint):
            self.pause_reason = shown(reason)

    @property
    def holding(self) -> bool:
        return self.last is not None and self.last.hold_s > 0

    def message(self, feedback: Feedback, *, step_done: bool = False) -> dict[str, Any]:
        """The ``feedback`` message sent to the page."""
        message = feedback.to_message()
        message.update(
            step_done=step_done,
            camera_checks=self.analyzer is not None,
            hold_total_s=round(self.hold_total_s, 2),
            hold_paused=self.hold_paused,
            pause_reason=self.pause_reason,
        )
        if self.hold_paused and message["cue"] is None:
            message["cue"] = self.pause_reason
        return message


@dataclass
class SessionCoach:
    """Live coaching of one guided session: follows its current step, drives its engine.

    Shared by the connections of one session (a reconnect resumes the same
    step with the same counts); a connection holds ``turn`` while it feeds a
    frame. ``analyze`` and ``reply`` are quick CPU work; ``sync`` and
    ``update_session`` do database work (call them outside the event loop).

    Between database reads it keeps what it last read of the engine (status,
    activity, reps), so most frames need no database at all; every change
    re-reads the session inside its transaction before deciding.
    """

    session_id: int
    user_id: int
    factory: sessionmaker[Session]
    clock: Callable[[], float]
    wall: Callable[[], datetime] = lambda: datetime.now(UTC)
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    step_index: int = -1
    coach: LiveCoach | None = None
    finished: bool = False
    camera_paused: bool = False
    synced_at: float = -math.inf
    step_done: bool = False
    kind: str = ""
    applied: list[str] = field(default_factory=list)
    connections: int = 0  # counted by ``LiveCoaches``
    # What was last read of the engine (see the class docstring).
    status: Status | None = None
    activity: Activity | None = None
    rep_hold: bool = False  # the step is reps with a hold (glute bridge)
    step_reps: int = 0
    reps_done: int = 0
    # Reps with a hold: the camera's hold going on when the session last counted a rep,
    # whether the camera saw the engine's current hold held, and a hand-made resume.
    counted_hold: int = -1
    held: bool = False
    let_be: bool = False
    pause_reason: str | None = None
    changed: bool = False  # the camera changed the session since the last reply

    def _open(self, db: Session) -> ActiveSession:
        return load_session(db, session_id=self.session_id, user_id=self.user_id)

    def sync(self) -> None:
        """Re-read the session; a new step gets a fresh analyzer.

        Raises:
            UsageError: the session does not exist (for this user).
        """
        with self.factory() as db:
            active = self._open(db)
        self._follow(active)

    def _follow(self, active: ActiveSession) -> None:
        state = active.engine.state
        self.finished = state.finished
        if state.step_index != self.step_index or self.coach is None:
            if self.coach is not None:
                self.step_done = True
            self.step_index = state.step_index
            steps = active.plan.steps
            step = steps[state.step_index] if state.step_index < len(steps) else None
            self.kind = step.kind.value if step is not None else ""
            self.rep_hold = step is not None and step.kind is Kind.REPS and bool(step.hold_s)
            previous = self.coach
            self.coach = (
                LiveCoach.for_exercise(step.exercise_id, step_dose(step))
                if step is not None
                else LiveCoach.for_exercise("")
            )
            if previous is None:
                self.coach.new_connection()
            else:  # same client clock as the step before
                self.coach.offset_s = previous.offset_s
            self.camera_paused = False
            self.pause_reason = None
            self.counted_hold, self.held, self.let_be = -1, False, False
            self.step_reps = state.step_reps
        self._observe(active)

    def _observe(self, active: ActiveSession) -> None:
        """Take in the engine's state of the current step (read or just changed)."""
        state = active.engine.state
        assert self.coach is not None
        if state.step_reps != self.step_reps or state.activity is not Activity.HOLD:
            self.held = False  # a new hold (or none) begins
        if state.step_reps > self.step_reps:  # a rep counted, by the camera, a tap or the clock
            self.counted_hold = self.coach.hold_number
        self.step_reps, self.reps_done = state.step_reps, state.reps_done
        if self.camera_paused and state.status is not Status.PAUSED:
            # Resumed by hand while out of position: leave it be until the position is back.
            self.camera_paused, self.pause_reason = False, None
            self.let_be = self.rep_hold
        if state.activity is not Activity.HOLD:
            self.let_be = False
        self.status, self.activity = state.status, state.activity

    def analyze(self, frame: LandmarkFrame) -> tuple[Feedback | None, Feedback]:
        """Feed the current step's analyzer (CPU only; ``sync`` must have run once).

        Returns the previous feedback and the new one.

        Raises:
            ProtocolError: the frame's time goes back.
        """
        assert self.coach is not None, "call sync() first"
        before = self.coach.last
        feedback = self.coach.feed(frame)
        if self.rep_hold:
            where = self._where()
            if where is Position.IN:
                self.let_be = False
                if self.activity is Activity.HOLD and self.status is Status.RUNNING:
                    self.held = True
        return before, feedback

    def _where(self) -> Position:
        coach = self.coach
        assert coach is not None
        return position(
            coach.last,
            hold_number=coach.hold_number,
            counted_hold=self.counted_hold,
            hold_broken=coach.hold_paused,
        )

    def needs_database(self, before: Feedback | None, feedback: Feedback) -> bool:
        """Whether ``update_session`` has anything to do for this frame."""
        if feedback.t_s - self.synced_at >= SYNC_EVERY_S:
            return True
        if self.finished or self.coach is None or self.coach.analyzer is None:
            return False
        return self._trigger(before, feedback)

    def update_session(self, before: Feedback | None, feedback: Feedback) -> None:
        """Drive the session's engine from the camera and re-read it (blocking database work)."""
        checks = not self.finished and self.coach is not None and self.coach.analyzer is not None
        if checks and self._trigger(before, feedback):
            self._drive(before, feedback)
        if feedback.t_s - self.synced_at >= SYNC_EVERY_S:
            self.sync()
            self.synced_at = feedback.t_s

    def reply(self, feedback: Feedback) -> dict[str, Any]:
        """The feedback message for the page (``step_done`` is sent once per finished step).

        Besides the analyzer's feedback: ``session_changed`` (the camera changed the
        session since the last reply: the page redraws it), ``session_reps`` (the
        engine's count in the current set, as last read), ``paused_by_camera`` and,
        while it is, the reason as ``cue`` and ``pause_reason``.
        """
        assert self.coach is not None
        message = self.coach.message(feedback, step_done=self.step_done)
        message["step_index"] = self.step_index
        message["kind"] = self.kind
        message["session_finished"] = self.finished
        message["session_changed"] = self.changed
        message["session_reps"] = self.reps_done
        message["paused_by_camera"] = self.camera_paused
        if self.camera_paused and self.pause_reason:
            message["cue"] = message["pause_reason"] = self.pause_reason
        self.step_done = False
        self.changed = False
        return message

    def feed(self, frame: LandmarkFrame) -> dict[str, Any]:
        """One frame in, one message out, all in one blocking call."""
        if self.coach is None:
            self.sync()
        before, feedback = self.analyze(frame)
        if self.needs_database(before, feedback):
            self.update_session(before, feedback)
        return self.reply(feedback)

    def new_connection(self) -> None:
        self.synced_at = -math.inf
        if self.coach is not None:
            self.coach.new_connection()

    def _trigger(self, before: Feedback | None, feedback: Feedback) -> bool:
        """Whether this frame may change the session, judged on the state last read."""
        if self.rep_hold:
            action = hold_action(
                self.status,
                self.activity,
                self._where(),
                camera_paused=self.camera_paused,
                let_be=self.let_be,
            )
            return action is not Action.NONE
        started_hold = feedback.hold_s > 0 and (before is None or before.hold_s <= 0)
        broke_hold = self.coach is not None and self.coach.hold_paused and not feedback.rep_done
        return feedback.rep_done or started_hold or broke_hold or self.camera_paused

    def _drive(self, before: Feedback | None, feedback: Feedback) -> None:
        started_hold = feedback.hold_s > 0 and (before is None or before.hold_s <= 0)

        def drive(tx: SessionChange) -> None:
            if tx.engine.state.step_index != self.step_index:
                return  # the page moved on: follow it, count nothing for the old step
            t = self.clock()
            if self.rep_hold and tx.engine.state.status is Status.RUNNING:
                # Bring the engine to now first: a hold whose time is up counts its rep
                # before the camera decides (it must not pause the next rep's move instead).
                tx.apply(Tick(t))
                if tx.engine.state.step_index != self.step_index:
                    return
            state = tx.engine.state
            self._observe(tx.active)
            step = tx.active.plan.steps[state.step_index]
            for event in self._events(step.kind, state, feedback, started_hold, t):
                tx.apply(event)
                self.applied.append(type(event).__name__)
                self.changed = True

        with self.factory() as db:
            changed = change_session(
                db,
                session_id=self.session_id,
                user_id=self.user_id,
                now=self.wall(),
                change=drive,
                source=StepSource.CAMERA,
                form_notes=(self.step_index, self.form_notes()),
            )
        self._follow(changed.active)

    def form_notes(self) -> list[dict[str, Any]]:
        """The current step's form faults so far, one per kind: code, message and how often
        (the analyzer records a fault again only after a cooldown)."""
        analyzer = None if self.coach is None else self.coach.analyzer
        if analyzer is None:
            return []
        notes: dict[str, dict[str, Any]] = {}
        for fault in analyzer.result().faults:
            if fault.code == UNFINISHED:  # about a recording's end, not a live step
                continue
            note = notes.setdefault(
                fault.code, {"code": fault.code, "message": fault.message, "count": 0}
            )
            note["count"] += 1
        return list(notes.values())

    def _events(
        self, kind: Kind, state: SessionState, feedback: Feedback, started_hold: bool, t: float
    ) -> list[Event]:
        if self.rep_hold:
            return self._hold_events(state, t)
        coach = self.coach
        assert coach is not None
        status, activity = state.status, state.activity
        if status is Status.PAUSED:
            if self.camera_paused and coach.holding:
                self.camera_paused = False
                return [Resume(t)]
            return []
        self.camera_paused = False
        if status is not Status.RUNNING:
            return []
        if feedback.rep_done and activity is Activity.COUNT_REPS:
            return [RepDone(t)]
        if started_hold and activity in (Activity.MOVE, Activity.GET_READY):
            return [RepDone(t)]
        if coach.hold_paused and activity is Activity.HOLD and kind is Kind.HOLD:
            self.camera_paused = True
            left = max(1, math.ceil((state.remaining_s or 0.0) - 1e-6))
            self.pause_reason = _("Hold paused with {left} s left: {reason}").format(
                left=left, reason=coach.pause_reason
            )
            return [Pause(t)]
        return []

    def _hold_events(self, state: SessionState, t: float) -> list[Event]:
        """Reps with a hold: the rule of ``camera_hold``."""
        where = self._where()
        action = hold_action(
            state.status,
            state.activity,
            where,
            camera_paused=self.camera_paused,
            let_be=self.let_be,
        )
        if action is Action.START:
            self.held = True
            return [RepDone(t)]
        if action is Action.RESUME:
            self.camera_paused, self.pause_reason, self.held = False, None, True
            return [Resume(t)]
        if action is Action.PAUSE:
            assert self.coach is not None
            self.camera_paused = True
            self.pause_reason = pause_reason(
                self.coach.exercise_id, where, held=self.held, remaining_s=state.remaining_s or 0.0
            )
            return [Pause(t)]
        return []


class LiveCoaches:
    """The ``SessionCoach`` of every session with a camera connected, and a few idle ones.

    A connection takes its session's coach with ``connect`` and always gives it back
    with ``release`` (in a ``finally``). A coach nobody uses any more is dropped at
    once, unless its session is going on (``keep``): then it waits for a reconnect
    (a reloaded page resumes the step with its count), and only the
    ``MAX_IDLE_COACHES`` most recently released wait. Coaches are keyed by user and
    session, so one person's connections never touch another's.
    """

    def __init__(self, *, max_idle: int = MAX_IDLE_COACHES) -> None:
        self._guard = threading.Lock()
        self._coaches: dict[tuple[int, int], SessionCoach] = {}
        self._idle: OrderedDict[tuple[int, int], None] = OrderedDict()  # oldest first
        self._max_idle = max_idle

    def connect(
        self,
        session_id: int,
        *,
        user_id: int,
        factory: sessionmaker[Session],
        clock: Callable[[], float],
    ) -> SessionCoach:
        """The session's coach (a new one, or the one kept), counted as in use."""
        key = (user_id, session_id)
        with self._guard:
            coach = self._coaches.get(key)
            if coach is None:
                coach = SessionCoach(session_id, user_id, factory, clock)
                self._coaches[key] = coach
            self._idle.pop(key, None)
            coach.connections += 1
            return coach

    def release(self, coach: SessionCoach, *, keep: bool) -> None:
        """A connection is done with ``coach``; ``keep`` it for a reconnect or drop it."""
        key = (coach.user_id, coach.session_id)
        with self._guard:
            coach.connections -= 1
            if self._coaches.get(key) is not coach or coach.connections > 0:
                return
            if not keep:
                del self._coaches[key]
                return
            self._idle[key] = None
            while len(self._idle) > self._max_idle:
                oldest, _ = self._idle.popitem(last=False)
                del self._coaches[oldest]

    def __len__(self) -> int:
        with self._guard:
            return len(self._coaches)

    def __contains__(self, key: object) -> bool:
        """``(user_id, session_id) in coaches``: whether that session has a coach."""
        with self._guard:
            return key in self._coaches
