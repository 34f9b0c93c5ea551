"""Curl-up, lying on the back, filmed from the side: reps and the hold.

Signal: how far the head and shoulders are lifted, as the elevation in
degrees of hip centre -> shoulder centre, measured from the person's own
resting level (the lowest of the last 30 s, so lying flat reads 0). A rep
starts past ``enter_deg`` and ends below ``exit_deg``; the time spent still at
the top is the hold. A lift beyond ``high_deg`` gets a calm cue: the curl-up
is a small lift, not a sit-up. Head and neck move with the trunk as one
piece: an ear more than ``max_neck_flex_deg`` above the line of the trunk
while lifted means the chin is pulled to the chest ("neck flexed",
``form.head_drop`` turned round). Nothing is measured unless the trunk is
within 60 degrees of level (lying down) and the camera sees the person from
the side or diagonally: from the front the lift is a change of depth the
picture does not show, so the analyzer asks the person to turn side-on.
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.form import head_drop
from backcoach.vision.analyzers.motion import Baseline, Motion, MotionAnalyzer, SideKey
from backcoach.vision.counting import Rep, RepCounter
from backcoach.vision.geometry import (
    angle_to_horizontal,
    best_side,
    elevation,
    hip_centre,
    shoulder_centre,
)
from backcoach.vision.landmarks import LandmarkFrame

TOO_HIGH = "lift-too-high"
NECK_FLEXED = "neck-flexed"


@register
class CurlUpAnalyzer(MotionAnalyzer):
    """Curl-up analyzer (side view)."""

    exercise_id: ClassVar[str] = "curl-up"
    required = ("shoulders", "hips")
    expected_view = "side"
    position_hint = N_("Lie on your back, side-on to the camera.")
    messages: ClassVar[dict[str, str]] = {
        TOO_HIGH: "A small lift is enough: raise only your head and shoulders.",
        NECK_FLEXED: N_("Keep your neck long: lift head and shoulders together, chin not tucked."),
    }

    def __init__(
        self,
        *,
        enter_deg: float = 7.0,
        exit_deg: float = 3.5,
        high_deg: float = 35.0,
        min_hold_s: float = 1.0,
        max_neck_flex_deg: float = 30.0,
    ) -> None:
        counter = RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.3)
        motion = Motion(counter, still_rate=4.0, min_hold_s=min_hold_s, baseline=Baseline())
        super().__init__({None: motion})
        self.high_deg = high_deg
        self.max_neck_flex_deg = max_neck_flex_deg

    @override
    def in_position(self, frame: LandmarkFrame) -> bool:
        if self.setup.views.view == "front":
            return False
        tilt = angle_to_horizontal(hip_centre(frame), shoulder_centre(frame))
        return tilt is not None and tilt <= 60.0

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        lift = elevation(hip_centre(frame), shoulder_centre(frame))
        return {None: lift}

    @override
    def form(self, frame: LandmarkFrame, side: SideKey, motion: Motion) -> dict[str, bool]:
        drop = head_drop(frame, best_side(frame, ("shoulder", "hip", "ear")))
        return {NECK_FLEXED: drop is not None and -drop > self.max_neck_flex_deg}

    @override
    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> list[str]:
        return [TOO_HIGH] if rep.peak > self.high_deg else []

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return min(1.0, rep.peak / 15.0)
