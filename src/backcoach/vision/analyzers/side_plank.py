"""Side plank, facing the camera: the hold, and hips sagging.

Signal: how high the hips are lifted, as the elevation in degrees of the
ankles -> hip centre line, measured from the person's own resting level (the
lowest of the last 30 s, so lying propped on the forearm reads 0). The
position starts past ``enter_deg`` and ends below ``exit_deg``; the time spent
still in it is the hold (each lift is also a rep). Fault while holding: hips
sagging, when the hip sits below the shoulder -> ankle line and the body bends
at the hip by more than ``sag_deg``. The side is the supporting one: the
shoulder nearer the floor.
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import (
    Baseline,
    Motion,
    MotionAnalyzer,
    SideKey,
    either_centre,
)
from backcoach.vision.counting import Rep, RepCounter
from backcoach.vision.geometry import angle_at, elevation, hip_centre, point, shoulder_centre
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark

SAGGING = "hips-sagging"


@register
class SidePlankAnalyzer(MotionAnalyzer):
    """Side plank analyzer (front view)."""

    exercise_id: ClassVar[str] = "side-plank"
    required = ("shoulders", "hips", "feet")
    expected_view = "front"
    messages: ClassVar[dict[str, str]] = {
        SAGGING: N_("Lift your hips a little so your body makes one straight line."),
    }

    def __init__(
        self,
        *,
        enter_deg: float = 8.0,
        exit_deg: float = 4.0,
        sag_deg: float = 15.0,
        min_hold_s: float = 1.0,
    ) -> None:
        counter = RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.5)
        motion = Motion(counter, still_rate=5.0, min_hold_s=min_hold_s, baseline=Baseline())
        super().__init__({None: motion})
        self.sag_deg = sag_deg
        self._support: SideKey = None

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        ankles = either_centre(frame, PoseLandmark.LEFT_ANKLE, PoseLandmark.RIGHT_ANKLE)
        left, right = (
            point(frame, PoseLandmark.LEFT_SHOULDER),
            point(frame, PoseLandmark.RIGHT_SHOULDER),
        )
        lifted = self.motions[None].active
        if lifted and left is not None and right is not None and abs(left[1] - right[1]) > 1e-3:
            self._support = "left" if left[1] > right[1] else "right"
        return {None: elevation(ankles, hip_centre(frame))}

    @override
    def side_of(self, side: SideKey) -> SideKey:
        return self._support

    @override
    def form(self, frame: LandmarkFrame, side: SideKey, motion: Motion) -> dict[str, bool]:
        ankles = either_centre(frame, PoseLandmark.LEFT_ANKLE, PoseLandmark.RIGHT_ANKLE)
        hip, shoulder = hip_centre(frame), shoulder_centre(frame)
        bend = angle_at(shoulder, hip, ankles)
        if bend is None or hip is None or shoulder is None or ankles is None:
            return {SAGGING: False}
        # Is the hip on the floor side of the shoulder -> ankle line?
        if abs(shoulder[0] - ankles[0]) < 1e-9:
            below = False
        else:
            u = (hip[0] - ankles[0]) / (shoulder[0] - ankles[0])
            below = hip[1] > ankles[1] + u * (shoulder[1] - ankles[1])
        return {SAGGING: below and 180.0 - bend > self.sag_deg and motion.hold.holding}

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return 1.0 - 0.3 * bool(motion.faults)
