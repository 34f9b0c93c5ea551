"""The base of the single-signal analyzers (bird-dog, superman, neck, circles ...).

An exercise module subclasses :class:`MotionAnalyzer`, turns a frame into one
number per side (an angle, or a distance in torso lengths) in
:meth:`MotionAnalyzer.measure` and names its faults; this module does the rest
the same way for all of them:

- the number is smoothed (One-Euro), for lifts taken relative to the
  person's own resting level (``Baseline``), then counted by a ``RepCounter``
  (fixed thresholds in degrees or torso lengths) or a ``CycleCounter``
  (continuous movements such as circles and nods, thresholds from the
  movement's own amplitude, with a minimum amplitude so stillness never counts);
- a hold is the time the movement is in its active phase *and* still (the
  smoothed number changes slower than ``still_rate`` per second), so moving
  up and down is not counted as holding;
- a fault must last 0.4 s in a row (``Persist``) before it is reported, so
  one noisy frame never triggers a cue;
- a value that cannot be measured (joint not seen) is unknown, never a count.

The geometry helpers at the end (``either_centre``, ``face_centre``,
``signed_lean``, ``vector_angle``, ``inclination`` ...) are what the exercise
modules measure with. The exercise-agnostic counter (``vision/generic.py``)
uses ``CycleCounter`` too.

Example:
    The whole standing-forward-bend analyzer: one trunk-tilt signal, counted
    with fixed thresholds, quality from the deepest tilt::

        @register
        class StandingForwardBendAnalyzer(MotionAnalyzer):
            exercise_id: ClassVar[str] = "standing-forward-bend"
            required = ("shoulders", "hips")

            def __init__(self, *, enter_deg: float = 40.0, exit_deg: float = 20.0) -> None:
                counter = RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.3)
                super().__init__({None: Motion(counter, still_rate=10.0)})
                self._trunk = RunningMax()

            @override
            def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
                trunk = inclination(hip_centre(frame), shoulder_centre(frame), self._trunk)
                return {None: trunk}

            @override
            def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
                return rep.peak / 80.0
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal, Protocol

from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback
from backcoach.vision.counting import HoldSpan, HoldTimer, Rep, RepPhase, RollingExtreme
from backcoach.vision.geometry import Point, point
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.smoothing import OneEuroFilter
from backcoach.vision.view import CameraView, SetupCheck

Side = Literal["left", "right"]
SideKey = Side | None

__all__ = [
    "FACE_POINTS",
    "SETTLE_S",
    "Baseline",
    "Counter",
    "CycleCounter",
    "Motion",
    "MotionAnalyzer",
    "Persist",
    "RunningMax",
    "Side",
    "SideKey",
    "either_centre",
    "face_centre",
    "head_centre",
    "inclination",
    "signed_lean",
    "vector_angle",
]

#: Seconds the smoothing filter needs after the first value before it is trusted.
SETTLE_S = 0.4


class Counter(Protocol):
    """What :class:`Motion` needs of a counter (``RepCounter`` and ``CycleCounter`` fit)."""

    count: int
    phase: RepPhase
    active_since: float
    peak: float

    def update(self, t_s: float, value: float | None) -> Rep | None: ...


@dataclass(slots=True)
class Baseline:
    """The resting level of a signal: the lowest level it kept over the last ``window_s`` s.

    Used for lifts measured from wherever the person rests (lying flat is not
    exactly 0 degrees for every body and camera). The level is the minimum of
    a slow average (time constant ``settle_s``), so noise does not drag it down.
    """

    window_s: float = 30.0
    settle_s: float = 0.3
    _low: RollingExtreme = field(init=False)
    _mean: float | None = field(default=None, init=False)
    _t: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._low = RollingExtreme(self.window_s, maximum=False)

    def relative(self, t_s: float, value: float | None) -> float | None:
        if value is None:
            return None
        if self._mean is None or t_s - self._t > 1.0:
            self._mean = value
        else:
            weight = min(1.0, max(0.0, t_s - self._t) / self.settle_s)
            self._mean += weight * (value - self._mean)
        self._t = t_s
        return value - self._low.update(t_s, self._mean)


@dataclass(slots=True)
class RunningMax:
    """The largest value seen so far, of a lightly averaged copy of the input.

    A body length measured when it is least foreshortened; the averaging keeps
    single noisy frames from inflating it.
    """

    smoothing: float = 0.15
    value: float = 0.0
    _mean: float | None = None

    def update(self, value: float | None) -> float | None:
        if value is not None and math.isfinite(value):
            mean = self._mean
            self._mean = value if mean is None else mean + self.smoothing * (value - mean)
            self.value = max(self.value, self._mean)
        return self.value if self.value > 0 else None


@dataclass(slots=True)
class CycleCounter:
    """Counts back-and-forth cycles of a signal with thresholds from its own amplitude.

    Rule: the signal's recent range ``[low, high]`` is tracked by an envelope
    that follows new extremes at once and forgets old ones slowly (an end not
    reached again for ``keep_s`` seconds drifts towards the other by ``span /
    forget_s`` per second), so a range is always "the last few swings".
    Nothing happens while the span is below ``min_amplitude`` (stillness and
    jitter never count). The signal is
    *high* above ``centre + band * span`` and *low* below ``centre - band *
    span``; in between it keeps its state (hysteresis). The first state
    reached completes the first swing (the range was just spanned, so the
    signal came from the other side) and counts, unless ``first_rest_s`` is set:
    then the first swing counts only if the signal rested (stayed within a tenth
    of ``min_amplitude``) for that long on the side it came from, so a
    recording that starts mid-movement does not count half a rep. After that
    a cycle counts each time the signal gets back to the state it first
    reached from the other one, after staying at least ``min_half_s`` in the
    other state.

    Example:
        >>> c = CycleCounter(min_amplitude=0.8)
        >>> for i in range(200):
        ...     _ = c.update(i / 20, math.sin(i / 20 * math.pi))
        >>> c.count
        5
    """

    min_amplitude: float
    forget_s: float = 8.0
    keep_s: float = 3.0
    band: float = 0.2
    min_half_s: float = 0.2
    max_gap_s: float = 1.0
    first_rest_s: float = 0.0
    count: int = field(default=0, init=False)
    phase: RepPhase = field(default="unknown", init=False)
    active_since: float = field(default=0.0, init=False)
    peak: float = field(default=0.0, init=False)
    _calm: tuple[float, float] = field(default=(0.0, math.nan), init=False)
    _rests: tuple[float, float] = field(default=(math.inf, -math.inf), init=False)
    _low: float = field(default=math.inf, init=False)
    _high: float = field(default=-math.inf, init=False)
    _low_t: float = field(default=0.0, init=False)
    _high_t: float = field(default=0.0, init=False)
    _t: float | None = field(default=None, init=False)
    _first: str | None = field(default=None, init=False)
    _state: str | None = field(default=None, init=False)
    _since: float = field(default=0.0, init=False)
    _last_known: float | None = field(default=None, init=False)
    _left_first: float = field(default=0.0, init=False)

    def update(self, t_s: float, value: float | None) -> Rep | None:
        if value is None:
            if self._last_known is not None and t_s - self._last_known > self.max_gap_s:
                self._state, self.phase, self._last_known = None, "unknown", None
            return None
        self._last_known = t_s
        if self.first_rest_s and self._first is None:
            self._note_rest(t_s, value)
        if self._t is not None and t_s > self._t and self._high > self._low:
            drift = (self._high - self._low) * min(0.5, (t_s - self._t) / self.forget_s)
            if t_s - self._high_t > self.keep_s:
                self._high -= drift
            if t_s - self._low_t > self.keep_s:
                self._low += drift
        self._t = t_s
        if value <= self._low:
            self._low, self._low_t = value, t_s
        if value >= self._high:
            self._high, self._high_t = value, t_s
        span = self._high - self._low
        if span < self.min_amplitude:
            return None
        centre = (self._high + self._low) / 2.0
        if value >= centre + self.band * span:
            seen = "high"
        elif value <= centre - self.band * span:
            seen = "low"
        else:
            return None
        if self._state is None:
            if self._first is None:
                # The range was just spanned: the signal came from the other end.
                self._first = "low" if seen == "high" else "high"
                started = self._low_t if seen == "high" else self._high_t
                self._state, self._since = seen, t_s
                rested_low, rested_high = self._rests
                if self.first_rest_s and not (
                    rested_low <= centre - self.band * span
                    if seen == "high"
                    else rested_high >= centre + self.band * span
                ):
                    self._first, self.phase = seen, "rest"  # it started mid-movement
                    return None
                self.phase, self.active_since, self.peak = "active", started, span
                self.count += 1
                return Rep(start_s=started, end_s=t_s, peak=span)
            self._state, self._since, self._left_first = seen, t_s, t_s
            self.phase = "rest" if seen == self._first else "active"
            return None
        if seen == self._first and self._state == seen:
            self._left_first = t_s  # the last moment at the starting side
        if seen == self._state or t_s - self._since < self.min_half_s:
            return None
        self._state, self._since = seen, t_s
        self.peak = span
        if seen == self._first:
            self.phase, self._left_first = "rest", t_s
            return None
        self.phase, self.active_since = "active", self._left_first
        self.count += 1
        return Rep(start_s=self._left_first, end_s=t_s, peak=span)

    def _note_rest(self, t_s: float, value: float) -> None:
        """Remember the lowest and highest levels the signal rested at before moving."""
        since, level = self._calm
        if math.isnan(level) or abs(value - level) > 0.1 * self.min_amplitude:
            self._calm = (t_s, value)
        elif t_s - since >= self.first_rest_s:
            low, high = self._rests
            self._rests = (min(low, level), max(high, level))


@dataclass(slots=True)
class Motion:
    """One side of an exercise: smoothing, counting, stillness and the hold timer."""

    counter: Counter
    still_rate: float
    min_hold_s: float = 1.0
    cutoff_hz: float = 1.5
    baseline: Baseline | None = None
    holds: bool = True  # False for continuous movements (circles, nods): nothing is held
    hold: HoldTimer = field(init=False)
    value: float | None = field(default=None, init=False)
    faults: set[str] = field(default_factory=set, init=False)
    _filter: OneEuroFilter = field(init=False)
    _recent: deque[tuple[float, float]] = field(default_factory=deque, init=False)
    _settled_at: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.hold = HoldTimer(min_hold_s=self.min_hold_s, max_gap_s=0.5)
        self._filter = OneEuroFilter(min_cutoff=self.cutoff_hz, beta=0.05)

    @property
    def active(self) -> bool:
        return self.counter.phase == "active"

    def update(self, t_s: float, raw: float | None) -> tuple[Rep | None, HoldSpan | None]:
        """Feed one measurement; returns a finished rep and a finished hold, if any."""
        self.value = None if raw is None else self._filter(t_s, raw)
        if self.value is not None and self._settled_at is None:
            self._settled_at = t_s + SETTLE_S
        if self._settled_at is None or t_s < self._settled_at:
            self.value = None  # the filter starts from one noisy frame: let it settle
        if self.baseline is not None:
            self.value = self.baseline.relative(t_s, self.value)
        rep = self.counter.update(t_s, self.value)
        if self.value is None:
            span = self.hold.update(t_s, None)
            return rep, span
        # Speed over the last 0.3 s or more (the newest sample at least 0.3 s old).
        recent = self._recent
        recent.append((t_s, self.value))
        while len(recent) > 2 and recent[1][0] <= t_s - 0.3:
            recent.popleft()
        t0, v0 = recent[0]
        still = t_s - t0 >= 0.15 and abs(self.value - v0) / (t_s - t0) < self.still_rate
        span = self.hold.update(t_s, self.holds and self.active and still)
        return rep, span


@dataclass(slots=True)
class Persist:
    """A condition must hold ``seconds`` in a row before it counts (faults, cues)."""

    seconds: float = 0.4
    _since: dict[str, float] = field(default_factory=dict)

    def check(self, t_s: float, conditions: Mapping[str, bool]) -> list[str]:
        out: list[str] = []
        for code, on in conditions.items():
            if not on:
                self._since.pop(code, None)
                continue
            start = self._since.setdefault(code, t_s)
            if t_s - start >= self.seconds:
                out.append(code)
        return out


class MotionAnalyzer:
    """Base of the single-signal analyzers: subclasses say what to measure and what is a fault.

    Subclasses set the class attributes and implement :meth:`measure`; they may
    override :meth:`form`, :meth:`rep_faults`, :meth:`quality`, :meth:`side_of`
    and :meth:`in_position`. :meth:`update` and :meth:`result` make the class
    follow the ``Analyzer`` protocol.

    Attributes:
        exercise_id: the content id the analyzer is registered under.
        required: body parts the camera must see (``SetupCheck`` names them in hints).
        expected_view: the camera view the exercise is filmed from, if it matters.
        messages: fault code -> the cue shown to the person.
        position_hint: the hint while the body is not in the exercise's position.

    Args:
        motions: one :class:`Motion` per side (``"left"``/``"right"``), or under
            ``None`` for an exercise measured as a whole.
    """

    exercise_id: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ()
    expected_view: ClassVar[CameraView | None] = None
    messages: ClassVar[dict[str, str]] = {}
    position_hint: ClassVar[str | None] = None

    def __init__(self, motions: Mapping[SideKey, Motion]) -> None:
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=self.required, expected_view=self.expected_view)
        self.motions = dict(motions)
        self._persist = Persist()
        self._by_side: dict[str, int] = {}

    # -- per exercise -------------------------------------------------------------

    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        """The exercise's number for each side on this frame (None where it cannot be seen)."""
        raise NotImplementedError

    def form(self, frame: LandmarkFrame, side: SideKey, motion: Motion) -> dict[str, bool]:  # noqa: ARG002
        """Fault conditions on this frame while ``side`` is active (code -> present)."""
        return {}

    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> Iterable[str]:  # noqa: ARG002
        """Faults judged over a whole finished rep (e.g. not high enough)."""
        return ()

    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:  # noqa: ARG002
        return 1.0

    def side_of(self, side: SideKey) -> SideKey:
        """The side a rep is reported under (an analyzer may know better than its motion)."""
        return side

    def in_position(self, frame: LandmarkFrame) -> bool:  # noqa: ARG002
        """False when the body is not in the exercise's position (nothing is measured)."""
        return True

    # -- shared ---------------------------------------------------------------------

    def update(self, frame: LandmarkFrame) -> Feedback:
        """Feed one frame; returns the live feedback (reps so far, hold, cue, hint)."""
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        values: dict[SideKey, float | None] = dict.fromkeys(self.motions)
        if frame.landmarks is not None:
            if self.in_position(frame):
                values = self.measure(frame)
            elif hint is None:
                hint = self.position_hint
        done = False
        faults: list[str] = []
        working: SideKey = None
        for side, motion in self.motions.items():
            rep, span = motion.update(t, values.get(side))
            if span is not None:
                self.log.hold(span)
            if motion.active and motion.value is not None:
                working = side
                now = self._persist.check(t, self.form(frame, side, motion))
                for code in now:
                    motion.faults.add(code)
                    self.log.fault(code, t, self.messages[code])
                faults.extend(now)
            if rep is not None:
                done = True
                for code in self.rep_faults(side, rep, motion):
                    if code not in motion.faults:
                        motion.faults.add(code)
                        self.log.fault(code, rep.end_s, self.messages[code])
                named = self.side_of(side)
                self.log.rep(
                    rep.start_s,
                    rep.end_s,
                    side=named,
                    quality=self.quality(side, rep, motion),
                    faults=tuple(sorted(motion.faults)),
                )
                motion.faults = set()
                if named is not None:
                    self._by_side[named] = self._by_side.get(named, 0) + 1
        if working is None:
            self._persist.check(t, {})
        known = [m for m in self.motions.values() if m.value is not None]
        phase = "unknown"
        if known:
            phase = "up" if any(m.active for m in known) else "down"
        return Feedback(
            exercise=self.exercise_id,
            t_s=t,
            reps=self.log.reps,
            hold_s=max(m.hold.current_s for m in self.motions.values()),
            cue=self.messages[faults[0]] if faults else None,
            hint=hint,
            side=self.side_of(working),
            phase=phase,
            view=view,
            pose_detected=frame.landmarks is not None,
            rep_done=done,
            faults=tuple(faults),
            reps_by_side=dict(self._by_side),
        )

    def result(self) -> AnalysisResult:
        """Everything seen so far, a hold still in progress included."""
        spans = (m.hold.open_span() for m in self.motions.values())
        return self.log.result(open_holds=tuple(s for s in spans if s is not None))


