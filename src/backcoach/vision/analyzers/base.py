"""The ``Analyzer`` protocol, its feedback and result types, and the shared record-keeper.

An analyzer is fed one ``LandmarkFrame`` at a time (from a video, a landmark
file or the live WebSocket) and answers each with a ``Feedback``; at any time
``result()`` gives the whole analysis so far in the ``backcoach analyze`` JSON
shape. Analyzers are pure: no I/O, no clock reads (time comes from ``t_s``).

Example:
    >>> from backcoach.vision.analyzers import get_analyzer
    >>> analyzer = get_analyzer("squat")  # doctest: +SKIP
    >>> for frame in frames:  # doctest: +SKIP
    ...     feedback = analyzer.update(frame)
    >>> analyzer.result().to_json()  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from backcoach.i18n import N_
from backcoach.vision.counting import Dose, HoldSpan, Rep
from backcoach.vision.framing import (
    GET_READY_HINT,
    LOST_HINT,
    READY_HINT,
    ReadyGate,
    SteadyHint,
    TrackLock,
    framing_hint,
    missing_joints,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.view import NO_PERSON_HINT, PART_HINTS, SetupCheck
from backcoach.vision.wording import HOLD_EACH_LIFT, HOLD_MORE

#: Fault code of a rep the video cut off after its end position was reached.
UNFINISHED = "unfinished"
UNFINISHED_MESSAGE = N_("The recording ends during a repetition; that last one is not counted.")


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the coach says after one frame.

    Attributes:
        exercise: exercise id.
        t_s: the frame's time.
        reps: repetitions counted so far (for per-side exercises, both sides).
        hold_s: length of the hold in progress (0 when not holding).
        cue: a form correction to say now ("Lift your hips a little higher"), or None.
        hint: a camera/setup hint ("Move back so your feet are in the picture"), or None.
        side: the side working now (``"left"``/``"right"``), or None.
        phase: the analyzer's phase name (``"rest"``, ``"up"``, ``"hold"``, ``"unknown"`` ...).
        view: the camera view detected (``"side"``/``"front"``) or None.
        pose_detected: a person was seen in this frame.
        rep_done: a repetition finished on this frame.
        faults: codes of the form faults seen on this frame.
        reps_by_side: per-side counts for per-side exercises (empty otherwise).
        ready: the person has held the start position, so repetitions count.
    """

    exercise: str
    t_s: float
    reps: int = 0
    hold_s: float = 0.0
    cue: str | None = None
    hint: str | None = None
    side: str | None = None
    phase: str = "unknown"
    view: str | None = None
    pose_detected: bool = True
    rep_done: bool = False
    faults: tuple[str, ...] = ()
    reps_by_side: dict[str, int] = field(default_factory=dict)
    ready: bool = True

    def to_message(self) -> dict[str, Any]:
        """The WebSocket ``feedback`` message (the web layer adds ``step_done``)."""
        return {
            "type": "feedback",
            "exercise": self.exercise,
            "t_s": round(self.t_s, 3),
            "reps": self.reps,
            "hold_s": round(self.hold_s, 2),
            "cue": self.cue,
            "hint": self.hint,
            "side": self.side,
            "phase": self.phase,
            "view": self.view,
            "pose_detected": self.pose_detected,
            "rep_done": self.rep_done,
            "faults": list(self.faults),
            "reps_by_side": dict(self.reps_by_side),
            "ready": self.ready,
        }


@dataclass(frozen=True, slots=True)
class RepEvent:
    index: int
    start_s: float
    end_s: float
    side: str | None = None
    quality: float = 1.0
    faults: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "side": self.side,
            "quality": round(self.quality, 2),
            "faults": list(self.faults),
        }


@dataclass(frozen=True, slots=True)
class Hold:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_json(self) -> dict[str, Any]:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "duration_s": round(self.duration_s, 3),
        }


