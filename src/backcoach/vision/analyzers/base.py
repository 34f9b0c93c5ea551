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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from backcoach.vision.counting import HoldSpan, Rep
from backcoach.vision.landmarks import LandmarkFrame

#: Fault code of a rep the video cut off after its end position was reached.
UNFINISHED = "unfinished"


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

    exercise_id: ClassVar[str]

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
        side: str | None = None,
    ) -> AnalysisResult:
        """The result so far.

        Args:
            open_holds: holds still in progress, included up to the last frame.
            unfinished: a rep that reached its end position when the video stopped before
                the return; it counts, marked with the fault ``unfinished`` (quality 0.5).
            side: the side of the unfinished rep.
        """
        events = list(self.rep_events)
        if unfinished is not None:
            events.append(
                RepEvent(
                    index=len(events) + 1,
                    start_s=unfinished.start_s,
                    end_s=unfinished.end_s,
                    side=side,
                    quality=0.5,
                    faults=(UNFINISHED,),
                )
            )
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
            rep_events=tuple(events),
            holds=tuple(sorted(holds, key=lambda h: h.start_s)),
            faults=tuple(self.faults),
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
