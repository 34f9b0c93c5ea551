"""Squat, filmed from the side, the front or diagonally: reps, depth, trunk lean, knees, heels.

Signal: how far the hip centre has dropped below the person's own standing
height, in torso lengths. The standing height is the highest hip position of
the last ``baseline_s`` seconds and the torso length the longest of that
window, so the signal does not depend on camera distance, and it works when
knees or feet are hard for the model to see (deep squats, cropped video). A
rep starts when the hips drop ``down_drop`` torso lengths and ends when they
are back within ``up_drop``; the hip drop reads the same in every view.

Faults, judged near the bottom and reported once they last ``fault_after_s``,
each only from the views where it can be seen:
- any view: a heel rising more than ``heel_rise`` torso lengths over its
  standing height ("heels up", ``form.HeelWatch``), on feet seen clearly;
- side or diagonal: a trunk leaning more than ``max_lean_deg`` from vertical
  ("chest forward"; a diagonal view shows less lean than there is, never more);
- front: knees closer together than ``knee_ratio`` times the ankle spread
  ("knees inward"), checked only when knees and ankles are clearly visible.
"""

from __future__ import annotations

from typing import ClassVar

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepBook
from backcoach.vision.analyzers.form import HeelWatch
from backcoach.vision.analyzers.motion import Persist
from backcoach.vision.counting import RepCounter, RollingExtreme
from backcoach.vision.geometry import (
    angle_to_horizontal,
    angle_to_vertical,
    distance,
    hip_centre,
    point,
    shoulder_centre,
    torso_length,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.landmarks import PoseLandmark as P
from backcoach.vision.smoothing import OneEuroFilter
from backcoach.vision.view import SetupCheck

CHEST_FORWARD = "chest-forward"
KNEES_IN = "knees-inward"
HEELS_UP = "heels-up"

_MESSAGES = {
    CHEST_FORWARD: N_("Keep your chest up and your back long as you bend."),
    KNEES_IN: N_("Let your knees follow the line of your toes, not fall inwards."),
    HEELS_UP: N_("Keep your heels on the floor: sit back into your hips."),
}
_STAND_UP = N_("Stand up, side-on or facing the camera, with your whole body in view.")


@register
class SquatAnalyzer:
    """Squat analyzer (side, front or diagonal view)."""

    exercise_id: ClassVar[str] = "squat"

    def __init__(
        self,
        *,
        down_drop: float = 0.35,
        up_drop: float = 0.15,
        full_drop: float = 0.6,
        baseline_s: float = 6.0,
        max_lean_deg: float = 55.0,
        knee_ratio: float = 0.75,
        heel_rise: float = 0.09,
        fault_after_s: float = 0.1,
    ) -> None:
        self.full_drop = full_drop
        self.up_drop = up_drop
        self.max_lean_deg = max_lean_deg
        self.knee_ratio = knee_ratio
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders", "hips", "knees"))
        self.counter = RepCounter(enter=down_drop, exit=up_drop, min_active_s=0.3)
        self.smooth = OneEuroFilter(min_cutoff=1.5, beta=0.5)
        self.top = RollingExtreme(window_s=baseline_s, maximum=False)  # smallest y = highest
        self.ruler = RollingExtreme(window_s=baseline_s, maximum=True)
        self.book = RepBook(self.log, _MESSAGES)
        self.heels = HeelWatch(max_rise=heel_rise)
        self.persist = Persist(seconds=fault_after_s)
        self._scale = 1.0  # the torso ruler of the last measured frame

    def _drop(self, frame: LandmarkFrame) -> float | None:
        hip = hip_centre(frame)
        torso = torso_length(frame)
        if hip is None or torso is None:
            return None
        tilt = angle_to_horizontal(shoulder_centre(frame), hip)
        if tilt is None or tilt < 35.0:  # lying or on all fours: not a squat
            return None
        top = self.top.update(frame.t_s, hip[1])
        self._scale = self.ruler.update(frame.t_s, torso)
        return (hip[1] - top) / self._scale

    def _faults(self, frame: LandmarkFrame, view: str | None) -> dict[str, bool]:
        """The faults near the bottom of a squat, each True when it shows on this frame."""
        seen = {HEELS_UP: self.heels.lifted(frame, self._scale)}
        if view in ("side", "diagonal"):
            lean = angle_to_vertical(hip_centre(frame), shoulder_centre(frame))
            seen[CHEST_FORWARD] = lean is not None and lean > self.max_lean_deg
        elif view == "front":
            knees = distance(point(frame, P.LEFT_KNEE, 0.7), point(frame, P.RIGHT_KNEE, 0.7))
            ankles = distance(point(frame, P.LEFT_ANKLE, 0.7), point(frame, P.RIGHT_ANKLE, 0.7))
            seen[KNEES_IN] = (
                knees is not None and ankles is not None and knees < self.knee_ratio * ankles
            )
        return seen

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        drop = None if frame.landmarks is None else self._drop(frame)
        if frame.landmarks is not None and drop is None and hint is None:
            hint = _STAND_UP
        value = None if drop is None else self.smooth(t, drop)
        rep = self.counter.update(t, value)

        deep = value is not None and value >= 0.8 * self.full_drop
        if value is not None and self.counter.phase == "rest" and value < self.up_drop:
            self.heels.standing(frame, self._scale)
        seen = self._faults(frame, view) if self.counter.phase == "active" and deep else {}
        faults = self.persist.check(t, seen)
        for code in faults:
            self.book.fault(code, t)

        if rep is not None:
            quality = min(1.0, rep.peak / self.full_drop) - 0.25 * len(self.book.faults)
            self.book.rep(rep, quality=quality)

        phase = self.counter.phase if value is not None else "unknown"
        return self.book.feedback(
            frame,
            hint=hint,
            phase={"active": "down", "rest": "up"}.get(phase, phase),
            view=view,
            rep_done=rep is not None,
            faults=faults,
        )

    def result(self) -> AnalysisResult:
        pending = self.counter.pending()
        if pending is not None and pending.peak >= self.full_drop:
            return self.log.result(unfinished=pending)
        return self.log.result()
