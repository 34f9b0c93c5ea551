"""Desk posture from landmarks: upright, slouched, forward-head or absent.

The rule, in plain words: the monitor first learns the user's own upright
posture (``calibration_s`` seconds of sitting upright, default 5 s). After
that, every frame is compared with that baseline, so the thresholds are
relative to the person and the camera, not absolute angles:

- ``absent``: nobody in view, or the head and shoulders are not visible.
- ``forward-head``: the head pokes forward: seen from the side, the
  ear-to-shoulder line leans forward by ``neck_deg`` (15 deg) more than at
  calibration; seen from the front, the face is ``lean_in_ratio`` (18 %)
  larger *relative to the shoulder width* than at calibration (the head
  leans in towards the screen ahead of the shoulders). Comparing with the
  shoulders, not with the face's own earlier size, keeps a camera that moves
  or zooms from looking like leaning in.
- ``slouched``: the back rounds: seen from the side, the trunk leans
  ``trunk_deg`` (12 deg) further than at calibration (when the hips are in
  view); from either view, the head sinks towards the shoulders (the
  ear-to-shoulder height, measured in face sizes, drops by ``sink_ratio``,
  20 %).
- otherwise ``upright``.

Brief changes never count: a new state must last ``min_state_s`` (3 s)
before the reported state changes, so a glance down at the keyboard is not
slouching. An alert is raised only after bad posture (slouched or
forward-head) has lasted ``alert_after_s`` (60 s), then at most once per
``alert_after_s`` while it lasts; the alert suggests a desk-break move.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from enum import StrEnum

from backcoach.vision.geometry import MIN_VISIBILITY, distance, midpoint, point
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark

_P = PoseLandmark


class PostureState(StrEnum):
    UPRIGHT = "upright"
    SLOUCHED = "slouched"
    FORWARD_HEAD = "forward-head"
    ABSENT = "absent"


BAD_STATES = frozenset({PostureState.SLOUCHED, PostureState.FORWARD_HEAD})

ALERT_MOVES = {
    PostureState.SLOUCHED: "overhead-side-bend",
    PostureState.FORWARD_HEAD: "neck-nods",
}


@dataclass(frozen=True)
class PostureConfig:
    calibration_s: float = 5.0
    min_state_s: float = 3.0
    alert_after_s: float = 60.0
    neck_deg: float = 15.0
    trunk_deg: float = 12.0
    lean_in_ratio: float = 1.18
    sink_ratio: float = 0.8


@dataclass(frozen=True)
class Features:
    """Scale-free measurements of one frame (None when not measurable)."""

    neck_deg: float | None  # ear->shoulder line, degrees forward of vertical (side view)
    trunk_deg: float | None  # hip->shoulder line, degrees from vertical (side view)
    face_size: float  # ear to ear (front) or nose to ear (side), image units
    face_to_shoulders: float | None  # face size / shoulder width (front view only)
    head_height: float  # shoulder height minus ear height, in face sizes


@dataclass(frozen=True)
class Baseline:
    neck_deg: float | None
    trunk_deg: float | None
    face_to_shoulders: float | None
    head_height: float


@dataclass(frozen=True)
class PostureReading:
    t_s: float
    state: PostureState  # debounced state
    raw: PostureState  # this frame's own classification
    calibrating: bool
    alert: bool  # True on the frame an alert fires
    suggestion: str | None  # desk-break exercise id to suggest with an alert


@dataclass(frozen=True)
class Span:
    start_s: float
    end_s: float
    state: PostureState

    def to_json(self) -> dict[str, float | str]:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "state": self.state,
        }


def _lean(upper: tuple[float, float], lower: tuple[float, float], facing: float) -> float:
    """Degrees that ``upper`` leans from vertical above ``lower``, positive towards ``facing``."""
    dx = (upper[0] - lower[0]) * facing
    dy = lower[1] - upper[1]  # y points down
    return math.degrees(math.atan2(dx, dy))


def measure(frame: LandmarkFrame, min_visibility: float = MIN_VISIBILITY) -> Features | None:
    """The frame's posture features, or None when head and shoulders are not in view."""
    if frame.landmarks is None:
        return None
    ear_l, ear_r = (
        point(frame, _P.LEFT_EAR, min_visibility),
        point(frame, _P.RIGHT_EAR, min_visibility),
    )
    sh_l = point(frame, _P.LEFT_SHOULDER, min_visibility)
    sh_r = point(frame, _P.RIGHT_SHOULDER, min_visibility)
    nose = point(frame, _P.NOSE, min_visibility)
    if (ear_l is None and ear_r is None) or (sh_l is None and sh_r is None) or nose is None:
        return None
    ear = midpoint(ear_l, ear_r) or ear_l or ear_r
    shoulder = midpoint(sh_l, sh_r) or sh_l or sh_r
    assert ear is not None and shoulder is not None
    ear_span = distance(ear_l, ear_r)
    nose_ear = distance(nose, ear)
    assert nose_ear is not None
    face = max(ear_span or 0.0, nose_ear)
    if face <= 0:
        return None
    shoulder_span = distance(sh_l, sh_r) or 0.0
    side_view = ear_span is None or shoulder_span < 1.2 * face
    neck = trunk = None
    if side_view:
        facing = 1.0 if nose[0] >= ear[0] else -1.0
        neck = _lean(ear, shoulder, facing)
        hip = midpoint(
            point(frame, _P.LEFT_HIP, min_visibility), point(frame, _P.RIGHT_HIP, min_visibility)
        )
        hip = (
            hip
            or point(frame, _P.LEFT_HIP, min_visibility)
            or point(frame, _P.RIGHT_HIP, min_visibility)
        )
        if hip is not None:
            trunk = abs(_lean(shoulder, hip, facing))
    face_to_shoulders = None if side_view else face / shoulder_span
    return Features(neck, trunk, face, face_to_shoulders, (shoulder[1] - ear[1]) / face)


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def calibrate(samples: list[Features]) -> Baseline:
    """The upright baseline: the median of each feature over the calibration frames."""
    if not samples:
        raise ValueError("calibration needs at least one frame with head and shoulders in view")
    return Baseline(
        neck_deg=_median([s.neck_deg for s in samples]),
        trunk_deg=_median([s.trunk_deg for s in samples]),
        face_to_shoulders=_median([s.face_to_shoulders for s in samples]),
        head_height=statistics.median(s.head_height for s in samples),
    )


