"""Standing forward bend, from the side (or the front): reps and depth.

Signal: the trunk's tilt from upright in degrees, from the vertical extent of
hip centre -> shoulder centre over the trunk's full length (the longest seen),
so bending towards the camera reads the same as bending across the picture.
A rep starts past ``enter_deg`` and ends back under ``exit_deg``. Quality:
the deepest tilt over 80 degrees; there is no depth fault (the bend goes only
as far as is comfortable).
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
from backcoach.vision.geometry import hip_centre, shoulder_centre
from backcoach.vision.landmarks import LandmarkFrame


@register
class StandingForwardBendAnalyzer(MotionAnalyzer):
    """Standing forward bend analyzer (side or front view)."""

    exercise_id: ClassVar[str] = "standing-forward-bend"
    required = ("shoulders", "hips")

    def __init__(self, *, enter_deg: float = 40.0, exit_deg: float = 20.0) -> None:
        counter = RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.3)
        super().__init__({None: Motion(counter, still_rate=10.0)})
        self._trunk = RunningMax()

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        return {None: inclination(hip_centre(frame), shoulder_centre(frame), self._trunk)}

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 80.0
