"""High-knee march, from the side or the front: steps per side and knee height.

Signal (per leg): the thigh's lift from hanging straight down, in degrees,
from the knee's height under the hip over the thigh's full length (the
longest hip-knee distance seen, so it works whether the knee comes up towards
the camera or across the picture): 0 standing, 90 with the thigh level. A
step starts when the lift passes ``enter_deg`` and ends below ``exit_deg``.
A step whose best lift stays under ``high_deg`` gets the fault "knee low".
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import (
    Motion,
    MotionAnalyzer,
    RunningMax,
    SideKey,
    inclination,
)
from backcoach.vision.counting import Rep, RepCounter
from backcoach.vision.geometry import joint, point
from backcoach.vision.landmarks import LandmarkFrame

KNEE_LOW = "knee-low"


@register
class HighKneeMarchAnalyzer(MotionAnalyzer):
    """High-knee march analyzer (any view, per side)."""

    exercise_id: ClassVar[str] = "high-knee-march"
    required = ("hips", "knees")
    messages: ClassVar[dict[str, str]] = {
        KNEE_LOW: "Bring your knees up a little higher if that feels fine.",
    }

    def __init__(
        self,
        *,
        enter_deg: float = 40.0,
        exit_deg: float = 20.0,
        high_deg: float = 60.0,
    ) -> None:
        super().__init__(
            {
                side: Motion(
                    RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.15),
                    still_rate=20.0,
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
            values[side] = inclination(knee, hip, self._thigh[side])
        return values

    @override
    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> list[str]:
        return [KNEE_LOW] if rep.peak < self.high_deg else []

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 90.0
