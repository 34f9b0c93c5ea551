"""Exercise-agnostic repetition counter (``--exercise generic``).

For exercises a clinician adds later, with no analyzer of their own. Rule, in
plain words:

1. Every frame becomes a set of features: the position (x and y) of the nose,
   shoulders, elbows, wrists, hips, knees and ankles relative to the shoulder
   centre, in torso lengths, so camera distance and body size do not matter.
   The torso ruler is the median of the first ``WARM_UP`` measurements, then
   a slow average (``RULER_S``), so noise in the ruler itself never looks
   like movement; no feature is counted before the ruler is set. A landmark
   the model cannot see gives no value.
2. Each feature is low-pass filtered and counted by its own ``CycleCounter``:
   a cycle is a swing from one side of the feature's recent range to the
   other and back, with thresholds from that range; nothing counts until the
   range reaches ``min_range`` torso lengths, so standing still or jitter never
   counts, and the first swing counts only if it started from a rest, so a
   recording that starts mid-movement does not count half a rep.
3. The dominant movement is the feature that varies most over the whole
   recording (running variance of the filtered value); the count is that
   feature's count. All features are counted all the time, so the answer is
   available after every frame (live use) and never needs a second pass.

Limits: exercises done one side at a time (bird-dog, marching) count the reps
of one side, because each side's limbs are separate features; movements
smaller than ``min_range`` (shoulder circles) are not counted.

Example:
    >>> analyzer = GenericAnalyzer()
    >>> for frame in frames:  # doctest: +SKIP
    ...     feedback = analyzer.update(frame)
    >>> analyzer.result().reps  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar, Final

import numpy as np
import numpy.typing as npt

from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepEvent
from backcoach.vision.analyzers.motion import CycleCounter
from backcoach.vision.geometry import MIN_VISIBILITY, shoulder_centre, torso_length
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark
from backcoach.vision.view import SetupCheck

_P = PoseLandmark

#: The landmarks whose positions make the features.
TRACKED: Final = (
    _P.NOSE,
    _P.LEFT_SHOULDER,
    _P.RIGHT_SHOULDER,
    _P.LEFT_ELBOW,
    _P.RIGHT_ELBOW,
    _P.LEFT_WRIST,
    _P.RIGHT_WRIST,
    _P.LEFT_HIP,
    _P.RIGHT_HIP,
    _P.LEFT_KNEE,
    _P.RIGHT_KNEE,
    _P.LEFT_ANKLE,
    _P.RIGHT_ANKLE,
)
FEATURES: Final = tuple(f"{mark.name.lower()}.{axis}" for mark in TRACKED for axis in "xy")
_INDEX = np.array([int(mark) for mark in TRACKED])
#: Seconds the low-pass filter needs after a (re)start before its values count.
SETTLE_S: Final = 0.2
#: Frames measured before the torso-length ruler is set.
WARM_UP: Final = 3
#: Averaging time of the torso-length ruler after that, in seconds.
RULER_S: Final = 20.0


@register
class GenericAnalyzer:
    """Counts the repetitions of whatever moves most (any exercise, any view).

    Args:
        min_range: smallest swing that counts, in torso lengths.
        cutoff_hz: low-pass cut-off applied to every feature.
        forget_s: how fast a feature's old range is forgotten (see ``CycleCounter``).
    """

    exercise_id: ClassVar[str] = "generic"

    def __init__(
        self, *, min_range: float = 0.15, cutoff_hz: float = 1.5, forget_s: float = 8.0
    ) -> None:
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders",))
        self.cutoff_hz = cutoff_hz
        self.counters = [
            CycleCounter(
                min_amplitude=min_range, forget_s=forget_s, min_half_s=0.2, first_rest_s=0.2
            )
            for _ in FEATURES
        ]
        self.events: list[list[RepEvent]] = [[] for _ in FEATURES]
        self._torso: float | None = None
        self._torso_t = 0.0
        self._first_torsos: list[float] = []
        self._settled_at = math.inf
        self._smooth: npt.NDArray[np.float64] | None = None
        self._t: float | None = None
        # Running variance per feature (Welford), over the filtered values.
        self._n = np.zeros(len(FEATURES))
        self._mean = np.zeros(len(FEATURES))
        self._m2 = np.zeros(len(FEATURES))

    @property
    def dominant(self) -> int | None:
        """Index into ``FEATURES`` of the feature that moves most so far."""
        if not self._n.any():
            return None
        variance = np.where(self._n > 1, self._m2 / np.maximum(self._n - 1, 1), 0.0)
        best = int(np.argmax(variance))
        return best if variance[best] > 0 else None

    @property
    def dominant_feature(self) -> str | None:
        best = self.dominant
        return None if best is None else FEATURES[best]

    def _features(self, frame: LandmarkFrame) -> npt.NDArray[np.float64] | None:
        """Positions relative to the shoulder centre in torso lengths (NaN = not seen)."""
        if frame.landmarks is None:
            return None
        anchor = shoulder_centre(frame)
        torso = self._ruler(frame.t_s, torso_length(frame))
        if anchor is None or torso is None:
            return None
        marks = np.array([frame.landmarks[i] for i in _INDEX], dtype=np.float64)
        xy = np.stack(
            [(marks[:, 0] * frame.aspect - anchor[0]) / torso, (marks[:, 1] - anchor[1]) / torso],
            axis=1,
        )
        xy[marks[:, 3] < MIN_VISIBILITY] = np.nan
        features: npt.NDArray[np.float64] = xy.reshape(-1)
        return features

    def _ruler(self, t_s: float, torso: float | None) -> float | None:
        """The torso length: median of the first measurements, then a slow average."""
        if torso is not None:
            if self._torso is None:
                self._first_torsos.append(torso)
                if len(self._first_torsos) >= WARM_UP:
                    self._torso = float(np.median(self._first_torsos))
            else:
                dt = max(0.0, t_s - self._torso_t)
                self._torso += dt / (RULER_S + dt) * (torso - self._torso)
            self._torso_t = t_s
        return self._torso

    def _filter(self, t_s: float, raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        if self._smooth is None or self._t is None or t_s <= self._t or t_s - self._t > 1.0:
            self._smooth = raw.copy()
            self._settled_at = t_s + SETTLE_S
        else:
            dt = t_s - self._t
            alpha = 1.0 / (1.0 + 1.0 / (2.0 * math.pi * self.cutoff_hz * dt))
            fresh = np.isnan(self._smooth)
            self._smooth = np.where(fresh, raw, alpha * raw + (1.0 - alpha) * self._smooth)
        self._t = t_s
        return self._smooth

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        raw = self._features(frame)
        done = False
        dominant = self.dominant
        if raw is not None:
            values = self._filter(t, raw)
            seen = ~np.isnan(values)
            self._n += seen
            delta = np.where(seen, values - self._mean, 0.0)
            self._mean += np.where(seen, delta / np.maximum(self._n, 1), 0.0)
            self._m2 += np.where(seen, delta * (values - self._mean), 0.0)
            dominant = self.dominant
            if t < self._settled_at:  # the filter still starts from one noisy frame
                values = np.full_like(values, np.nan)
            for i, value in enumerate(values.tolist()):
                rep = self.counters[i].update(t, None if math.isnan(value) else value)
                if rep is not None:
                    events = self.events[i]
                    events.append(RepEvent(len(events) + 1, rep.start_s, rep.end_s))
                    done = done or i == dominant
        else:
            for counter in self.counters:
                counter.update(t, None)
        best = dominant
        leader = None if best is None else self.counters[best]
        return Feedback(
            exercise=self.exercise_id,
            t_s=t,
            reps=0 if best is None else len(self.events[best]),
            hint=hint,
            phase="unknown" if leader is None else leader.phase,
            view=view,
            pose_detected=frame.landmarks is not None,
            rep_done=done,
        )

    def result(self) -> AnalysisResult:
        base = self.log.result()
        best = self.dominant
        events = () if best is None else tuple(self.events[best])
        return replace(base, reps=len(events), rep_events=events)


def count_reps(frames: Iterable[LandmarkFrame], **params: float) -> int:
    """Batch helper: the generic count over a whole recording."""
    analyzer = GenericAnalyzer(**params)
    for frame in frames:
        analyzer.update(frame)
    return analyzer.result().reps
