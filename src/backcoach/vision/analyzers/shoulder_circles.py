"""Shoulder circles, from the front or the side: cycles.

Signal: how high the elbows ride towards the head, in torso lengths (the
longest torso seen): ``(elbow height - head height) / torso``, the head being
the mean of the face landmarks (steadier than any one of them), the elbows'
mean over those in view. It covers both ways of doing the exercise: circling
the elbows with the fingertips on the shoulders (the elbows travel about a
torso length), and rolling the shoulders with the arms hanging (the elbows
rise and fall with the shoulders, 3-4 cm). Every circle lifts and lowers the
elbows once, so circles are counted
as up-down cycles with thresholds from the movement's own range
(``CycleCounter``, with a narrow band: each circle passes its lowest point only
for a moment); a cycle needs at least ``min_range`` torso lengths (about
3-4 cm on an adult), so breathing and jitter never count. This is the smallest
movement of all analyzers: landmark noise above about 0.35 % of the picture
(a person far from a low-resolution camera) can fake a cycle, so ask people
to come closer for this one.
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import (
    CycleCounter,
    Motion,
    MotionAnalyzer,
    RunningMax,
    SideKey,
    either_centre,
    head_centre,
)
from backcoach.vision.counting import Rep
from backcoach.vision.geometry import torso_length
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark


@register
class ShoulderCirclesAnalyzer(MotionAnalyzer):
    """Shoulder circles analyzer (any view)."""

    exercise_id: ClassVar[str] = "shoulder-circles"
    required = ("head", "shoulders", "arms", "hips")

    def __init__(self, *, min_range: float = 0.07) -> None:
        counter = CycleCounter(
            min_amplitude=min_range, min_half_s=0.4, band=0.15, keep_s=2.0, forget_s=3.0
        )
        super().__init__({None: Motion(counter, still_rate=0.1, holds=False, cutoff_hz=2.5)})
        self._torso = RunningMax()

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        torso = self._torso.update(torso_length(frame))
        head = head_centre(frame)
        elbows = either_centre(frame, PoseLandmark.LEFT_ELBOW, PoseLandmark.RIGHT_ELBOW)
        if torso is None or head is None or elbows is None:
            return {None: None}
        return {None: (head[1] - elbows[1]) / torso}

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 0.15