def either_centre(frame: LandmarkFrame, left: int, right: int) -> Point | None:
    """Midpoint of a left/right pair, or the one of them that is seen."""
    a, b = point(frame, left), point(frame, right)
    if a is not None and b is not None:
        return ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0)
    return a if a is not None else b


#: Nose, eyes and mouth: averaged into one steady "face" point.
FACE_POINTS = (0, 1, 2, 3, 4, 5, 6, 9, 10)


def face_centre(frame: LandmarkFrame) -> Point | None:
    """Mean of the visible nose, eye and mouth landmarks (None when fewer than three)."""
    seen = [p for p in (point(frame, i) for i in FACE_POINTS) if p is not None]
    if len(seen) < 3:
        return None
    return (sum(p[0] for p in seen) / len(seen), sum(p[1] for p in seen) / len(seen))


def head_centre(frame: LandmarkFrame) -> Point | None:
    """Mean of the visible face landmarks, ears included (None when fewer than three)."""
    seen = [p for p in (point(frame, i) for i in range(11)) if p is not None]
    if len(seen) < 3:
        return None
    return (sum(p[0] for p in seen) / len(seen), sum(p[1] for p in seen) / len(seen))


def signed_lean(bottom: Point | None, top: Point | None) -> float | None:
    """Angle of ``bottom -> top`` from straight up, positive when ``top`` is right on screen."""
    if bottom is None or top is None:
        return None
    dx, dy = top[0] - bottom[0], bottom[1] - top[1]
    if dx == 0.0 and dy == 0.0:
        return None
    return math.degrees(math.atan2(dx, dy))


def vector_angle(
    a: Point | None, b: Point | None, c: Point | None, d: Point | None
) -> float | None:
    """Angle (0..180) between the vectors ``a -> b`` and ``c -> d``."""
    if a is None or b is None or c is None or d is None:
        return None
    ux, uy = b[0] - a[0], b[1] - a[1]
    vx, vy = d[0] - c[0], d[1] - c[1]
    norm = math.hypot(ux, uy) * math.hypot(vx, vy)
    if norm <= 1e-12:
        return None
    return math.degrees(math.acos(max(-1.0, min(1.0, (ux * vx + uy * vy) / norm))))


def inclination(bottom: Point | None, top: Point | None, length: RunningMax) -> float | None:
    """Tilt from vertical (0..180) of a body segment, foreshortening included.

    The vertical extent over the segment's full length gives the tilt in any
    view: bending towards the camera shortens the segment on screen, bending
    sideways turns it; both lower the vertical extent the same way.
    """
    if bottom is None or top is None:
        return None
    full = length.update(math.hypot(top[0] - bottom[0], top[1] - bottom[1]))
    if full is None:
        return None
    rise = (bottom[1] - top[1]) / full
    return math.degrees(math.acos(max(-1.0, min(1.0, rise))))
