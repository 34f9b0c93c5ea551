"""Desk posture from landmarks: upright, slouched, forward-head or absent.

The rule, in plain words: the monitor first learns the user's own upright
posture (``calibration_s`` seconds of sitting upright, default 5 s; or a
baseline saved for this desk, see ``services/posture_profiles.py``). After
that, every frame is compared with that baseline, so the thresholds are
relative to the person and the camera, and measured in the person's own face
sizes or shoulder widths, so a camera nearer or further away reads the same:

- ``absent``: nobody in view, or no face; also a "person" whose face is
  under ``min_face`` (2 %) of the picture, or under 40 % of the calibrated
  face (someone far behind the desk, or a false detection).
- ``forward-head``: the head pokes forward: seen from the side, the
  ear-to-shoulder line leans forward by ``neck_deg`` (15 deg) more than at
  calibration, or the nose moves ahead of the shoulders by a face size more;
  seen from the front, the face is ``lean_in_ratio`` (18 %) larger *relative
  to the shoulder width* than at calibration (the head leans in ahead of the
  shoulders; a camera that moves closer scales both alike). With the
  shoulders out of view, a face 25 % larger than at calibration (lower
  confidence: a camera moved closer looks the same).
- ``slouched``: the back rounds or the body sinks: seen from the side, the
  trunk leans ``trunk_deg`` (12 deg) further than at calibration; from
  either view, the head sinks towards the shoulder line (its height above
  the shoulders, in face sizes, drops by ``sink_ratio``, 20 %), or the head
  is ``head_drop`` (0.3) face sizes lower than the calibrated head position
  (the picture's zoom undone first, so leaning in or sinking back does not
  move it). With the shoulders out of view only the last cue is left (lower
  confidence).
- ``looking-down`` is not a state: the nose drops below the ears by
  ``look_down`` (0.2) face sizes more than at calibration while the shoulder
  line and the trunk stay where they were (without the shoulders in view: while
  the head is less than twice ``head_drop`` lower). The head cues of a slouch are
  then ignored (reading a phone or notes is not slouching); the reading
  carries the cue ``looking-down`` and the state stays ``upright``.
- otherwise ``upright``.

``sensitivity`` (low / normal / high) scales every threshold's distance from
the baseline (x1.5, x1, x0.7).

The reported state follows the frames' own readings by a vote: a new state
is taken once it makes up ``follow_share`` (70 %) of the frames in the last
``min_state_s`` (3 s) and was first seen at least 70 % of that ago; its span
starts at its first frame in that window. So a two-second glance changes
nothing, a single odd frame does not hold a change back, and the timeline
follows within about two seconds at 2 fps as at 5 fps. Alerts keep their own
debounce: one only after bad posture (slouched or forward-head) has lasted
``alert_after_s`` (60 s), then at most once per ``alert_after_s`` while it
lasts; the alert suggests a desk-break move.

Every span also says how sure it is (``confidence``: ``high``, or ``low``
when most of its frames showed a face without shoulders) and which cues were
seen (``cues``, e.g. ``head-lower``, ``leaning-in``, ``looking-down``,
``face-only``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
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


class Sensitivity(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


#: How far each threshold lies from the baseline, per sensitivity.
SENSITIVITY_SCALE = {Sensitivity.LOW: 1.5, Sensitivity.NORMAL: 1.0, Sensitivity.HIGH: 0.7}

BAD_STATES = frozenset({PostureState.SLOUCHED, PostureState.FORWARD_HEAD})

ALERT_MOVES = {
    PostureState.SLOUCHED: "overhead-side-bend",
    PostureState.FORWARD_HEAD: "neck-nods",
}

#: Cue ids (JSON values, never translated).
CUE_NECK_FORWARD = "neck-forward"
CUE_NOSE_FORWARD = "nose-forward"
CUE_LEANING_IN = "leaning-in"
CUE_FACE_NEARER = "face-nearer"
CUE_TRUNK_LEAN = "trunk-lean"
CUE_HEAD_SUNK = "head-sunk"
CUE_HEAD_LOWER = "head-lower"
CUE_SINKING_BACK = "sinking-back"
CUE_LOOKING_DOWN = "looking-down"
CUE_FACE_ONLY = "face-only"

#: A face smaller than this share of the calibrated one is not the person at the desk.
_FAR_FACE = 0.4
#: The shoulder line counts as unchanged within this many face sizes.
_SHOULDERS_STILL = 0.15


@dataclass(frozen=True)
class PostureConfig:
    calibration_s: float = 5.0
    min_state_s: float = 3.0
    follow_share: float = 0.7
    alert_after_s: float = 60.0
    neck_deg: float = 15.0
    trunk_deg: float = 12.0
    lean_in_ratio: float = 1.18
    sink_ratio: float = 0.8
    head_drop: float = 0.3  # face sizes below the calibrated head position
    face_nearer_ratio: float = 1.25  # face only: face size against calibration
    nose_forward: float = 1.0  # side view: face sizes further ahead of the shoulders
    look_down: float = 0.2  # nose below the ears: face sizes more than at calibration
    min_face: float = 0.02  # share of the picture's height
    sensitivity: Sensitivity = Sensitivity.NORMAL

    @property
    def scale(self) -> float:
        return SENSITIVITY_SCALE[Sensitivity(self.sensitivity)]


@dataclass(frozen=True)
class Features:
    """Scale-free measurements of one frame (None when not measurable)."""

    neck_deg: float | None  # ear->shoulder line, degrees forward of vertical (side view)
    trunk_deg: float | None  # hip->shoulder line, degrees from vertical (side view)
    face_size: float  # ear to ear (front) or nose to ear (side), image units
    face_to_shoulders: float | None  # face size / shoulder width (front view only)
    head_height: float | None  # shoulder height minus ear height, in face sizes
    ear_y: float = 0.0  # ear height in the picture (0 top, 1 bottom)
    shoulder_y: float | None = None  # shoulder line height in the picture
    pitch: float = 0.0  # nose below the ears, in face sizes (looking down: larger)
    nose_forward: float | None = None  # side view: nose ahead of the shoulders, face sizes

    @property
    def face_only(self) -> bool:
        return self.shoulder_y is None


@dataclass(frozen=True)
class Baseline:
    neck_deg: float | None
    trunk_deg: float | None
    face_to_shoulders: float | None
    head_height: float | None
    face_size: float | None = None
    ear_y: float | None = None
    shoulder_y: float | None = None
    pitch: float | None = None
    nose_forward: float | None = None


@dataclass(frozen=True)
class Judgement:
    """One frame compared with the baseline: its state and the cues behind it."""

    state: PostureState
    cues: frozenset[str] = frozenset()

    @property
    def face_only(self) -> bool:
        return CUE_FACE_ONLY in self.cues


@dataclass(frozen=True)
class PostureReading:
    t_s: float
    state: PostureState  # debounced state
    raw: PostureState  # this frame's own classification
    calibrating: bool
    alert: bool  # True on the frame an alert fires
    suggestion: str | None  # desk-break exercise id to suggest with an alert
    cues: frozenset[str] = frozenset()  # this frame's cues


@dataclass(frozen=True)
class Span:
    start_s: float
    end_s: float
    state: PostureState
    frames: int = 0
    face_only_frames: int = 0
    cues: tuple[str, ...] = ()

    @property
    def confidence(self) -> str:
        """``low`` when most of the span's frames showed a face without shoulders."""
        return "low" if self.face_only_frames * 2 > self.frames else "high"

    def with_frames(self, judgements: Iterable[Judgement]) -> Span:
        frames, face_only, cues = self.frames, self.face_only_frames, set(self.cues)
        for judgement in judgements:
            frames += 1
            face_only += judgement.face_only
            cues |= judgement.cues
        return Span(self.start_s, self.end_s, self.state, frames, face_only, tuple(sorted(cues)))

    def to_json(self) -> dict[str, float | str | list[str]]:
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "state": self.state,
            "confidence": self.confidence,
            "cues": list(self.cues),
        }


