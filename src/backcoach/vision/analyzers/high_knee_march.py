"""High-knee march, from the side or the front: steps per side and knee height.

Signal (per leg): how far the knee has risen towards hip height, in thigh
lengths (the longest hip-knee distance seen, so it works whether the knee
comes up towards the camera or across the picture): 0 standing, 1 with the
thigh level; that is ``1 - cos`` of the thigh's lift from hanging straight
down. Unlike the lift angle it is not inflated by jitter while the thigh
hangs (an angle near vertical swings tens of degrees on a few pixels).
Each leg's steps are visits of its lift to the top of that leg's own range
(``VisitCounter``): knee up, knee down. The thresholds follow what the person
does, so a brisk march whose foot does not come all the way down between
steps, or lower lifts late in a set, still count every step; a lift under
``min_range`` thigh lengths (about 40 degrees) never counts. The smoothing
is quicker than for the slow floor exercises (a step lasts about half a
second). Each step carries the
side of the leg that lifted. A step whose best lift stays under ``high_deg``
(in degrees) gets the fault "knee low".
"""

from __future__ import annotations

import math
from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers._visits import VisitCounter
from backcoach.vision.analyzers.motion import (
    Motion,
    MotionAnalyzer,
    RunningMax,
    SideKey,
    inclination,
)
from backcoach.vision.counting import Rep
from backcoach.vision.geometry import joint, point
from backcoach.vision.landmarks import LandmarkFrame

KNEE_LOW = "knee-low"


@register
class HighKneeMarchAnalyzer(MotionAnalyzer):
    """High-knee march analyzer (any view, per side)."""

    exercise_id: ClassVar[str] = "high-knee-march"
    required = ("hips", "knees")
    messages: ClassVar[dict[str, str]] = {
        KNEE_LOW: N_("Bring your knees up a little higher if that feels fine."),
    }

    def __init__(
        self,
        *,
        min_range: float = 0.25,
        high_deg: float = 60.0,
    ) -> None:
        super().__init__(
            {
                side: Motion(
                    VisitCounter(min_amplitude=min_range, near=0.4, leave=0.35, min_active_s=0.1),
                    still_rate=20.0,
                    cutoff_hz=3.0,
                )
                for side in ("left", "right")
            }
        )
        self.high_deg = high_deg
        self._thigh = {"left": RunningMax(), "right": RunningMax()}

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        values: dict[SideKey, float | None] = {}
        for side in ("left", "right"):
            knee, hip = point(frame, joint("knee", side)), point(frame, joint("hip", side))
            lift = inclination(knee, hip, self._thigh[side])
            values[side] = None if lift is None else 1.0 - math.cos(math.radians(lift))
        return values

    @override
    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> list[str]:
        return [KNEE_LOW] if lift_deg(rep.peak) < self.high_deg else []

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return lift_deg(rep.peak) / 90.0


def lift_deg(rise: float) -> float:
    """The thigh's lift in degrees from the knee's rise in thigh lengths (``1 - cos``)."""
    return math.degrees(math.acos(max(-1.0, min(1.0, 1.0 - rise))))
