"""Superman, filmed from the side: reps, how high the arms and legs lift, the hold.

Signal: the lift, the mean of the arm elevation (shoulder -> wrist above
level, the better arm) and the leg elevation (hip -> ankle above level, the
better leg). Reps are visits of the lift to the top of the person's own range
(``VisitCounter``), and each rep's lift is measured from the bottom of that
range (lying flat is not exactly 0 degrees for every body and camera):
lift, come back down; a lift smaller than ``min_range_deg`` never counts, and
a recording that starts with the limbs already up counts each return to the
top. The time spent still at the top is the hold. A rep whose best lift stays
under ``full_deg`` gets the fault "lift a little higher". The superman is
symmetric: its reps have no side. Nothing is measured unless the trunk looks
within 55 degrees of level on screen (lying face down, filmed from the side
or turned up to about 60 degrees towards the head).
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers._visits import VisitCounter
from backcoach.vision.analyzers.motion import Motion, MotionAnalyzer, SideKey
from backcoach.vision.counting import Rep
from backcoach.vision.geometry import (
    angle_to_horizontal,
    elevation,
    hip_centre,
    joint,
    point,
    shoulder_centre,
)
from backcoach.vision.landmarks import LandmarkFrame

LOW_LIFT = "lift-low"


def _best(frame: LandmarkFrame, base: str, end: str) -> float | None:
    values = [
        elevation(point(frame, joint(base, side)), point(frame, joint(end, side)))
        for side in ("left", "right")
    ]
    known = [v for v in values if v is not None]
    return max(known) if known else None


@register
class SupermanAnalyzer(MotionAnalyzer):
    """Superman analyzer (side view)."""

    exercise_id: ClassVar[str] = "superman"
    required = ("shoulders", "arms", "hips", "feet")
    expected_view = "side"
    position_hint = N_("Lie face down, side-on to the camera, arms reaching forward.")
    messages: ClassVar[dict[str, str]] = {
        LOW_LIFT: N_("Lift your arms and legs a little higher, only as far as feels comfortable."),
    }

    def __init__(
        self,
        *,
        min_range_deg: float = 7.0,
        full_deg: float = 10.0,
        min_hold_s: float = 1.0,
    ) -> None:
        self.counter = VisitCounter(min_amplitude=min_range_deg, min_active_s=0.3)
        motion = Motion(self.counter, still_rate=5.0, min_hold_s=min_hold_s)
        super().__init__({None: motion})
        self.full_deg = full_deg

    @override
    def in_position(self, frame: LandmarkFrame) -> bool:
        tilt = angle_to_horizontal(hip_centre(frame), shoulder_centre(frame))
        return tilt is not None and tilt <= 55.0

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        arm, leg = _best(frame, "shoulder", "wrist"), _best(frame, "hip", "ankle")
        lift = None if arm is None or leg is None else (arm + leg) / 2.0
        return {None: lift}

    @override
    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> list[str]:
        return [LOW_LIFT] if rep.peak - self.counter.floor < self.full_deg else []

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return (rep.peak - self.counter.floor) / (2.0 * self.full_deg)