def _lean(upper: tuple[float, float], lower: tuple[float, float], facing: float) -> float:
    """Degrees that ``upper`` leans from vertical above ``lower``, positive towards ``facing``."""
    dx = (upper[0] - lower[0]) * facing
    dy = lower[1] - upper[1]  # y points down
    return math.degrees(math.atan2(dx, dy))


def measure(
    frame: LandmarkFrame, min_visibility: float = MIN_VISIBILITY, *, min_face: float = 0.02
) -> Features | None:
    """The frame's posture features, or None when no face is in view.

    Without the shoulders only the face's own cues are measured (``face_only``).
    """
    if frame.landmarks is None:
        return None
    ear_l, ear_r = (
        point(frame, _P.LEFT_EAR, min_visibility),
        point(frame, _P.RIGHT_EAR, min_visibility),
    )
    sh_l = point(frame, _P.LEFT_SHOULDER, min_visibility)
    sh_r = point(frame, _P.RIGHT_SHOULDER, min_visibility)
    nose = point(frame, _P.NOSE, min_visibility)
    if (ear_l is None and ear_r is None) or nose is None:
        return None
    ear = midpoint(ear_l, ear_r) or ear_l or ear_r
    assert ear is not None
    ear_span = distance(ear_l, ear_r)
    nose_ear = distance(nose, ear)
    assert nose_ear is not None
    face = max(ear_span or 0.0, nose_ear)
    if face < min_face:
        return None
    pitch = (nose[1] - ear[1]) / face
    shoulder = midpoint(sh_l, sh_r) or sh_l or sh_r
    if shoulder is None:
        return Features(None, None, face, None, None, ear[1], None, pitch, None)
    shoulder_span = distance(sh_l, sh_r) or 0.0
    side_view = ear_span is None or shoulder_span < 1.2 * face
    neck = trunk = nose_forward = None
    if side_view:
        facing = 1.0 if nose[0] >= ear[0] else -1.0
        neck = _lean(ear, shoulder, facing)
        nose_forward = (nose[0] - shoulder[0]) * facing / face
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
    return Features(
        neck_deg=neck,
        trunk_deg=trunk,
        face_size=face,
        face_to_shoulders=face_to_shoulders,
        head_height=(shoulder[1] - ear[1]) / face,
        ear_y=ear[1],
        shoulder_y=shoulder[1],
        pitch=pitch,
        nose_forward=nose_forward,
    )


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def calibrate(samples: list[Features]) -> Baseline:
    """The upright baseline: the median of each feature over the calibration frames.

    When at least half the frames show the shoulders, only those frames count.
    """
    if not samples:
        raise ValueError("calibration needs at least one frame with a face in view")
    with_shoulders = [s for s in samples if not s.face_only]
    if len(with_shoulders) * 2 >= len(samples):
        samples = with_shoulders
    return Baseline(
        neck_deg=_median(s.neck_deg for s in samples),
        trunk_deg=_median(s.trunk_deg for s in samples),
        face_to_shoulders=_median(s.face_to_shoulders for s in samples),
        head_height=_median(s.head_height for s in samples),
        face_size=_median(s.face_size for s in samples),
        ear_y=_median(s.ear_y for s in samples),
        shoulder_y=_median(s.shoulder_y for s in samples),
        pitch=_median(s.pitch for s in samples),
        nose_forward=_median(s.nose_forward for s in samples),
    )