@dataclass(frozen=True, slots=True)
class Fault:
    code: str
    t_s: float
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "t_s": round(self.t_s, 3), "message": self.message}


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """A whole analysis, serialised by ``to_json`` to the ``backcoach analyze --json`` shape."""

    exercise: str
    frames: int
    fps: float
    duration_s: float
    pose_detected_ratio: float
    reps: int
    rep_events: tuple[RepEvent, ...] = ()
    holds: tuple[Hold, ...] = ()
    faults: tuple[Fault, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "frames": self.frames,
            "fps": round(self.fps, 3),
            "duration_s": round(self.duration_s, 3),
            "pose_detected_ratio": round(self.pose_detected_ratio, 4),
            "reps": self.reps,
            "rep_events": [event.to_json() for event in self.rep_events],
            "holds": [hold.to_json() for hold in self.holds],
            "faults": [fault.to_json() for fault in self.faults],
        }


@runtime_checkable
class Analyzer(Protocol):
    """One exercise's analyzer: feed frames in time order, read feedback and the result."""

    @property
    def exercise_id(self) -> str: ...

    def update(self, frame: LandmarkFrame) -> Feedback:
        """Take the next frame (time must not go back) and say what the coach sees."""
        ...

    def result(self) -> AnalysisResult:
        """The analysis so far; holds still in progress are included up to the last frame."""
        ...


@dataclass(slots=True)
class AnalysisLog:
    """Book-keeping every analyzer shares: frames, pose ratio, reps, holds, faults.

    Faults are recorded once per ``fault_cooldown_s`` per code, so a fault that
    lasts many frames is reported once (and again if it comes back later).

    Example:
        >>> log = AnalysisLog("squat")
        >>> log.frame(LandmarkFrame(0.0, None))
        >>> log.result().pose_detected_ratio
        0.0
    """

    exercise: str
    fault_cooldown_s: float = 3.0
    frames: int = 0
    detected: int = 0
    first_t: float | None = None
    last_t: float = 0.0
    rep_events: list[RepEvent] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _last_fault_t: dict[str, float] = field(default_factory=dict)

    def frame(self, frame: LandmarkFrame) -> None:
        """Count one frame (call first in every ``update``)."""
        self.frames += 1
        if frame.landmarks is not None:
            self.detected += 1
        if self.first_t is None:
            self.first_t = frame.t_s
        self.last_t = frame.t_s

    @property
    def reps(self) -> int:
        return len(self.rep_events)

    def rep(
        self,
        start_s: float,
        end_s: float,
        *,
        side: str | None = None,
        quality: float = 1.0,
        faults: tuple[str, ...] = (),
    ) -> RepEvent:
        event = RepEvent(
            index=len(self.rep_events) + 1,
            start_s=start_s,
            end_s=end_s,
            side=side,
            quality=max(0.0, min(1.0, quality)),
            faults=faults,
        )
        self.rep_events.append(event)
        return event

    def hold(self, span: HoldSpan) -> Hold:
        hold = Hold(span.start_s, span.end_s)
        self.holds.append(hold)
        return hold

    def fault(self, code: str, t_s: float, message: str) -> bool:
        """Record a fault unless the same code was recorded within the cooldown."""
        last = self._last_fault_t.get(code)
        self._last_fault_t[code] = t_s
        if last is not None and t_s - last < self.fault_cooldown_s:
            return False
        self.faults.append(Fault(code, t_s, message))
        return True

    def result(
        self,
        open_holds: tuple[HoldSpan, ...] = (),
        unfinished: Rep | None = None,
    ) -> AnalysisResult:
        """The result so far.

        Args:
            open_holds: holds still in progress, included up to the last frame.
            unfinished: a rep the video cut off before its return (it reached its end
                position, the way back was not filmed): it does not count, and the fault
                ``unfinished`` says so.
        """
        faults = list(self.faults)
        if unfinished is not None:
            faults.append(Fault(UNFINISHED, unfinished.end_s, UNFINISHED_MESSAGE))
        events = tuple(self.rep_events)
        duration = 0.0 if self.first_t is None else self.last_t - self.first_t
        fps = (self.frames - 1) / duration if duration > 0 and self.frames > 1 else 0.0
        if fps > 0:
            duration += 1.0 / fps  # the last frame lasts one frame interval
        holds = (*self.holds, *(Hold(span.start_s, span.end_s) for span in open_holds))
        return AnalysisResult(
            exercise=self.exercise,
            frames=self.frames,
            fps=fps,
            duration_s=duration,
            pose_detected_ratio=self.detected / self.frames if self.frames else 0.0,
            reps=len(events),
            rep_events=events,
            holds=tuple(sorted(holds, key=lambda h: h.start_s)),
            faults=tuple(faults),
        )


