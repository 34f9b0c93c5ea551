"""Arm circles, from the front or the side: cycles.

Signal: how high the hands are above the shoulders, in torso lengths (the
longest torso seen), averaged over the hands in view. Any arm circle, in
whichever plane and seen from whichever side, takes the hands up and down
once per circle, so circles are counted as up-down cycles with thresholds
from the movement's own range (``CycleCounter``); a cycle needs at least
``min_range`` torso lengths of travel (small circles with the arms out at
shoulder height travel about 0.4), so swaying hands never count.

Fault while circling: the hands more than ``drop`` torso lengths below the
shoulders (the arms should stay out at about shoulder height).
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import (
    CycleCounter,
    Motion,
    MotionAnalyzer,
    RunningMax,
    SideKey,
)
from backcoach.vision.counting import Rep
from backcoach.vision.geometry import joint, point, torso_length
from backcoach.vision.landmarks import LandmarkFrame

ARMS_LOW = "arms-low"


@register
class ArmCirclesAnalyzer(MotionAnalyzer):
    """Arm circles analyzer (any view)."""

    exercise_id: ClassVar[str] = "arm-circles"
    required = ("shoulders", "arms", "hips")
    messages: ClassVar[dict[str, str]] = {
        ARMS_LOW: N_("Keep your arms out at about shoulder height while they circle."),
    }

    def __init__(self, *, min_range: float = 0.25, drop: float = 0.6) -> None:
        counter = CycleCounter(min_amplitude=min_range, min_half_s=0.2)
        super().__init__({None: Motion(counter, still_rate=1.0, holds=False)})
        self._torso = RunningMax()
        self.drop = drop

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        torso = self._torso.update(torso_length(frame))
        heights = []
        for side in ("left", "right"):
            wrist = point(frame, joint("wrist", side))
            shoulder = point(frame, joint("shoulder", side))
            if wrist is not None and shoulder is not None:
                heights.append(shoulder[1] - wrist[1])
        if torso is None or not heights:
            return {None: None}
        return {None: sum(heights) / len(heights) / torso}

    @override
    def form(self, frame: LandmarkFrame, side: SideKey, motion: Motion) -> dict[str, bool]:
        return {ARMS_LOW: motion.value is not None and motion.value < -self.drop}

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 2.0