def _unzoomed(base: float, centre: float, zoom: float) -> float:
    """Where ``base`` would appear if the picture were zoomed by ``zoom`` about ``centre``."""
    return centre + (base - centre) * zoom


def _grew(now: float | None, upright: float | None, *, by: float) -> bool:
    """True when a feature seen now exceeds its upright value by ``by`` (both measured)."""
    return now is not None and upright is not None and now - upright >= by


def judge(features: Features | None, baseline: Baseline, config: PostureConfig) -> Judgement:
    """One frame's posture compared with the upright baseline, with its cues."""
    if features is None:
        return Judgement(PostureState.ABSENT)
    s = config.scale
    face = features.face_size
    base_face = baseline.face_size
    zoom = face / base_face if base_face else 1.0
    if zoom < _FAR_FACE:
        return Judgement(PostureState.ABSENT)
    cues: set[str] = set()
    if features.face_only:
        cues.add(CUE_FACE_ONLY)

    # How far the head (ears) and the shoulder line moved down since calibration,
    # in calibrated face sizes, after undoing the zoom of a nearer or further face.
    head_drop = shoulder_drop = None
    if baseline.ear_y is not None and base_face:
        expected = _unzoomed(baseline.ear_y, 0.5, zoom)
        head_drop = (features.ear_y - expected) / base_face
        if features.shoulder_y is not None and baseline.shoulder_y is not None:
            expected_sh = _unzoomed(baseline.shoulder_y, 0.5, zoom)
            shoulder_drop = (features.shoulder_y - expected_sh) / base_face

    # forward head
    if _grew(features.neck_deg, baseline.neck_deg, by=config.neck_deg * s):
        cues.add(CUE_NECK_FORWARD)
    if _grew(features.nose_forward, baseline.nose_forward, by=config.nose_forward * s):
        cues.add(CUE_NOSE_FORWARD)
    if (
        features.face_to_shoulders is not None
        and baseline.face_to_shoulders is not None
        and features.face_to_shoulders
        >= baseline.face_to_shoulders * (1 + (config.lean_in_ratio - 1) * s)
    ):
        cues.add(CUE_LEANING_IN)
    if features.face_only and base_face and zoom >= 1 + (config.face_nearer_ratio - 1) * s:
        cues.add(CUE_FACE_NEARER)

    # slouch
    if _grew(features.trunk_deg, baseline.trunk_deg, by=config.trunk_deg * s):
        cues.add(CUE_TRUNK_LEAN)
    if (
        features.head_height is not None
        and baseline.head_height is not None
        and features.head_height <= baseline.head_height * (1 - (1 - config.sink_ratio) * s)
    ):
        cues.add(CUE_HEAD_SUNK)
    if head_drop is not None and head_drop >= config.head_drop * s:
        cues.add(CUE_HEAD_LOWER)
        if zoom <= 1 - (config.lean_in_ratio - 1) * s:
            cues.add(CUE_SINKING_BACK)

    # looking down at a phone or notes: the nose drops, the shoulders and trunk stay
    pitched = baseline.pitch is not None and features.pitch - baseline.pitch >= config.look_down * s
    shoulders_still = shoulder_drop is None or abs(shoulder_drop) <= _SHOULDERS_STILL * s
    # without the shoulders, a nod moves the ears little: a head far lower has sunk
    nod = shoulder_drop is not None or head_drop is None or head_drop < 2 * config.head_drop * s
    if pitched and shoulders_still and nod and CUE_TRUNK_LEAN not in cues:
        cues.add(CUE_LOOKING_DOWN)
        cues -= {CUE_HEAD_SUNK, CUE_HEAD_LOWER, CUE_SINKING_BACK, CUE_FACE_NEARER}

    if cues & {CUE_NECK_FORWARD, CUE_NOSE_FORWARD, CUE_LEANING_IN, CUE_FACE_NEARER}:
        state = PostureState.FORWARD_HEAD
    elif cues & {CUE_TRUNK_LEAN, CUE_HEAD_SUNK, CUE_HEAD_LOWER}:
        state = PostureState.SLOUCHED
    else:
        state = PostureState.UPRIGHT
    return Judgement(state, frozenset(cues))


