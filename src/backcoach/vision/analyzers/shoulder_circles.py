"""Shoulder circles, from the front or the side: cycles.

Signal: how high the shoulders ride towards the head, in torso lengths (the
longest torso seen): ``(shoulder height - head height) / torso``, the head
being the mean of the face landmarks (steadier than any one of them). Every
shoulder circle lifts and lowers the shoulders once, so circles are counted
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
from backcoach.vision.analyzers._motion import (
    CycleCounter,
    Motion,
    MotionAnalyzer,
    RunningMax,
    SideKey,
    head_centre,
)
from backcoach.vision.counting import Rep
from backcoach.vision.geometry import shoulder_centre, torso_length
from backcoach.vision.landmarks import LandmarkFrame


@register
class ShoulderCirclesAnalyzer(MotionAnalyzer):
    """Shoulder circles analyzer (any view)."""

    exercise_id: ClassVar[str] = "shoulder-circles"
    required = ("head", "shoulders", "hips")

    def __init__(self, *, min_range: float = 0.07) -> None:
        counter = CycleCounter(min_amplitude=min_range, min_half_s=0.4, band=0.1)
        super().__init__({None: Motion(counter, still_rate=0.1, cutoff_hz=1.5)})
        self._torso = RunningMax()

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        torso = self._torso.update(torso_length(frame))
        ears = head_centre(frame)
        shoulders = shoulder_centre(frame)
        if torso is None or ears is None or shoulders is None:
            return {None: None}
        return {None: (ears[1] - shoulders[1]) / torso}

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 0.15
