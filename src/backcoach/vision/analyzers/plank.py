"""Plank (forearm or straight-arm), filmed from the side: hold time, body line, head.

The plank position is: trunk within ``max_trunk_tilt_deg`` of horizontal,
shoulders held above the elbows or hands by at least ``min_support`` torso
lengths (so lying flat on the floor is not a plank), and a body line
(shoulder-hip-ankle, or knee when the ankles are out of view) straighter than
``min_line_deg``. The hold runs while that is true, bridging dropouts up to
``max_gap_s``. A line bent more than ``sag_deg`` with the hips low is "hips
sagging"; bent more than ``pike_deg`` with the hips high is "hips too high".
An ear more than ``max_head_drop_deg`` below the line of the trunk is "head
dropped" (``form.head_drop``). A fault must last ``fault_after_s`` before it
is reported, so a shift of weight is not a fault.

Faults are judged only from the side: seen diagonally, a bend of the body
line or the neck looks larger than it is, so the hold still counts there with
a hint that the back is not judged; from the front the plank is not seen as
one (a "turn side-on" hint).
"""

from __future__ import annotations

from typing import ClassVar

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback
from backcoach.vision.analyzers.form import BACK_NOT_JUDGED, head_drop
from backcoach.vision.analyzers.motion import Persist
from backcoach.vision.counting import HoldTimer
from backcoach.vision.geometry import (
    Side,
    angle_to_horizontal,
    best_side,
    body_line,
    joint,
    point,
    torso_length,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.view import SetupCheck

SAGGING = "hips-sagging"
PIKING = "hips-too-high"
HEAD_DROPPED = "head-dropped"

_MESSAGES = {
    SAGGING: N_("Lift your hips a little so your body makes one straight line."),
    PIKING: N_("Lower your hips a little, in line with your shoulders and heels."),
    HEAD_DROPPED: N_("Keep your head in line with your back: look at the floor just ahead."),
}
_GET_IN_POSITION = (
    "Get into the plank: forearms or hands under your shoulders, side-on to the camera."
)


@register
class PlankAnalyzer:
    """Plank analyzer (side view)."""

    exercise_id: ClassVar[str] = "plank"

    def __init__(
        self,
        *,
        max_trunk_tilt_deg: float = 35.0,
        min_support: float = 0.3,
        min_line_deg: float = 140.0,
        sag_deg: float = 20.0,
        pike_deg: float = 25.0,
        max_head_drop_deg: float = 30.0,
        fault_after_s: float = 1.0,
        min_hold_s: float = 1.0,
        max_gap_s: float = 0.5,
    ) -> None:
        self.max_trunk_tilt_deg = max_trunk_tilt_deg
        self.min_support = min_support
        self.min_line_deg = min_line_deg
        self.sag_deg = sag_deg
        self.pike_deg = pike_deg
        self.max_head_drop_deg = max_head_drop_deg
        self.persist = Persist(seconds=fault_after_s)
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders", "hips", "feet"), expected_view="side")
        self.hold = HoldTimer(min_hold_s=min_hold_s, max_gap_s=max_gap_s)

    def _in_plank(self, frame: LandmarkFrame, side: Side) -> tuple[bool | None, str | None]:
        """Whether the frame shows a plank (None: cannot tell) and the line fault, if any."""
        shoulder = point(frame, joint("shoulder", side))
        hip = point(frame, joint("hip", side))
        torso = torso_length(frame)
        trunk = angle_to_horizontal(shoulder, hip)
        line, hip_low = body_line(frame, side)
        if shoulder is None or torso is None or trunk is None or line is None:
            return None, None
        support = point(frame, joint("elbow", side)) or point(frame, joint("wrist", side))
        if support is None:
            return None, None
        lifted = (support[1] - shoulder[1]) / torso >= self.min_support
        if trunk > self.max_trunk_tilt_deg or not lifted or line < self.min_line_deg:
            return False, None
        if hip_low and line < 180.0 - self.sag_deg:
            return True, SAGGING
        if not hip_low and line < 180.0 - self.pike_deg:
            return True, PIKING
        return True, None

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        in_plank: bool | None = None
        fault: str | None = None
        side: Side | None = None
        if frame.landmarks is not None:
            side = best_side(frame, ("shoulder", "hip", "ankle", "elbow"))
            in_plank, fault = self._in_plank(frame, side)
            if in_plank is False and hint is None:
                hint = _GET_IN_POSITION
        span = self.hold.update(t, in_plank)
        if span is not None:
            self.log.hold(span)

        seen: dict[str, bool] = {}
        if in_plank and view == "side":
            drop = head_drop(frame, best_side(frame, ("shoulder", "hip", "ear")))
            seen = {
                SAGGING: fault == SAGGING,
                PIKING: fault == PIKING,
                HEAD_DROPPED: drop is not None and drop > self.max_head_drop_deg,
            }
        elif in_plank and hint is None and view == "diagonal":
            hint = BACK_NOT_JUDGED
        faults = self.persist.check(t, seen)
        for code in faults:
            self.log.fault(code, t, _MESSAGES[code])

        return Feedback(
            exercise=self.exercise_id,
            t_s=t,
            reps=0,
            hold_s=self.hold.current_s,
            cue=_MESSAGES[faults[0]] if faults else None,
            hint=hint,
            side=side,
            phase="hold" if self.hold.holding else ("rest" if in_plank is False else "unknown"),
            view=view,
            pose_detected=frame.landmarks is not None,
            faults=tuple(faults),
        )

    def result(self) -> AnalysisResult:
        open_span = self.hold.open_span()
        return self.log.result(open_holds=() if open_span is None else (open_span,))