def classify(features: Features | None, baseline: Baseline, config: PostureConfig) -> PostureState:
    """One frame's posture compared with the upright baseline."""
    if features is None:
        return PostureState.ABSENT
    neck_forward = (
        features.neck_deg is not None
        and baseline.neck_deg is not None
        and features.neck_deg - baseline.neck_deg >= config.neck_deg
    )
    leaning_in = (
        features.face_to_shoulders is not None
        and baseline.face_to_shoulders is not None
        and features.face_to_shoulders >= baseline.face_to_shoulders * config.lean_in_ratio
    )
    if neck_forward or leaning_in:
        return PostureState.FORWARD_HEAD
    if (
        features.trunk_deg is not None
        and baseline.trunk_deg is not None
        and features.trunk_deg - baseline.trunk_deg >= config.trunk_deg
    ) or features.head_height <= baseline.head_height * config.sink_ratio:
        return PostureState.SLOUCHED
    return PostureState.UPRIGHT


@dataclass
class PostureMonitor:
    """Feed frames in time order with :meth:`update`; read :attr:`spans` for the timeline.

    Example:
        >>> monitor = PostureMonitor()
        >>> for frame in frames:  # doctest: +SKIP
        ...     reading = monitor.update(frame)
        ...     if reading.alert:
        ...         print("Time for", reading.suggestion)
    """

    config: PostureConfig = field(default_factory=PostureConfig)
    baseline: Baseline | None = None
    spans: list[Span] = field(default_factory=list)
    frames: int = 0
    alerts: int = 0
    _samples: list[Features] = field(default_factory=list)
    _calibration_start: float | None = None
    _state: PostureState = PostureState.ABSENT
    _candidate: PostureState = PostureState.ABSENT
    _candidate_since: float = 0.0
    _bad_since: float | None = None
    _last_alert: float | None = None

    def update(self, frame: LandmarkFrame) -> PostureReading:
        self.frames += 1
        t = frame.t_s
        features = measure(frame)
        if self.baseline is None:
            return self._calibrating(t, features)
        raw = classify(features, self.baseline, self.config)
        if raw != self._candidate:
            self._candidate, self._candidate_since = raw, t
        if raw != self._state and t - self._candidate_since >= self.config.min_state_s:
            self._set_state(self._candidate, self._candidate_since)
        self._extend(t)
        alert = self._check_alert(t)
        return PostureReading(
            t_s=t,
            state=self._state,
            raw=raw,
            calibrating=False,
            alert=alert,
            suggestion=ALERT_MOVES.get(self._state) if alert else None,
        )

    def _calibrating(self, t: float, features: Features | None) -> PostureReading:
        if features is not None:
            if self._calibration_start is None:
                self._calibration_start = t
            self._samples.append(features)
            if t - self._calibration_start >= self.config.calibration_s:
                self.baseline = calibrate(self._samples)
                self._samples.clear()
                self._set_state(PostureState.UPRIGHT, self._calibration_start)
                self._candidate, self._candidate_since = PostureState.UPRIGHT, t
        state = PostureState.ABSENT if features is None else PostureState.UPRIGHT
        if not self.spans or self.spans[-1].state != state:
            self._set_state(state, t)
        self._extend(t)
        return PostureReading(
            t, state, state, calibrating=self.baseline is None, alert=False, suggestion=None
        )

    def _set_state(self, state: PostureState, since: float) -> None:
        self._state = state
        if self.spans and self.spans[-1].state == state:
            return
        if self.spans:
            last = self.spans[-1]
            self.spans[-1] = Span(last.start_s, max(last.start_s, since), last.state)
        self.spans.append(Span(since, since, state))
        self._bad_since = since if state in BAD_STATES else None

    def _extend(self, t: float) -> None:
        if self.spans:
            last = self.spans[-1]
            self.spans[-1] = Span(last.start_s, max(last.end_s, t), last.state)

    def _check_alert(self, t: float) -> bool:
        if self._bad_since is None or t - self._bad_since < self.config.alert_after_s:
            return False
        last = self._last_alert
        if last is not None and last >= self._bad_since and t - last < self.config.alert_after_s:
            return False
        self._last_alert = t
        self.alerts += 1
        return True

    def seconds_in(self, state: PostureState) -> float:
        """Total time spent in ``state`` so far."""
        return sum(s.end_s - s.start_s for s in self.spans if s.state == state)