@dataclass(slots=True)
class RepBook:
    """Faults and feedback of an analyzer that counts one rep at a time (squat, push-up ...).

    A fault is recorded in the log when it is seen (``fault``) and remembered
    for the rep in progress; when the rep ends (``rep``) it goes into the log
    with the faults it collected, and the next rep starts clean.

    Example:
        >>> book = RepBook(AnalysisLog("squat"), {"knees-inward": "Knees out."})
        >>> book.fault("knees-inward", 1.0)
        >>> book.rep(Rep(0.5, 1.5, 0.6), quality=0.75).faults
        ('knees-inward',)
    """

    log: AnalysisLog
    messages: Mapping[str, str]
    faults: set[str] = field(default_factory=set)

    def fault(self, code: str, t_s: float) -> None:
        """Record a fault of the rep in progress (the log applies its cooldown)."""
        self.faults.add(code)
        self.log.fault(code, t_s, self.messages[code])

    def rep(self, rep: Rep, *, quality: float, side: str | None = None) -> RepEvent:
        """Log a finished rep with the faults it collected, and start the next one clean."""
        event = self.log.rep(
            rep.start_s,
            rep.end_s,
            side=side,
            quality=quality,
            faults=tuple(sorted(self.faults)),
        )
        self.faults = set()
        return event

    def feedback(
        self,
        frame: LandmarkFrame,
        *,
        hint: str | None,
        view: str | None,
        phase: str,
        faults: Sequence[str],
        rep_done: bool,
        hold_s: float = 0.0,
        side: str | None = None,
    ) -> Feedback:
        """The frame's feedback; the cue is the message of the first fault seen on it."""
        return Feedback(
            exercise=self.log.exercise,
            t_s=frame.t_s,
            reps=self.log.reps,
            hold_s=hold_s,
            cue=self.messages[faults[0]] if faults else None,
            hint=hint,
            side=side,
            phase=phase,
            view=view,
            pose_detected=frame.landmarks is not None,
            rep_done=rep_done,
            faults=tuple(faults),
        )


#: ``view.visibility_hint``'s words when three or more parts are out of view.
_WHOLE_BODY_HINT = N_("Move back so your whole body is in the picture.")
#: Hints the analyzers' own setup check gives for parts out of view (``Guided`` names joints).
_VISIBILITY_HINTS = frozenset(
    {NO_PERSON_HINT, _WHOLE_BODY_HINT, *(hint for _, hint in PART_HINTS.values())}
)
#: How long "that one did not count" stays up after a rep held too short.
SHORT_HOLD_SHOWN_S = 2.0
#: What ``Guided`` checks is in the picture when an analyzer does not say what it needs.
DEFAULT_REQUIRED = ("shoulders", "hips")


def required_parts(analyzer: Analyzer) -> tuple[str, ...]:
    """The body-part groups an analyzer's setup check needs in the picture."""
    setup = getattr(analyzer, "setup", None)
    if isinstance(setup, SetupCheck) and setup.required:
        return setup.required
    return DEFAULT_REQUIRED