@dataclass
class PostureMonitor:
    """Feed frames in time order with :meth:`update`; read :attr:`spans` for the timeline.

    Pass a saved ``baseline`` (a desk profile) to skip the calibration.

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
    _recent: list[tuple[float, PostureState, tuple[str, ...]]] = field(default_factory=list)

    def update(self, frame: LandmarkFrame) -> PostureReading:
        self.frames += 1
        t = frame.t_s
        features = measure(frame, min_face=self.config.min_face)
        if self.baseline is None:
            return self._calibrating(t, features)
        judgement = judge(features, self.baseline, self.config)
        raw = judgement.state
        self._remember(t, judgement)
        if not self.spans:
            self._set_state(raw, t)
        else:
            self._follow(t)
        self._extend(t, judgement)
        alert = self._check_alert(t)
        return PostureReading(
            t_s=t,
            state=self._state,
            raw=raw,
            calibrating=False,
            alert=alert,
            suggestion=ALERT_MOVES.get(self._state) if alert else None,
            cues=judgement.cues,
        )

    def _remember(self, t: float, judgement: Judgement) -> None:
        self._recent.append((t, judgement.state, tuple(sorted(judgement.cues))))
        window = self.config.min_state_s
        self._recent = [r for r in self._recent if r[0] > t - window - 1e-9]

    def _follow(self, t: float) -> None:
        """Take the state that rules the last ``min_state_s`` seconds (see the module doc)."""
        counts: dict[PostureState, int] = {}
        first: dict[PostureState, float] = {}
        for rt, state, _cues in self._recent:
            counts[state] = counts.get(state, 0) + 1
            first.setdefault(state, rt)
        leader = max(counts, key=lambda s: (counts[s], s == self._state))
        if leader == self._state:
            return  # the candidate is kept: one odd frame does not reset it
        since = first[leader]
        window = self.config.min_state_s
        if (
            leader == self._candidate
            and self._recent[0][0] > self._candidate_since >= t - 2 * window
        ):
            # the candidate led shortly before the window began (or before a monitor was
            # restored without its window, see services/desk_codec.py): it counts from then
            since = self._candidate_since
        self._candidate, self._candidate_since = leader, since
        share = counts[leader] / len(self._recent)
        needed = self.config.min_state_s * self.config.follow_share
        if share >= self.config.follow_share and t - since >= needed - 1e-9:
            since = max(since, self.spans[-1].start_s)
            self._set_state(leader, since)
            earlier = [
                Judgement(state, frozenset(cues))
                for rt, state, cues in self._recent[:-1]
                if rt >= since
            ]
            last = self.spans[-1]
            self.spans[-1] = last.with_frames(j for j in earlier if j.state == leader)

    def _calibrating(self, t: float, features: Features | None) -> PostureReading:
        if features is None:
            # an empty stretch longer than a second starts the calibration again
            seen = [span.end_s for span in self.spans if span.state is not PostureState.ABSENT]
            if not seen or t - seen[-1] > 1.0:
                self._samples.clear()
                self._calibration_start = None
        else:
            if self._calibration_start is None:
                self._calibration_start = t
            self._samples.append(features)
            if t - self._calibration_start >= self.config.calibration_s:
                self.baseline = calibrate(self._samples)
                self._samples.clear()
        state = PostureState.ABSENT if features is None else PostureState.UPRIGHT
        cues = frozenset({CUE_FACE_ONLY}) if features is not None and features.face_only else None
        judgement = Judgement(state, cues or frozenset())
        self._remember(t, judgement)
        if not self.spans or self.spans[-1].state != state:
            self._set_state(state, t)
        self._extend(t, judgement)
        self._candidate, self._candidate_since = state, t
        return PostureReading(
            t,
            state,
            state,
            calibrating=self.baseline is None,
            alert=False,
            suggestion=None,
            cues=judgement.cues,
        )

    def _set_state(self, state: PostureState, since: float) -> None:
        self._state = state
        if len(self.spans) > 1 and since <= self.spans[-1].start_s:
            self.spans.pop()  # the new state began before the last span: that one goes
        if self.spans and self.spans[-1].state == state:
            self._bad_since = self.spans[-1].start_s if state in BAD_STATES else None
            return
        if self.spans:
            last = self.spans[-1]
            end = max(last.start_s, since)
            self.spans[-1] = Span(
                last.start_s, end, last.state, last.frames, last.face_only_frames, last.cues
            )
        self.spans.append(Span(since, since, state))
        self._bad_since = since if state in BAD_STATES else None

    def _extend(self, t: float, judgement: Judgement) -> None:
        if self.spans:
            last = self.spans[-1]
            grown = Span(
                last.start_s,
                max(last.end_s, t),
                last.state,
                last.frames,
                last.face_only_frames,
                last.cues,
            )
            self.spans[-1] = (
                grown.with_frames([judgement]) if judgement.state == last.state else grown
            )

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