def hold_cue(dose: Dose, held_s: float) -> str | None:
    """What to say during a hold: the seconds still to go, then that it is done.

    Example:
        >>> hold_cue(Dose(hold_s=4.0), 1.6)
        'Hold... 3 more seconds.'
    """
    if not dose.hold_s or held_s <= 0:
        return None
    if dose.met(held_s):
        return (
            N_("Well held: now lower slowly.")
            if dose.each_rep
            else N_("Well held: that is the dose.")
        )
    left = max(1, math.ceil(dose.left_s(held_s) - 1e-6))
    return N_("Hold... 1 more second.") if left == 1 else HOLD_MORE.format(seconds=left)


class Guided:
    """Any analyzer with the coaching rules every exercise shares (``vision.framing``).

    Frames of another body than the person's (``TrackLock``) reach the analyzer
    as "nobody seen"; repetitions count only once the person has held the start
    position (``ReadyGate``) and, when the dose holds each rep, only when the
    hold lasted the dose (``Dose``); hints name the joints out of view and are
    kept steady (``SteadyHint``); during a dosed hold the cue counts down the
    seconds left. The ``backcoach analyze`` command and the live coach both wrap
    their analyzer in it, so both apply the same rules. ``result`` keeps the
    analyzer's reps that ended while the person was ready and, with a dose per
    rep, that overlap a hold of the dose (an analyzer may recount its whole
    recording at the end, so its final reps are judged, not the live ones).

    Args:
        analyzer: the exercise's analyzer.
        dose: the dose the repetitions and holds must meet (None: no hold time).

    Example:
        >>> from backcoach.vision.analyzers import get_analyzer
        >>> guided = Guided(get_analyzer("glute-bridge"), dose=Dose(hold_s=4.0))
        >>> guided.update(LandmarkFrame(0.0, None)).ready
        False
    """

    def __init__(self, analyzer: Analyzer, *, dose: Dose | None = None) -> None:
        self.inner = analyzer
        self.dose = dose if dose is not None else Dose()
        self.required = required_parts(analyzer)
        self.lock = TrackLock()
        self.gate = ReadyGate()
        self.hints = SteadyHint()
        self.accepted = 0  # the analyzer's reps counted live
        self.waits: list[tuple[float, float]] = []  # spans of time not ready: nothing counts
        self._inner_reps = 0
        self._by_side: dict[str, int] = {}
        self._inner_by_side: dict[str, int] = {}
        self._held_s = 0.0  # longest hold since the analyzer's last rep
        self._short_until = -math.inf  # until when to say a rep was held too short
        self._last: Feedback | None = None

    @property
    def exercise_id(self) -> str:
        return self.inner.exercise_id

    @property
    def reps(self) -> int:
        return self.accepted

    def update(self, frame: LandmarkFrame) -> Feedback:
        """Feed one frame through the shared rules and the analyzer."""
        t = frame.t_s
        seen = self.lock.update(frame)
        if self.lock.adopted:
            self.gate.reset()
        feedback = self.inner.update(seen)
        was_ready = self.gate.ready
        ready = self.gate.update(seen, measurable=feedback.phase != "unknown")
        if not ready:
            self._wait(t)
        self._held_s = max(self._held_s, feedback.hold_s)
        short_hold = self._count(feedback, ready)
        hint = self._hint(seen, feedback, ready=ready, just_ready=ready and not was_ready)
        if short_hold:
            self._short_until = t + SHORT_HOLD_SHOWN_S
        cue = (feedback.cue or hold_cue(self.dose, feedback.hold_s)) if ready else feedback.cue
        if cue is None and t <= self._short_until:
            cue = HOLD_EACH_LIFT.format(seconds=f"{self.dose.hold_s:g}")
        if (
            ready
            and hint == feedback.hint
            and cue == feedback.cue
            and self.reps == feedback.reps
            and seen is frame
            and self._by_side == feedback.reps_by_side
        ):
            self._last = feedback
            return feedback  # the analyzer's own words stand (most frames: fast)
        out = Feedback(
            exercise=feedback.exercise,
            t_s=t,
            reps=self.reps,
            hold_s=feedback.hold_s,
            cue=cue,
            hint=hint,
            side=feedback.side,
            phase=feedback.phase,
            view=feedback.view,
            pose_detected=seen.landmarks is not None,
            rep_done=feedback.rep_done and not short_hold and ready,
            faults=feedback.faults,
            reps_by_side=dict(self._by_side),
            ready=ready,
        )
        self._last = out
        return out

    def _count(self, feedback: Feedback, ready: bool) -> bool:
        """Accept or refuse the reps the analyzer finished on this frame; True if one was short."""
        if feedback.reps <= self._inner_reps:
            return False
        held, self._held_s = self._held_s, 0.0
        counts = ready and (not self.dose.rep_hold or self.dose.met(held))
        if counts:
            self.accepted += feedback.reps - self._inner_reps
        self._inner_reps = feedback.reps
        for side, total in feedback.reps_by_side.items():
            new = total - self._inner_by_side.get(side, 0)
            if new > 0 and counts:
                self._by_side[side] = self._by_side.get(side, 0) + new
        self._inner_by_side = dict(feedback.reps_by_side)
        return ready and not counts

    def _hint(
        self, frame: LandmarkFrame, feedback: Feedback, *, ready: bool, just_ready: bool
    ) -> str | None:
        t = frame.t_s
        if just_ready:
            self.hints.force(t, READY_HINT)
            return READY_HINT
        if self.lock.lost or (frame.landmarks is None and self.lock.tracking):
            hint: str | None = LOST_HINT
        elif frame.landmarks is None:
            hint = NO_PERSON_HINT
        else:
            hint = framing_hint(missing_joints(frame, self.required))
            if hint is None and feedback.hint not in _VISIBILITY_HINTS:
                hint = feedback.hint
            if hint is None and not ready:
                hint = GET_READY_HINT
        if hint is not None and self.hints.shown is None and self._last is None:
            self.hints.force(t, hint)  # the first words are said at once
        return self.hints.update(t, hint)

    def _wait(self, t_s: float) -> None:
        """Note ``t_s`` as time not ready (spans of consecutive such frames are merged)."""
        if self.waits and self._last is not None and not self._last.ready:
            self.waits[-1] = (self.waits[-1][0], t_s)
        else:
            self.waits.append((t_s, t_s))

    def _counts(self, event: RepEvent, holds: tuple[Hold, ...]) -> bool:
        """A rep of the analyzer's result counts: it ended while ready, and held its dose."""
        if any(start <= event.end_s <= end for start, end in self.waits):
            return False
        if not self.dose.rep_hold:
            return True
        held = (
            min(h.end_s, event.end_s) - max(h.start_s, event.start_s)
            for h in holds
            if h.start_s <= event.end_s and h.end_s >= event.start_s
        )
        return self.dose.met(max(held, default=0.0))

    def _ends_held(self, last: Feedback) -> bool:
        """The recording ends in a hold that already met the dose (the way down not filmed)."""
        held = last.ready and last.hold_s > 0 and not last.rep_done
        return self.dose.rep_hold and held and self.dose.met(last.hold_s)

    def result(self) -> AnalysisResult:
        """The analyzer's result with only the reps that count (see the class rule)."""
        result = self.inner.result()
        # Judged on the result's own reps: an analyzer may count its whole recording again
        # at the end (the generic counter does), so its reps need not be the live ones.
        events = [e for e in result.rep_events if self._counts(e, result.holds)]
        last = self._last
        if last is not None and self._ends_held(last):
            events.append(RepEvent(0, last.t_s - last.hold_s, last.t_s, side=last.side))
        events = [replace(e, index=i) for i, e in enumerate(events, start=1)]
        return replace(result, reps=len(events), rep_events=tuple(events))
