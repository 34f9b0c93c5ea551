"""Bird-dog, filmed from the side: reps per side, the hold, arm and leg level with the trunk.

Signal (per arm): the angle between the arm (shoulder -> wrist) and the trunk
line pointing forward (hip centre -> shoulder centre). On all fours the arm
hangs at about 90 degrees to the trunk; reaching forward level with the back
it is near 0. A rep on a side starts when that arm comes within ``enter_deg``
of the trunk line and ends when it is back beyond ``exit_deg``; the side is
the raised arm's side. The time spent still in the reach is the hold.

Faults, judged during the reach: the arm not level with the trunk (best
angle above ``level_deg``), no leg reaching back level with the trunk (the
better leg's hip -> ankle line more than ``level_deg`` off the trunk line),
hips rotating (the two hips part vertically by more than ``rotation`` torso
lengths beyond their resting gap) and the hips dropping (the trunk tilting
more than ``drop_deg`` from its resting tilt); the resting gap and tilt are
learnt while both arms hang down. Nothing is measured unless the
trunk is within 40 degrees of level (on all fours).
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import Motion, MotionAnalyzer, SideKey, vector_angle
from backcoach.vision.counting import Rep, RepCounter
from backcoach.vision.geometry import (
    angle_to_horizontal,
    elevation,
    hip_centre,
    joint,
    point,
    shoulder_centre,
    torso_length,
)
from backcoach.vision.landmarks import LandmarkFrame

ARM_LOW = "arm-not-level"
LEG_LOW = "leg-not-level"
HIP_ROTATION = "hip-rotation"
HIP_DROP = "hip-drop"


@register
class BirdDogAnalyzer(MotionAnalyzer):
    """Bird-dog analyzer (side view, per side)."""

    exercise_id: ClassVar[str] = "bird-dog"
    required = ("shoulders", "arms", "hips", "knees")
    expected_view = "side"
    position_hint = "Kneel on all fours, side-on to the camera."
    messages: ClassVar[dict[str, str]] = {
        ARM_LOW: "Reach your arm out level with your back, no higher.",
        LEG_LOW: "Reach the opposite leg back until it is level with your back.",
        HIP_ROTATION: "Keep both hips level, as if balancing a cup on your lower back.",
        HIP_DROP: "Keep your back flat and steady while you reach.",
    }

    def __init__(
        self,
        *,
        enter_deg: float = 35.0,
        exit_deg: float = 60.0,
        level_deg: float = 25.0,
        rotation: float = 0.12,
        drop_deg: float = 12.0,
        min_hold_s: float = 1.0,
    ) -> None:
        super().__init__(
            {
                side: Motion(
                    RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.3),
                    still_rate=10.0,
                    min_hold_s=min_hold_s,
                )
                for side in ("left", "right")
            }
        )
        self.level_deg = level_deg
        self.rotation = rotation
        self.drop_deg = drop_deg
        self.hanging_deg = 75.0  # both arms this far from the trunk line: resting on all fours
        self._rest_gap: float | None = None
        self._rest_tilt: float | None = None
        self._best_leg: dict[SideKey, float] = {}

    @override
    def in_position(self, frame: LandmarkFrame) -> bool:
        tilt = angle_to_horizontal(hip_centre(frame), shoulder_centre(frame))
        return tilt is not None and tilt <= 40.0

    def _hip_gap(self, frame: LandmarkFrame) -> float | None:
        left, right = point(frame, joint("hip", "left")), point(frame, joint("hip", "right"))
        torso = torso_length(frame)
        if left is None or right is None or torso is None:
            return None
        return abs(left[1] - right[1]) / torso

    def _tilt(self, frame: LandmarkFrame) -> float | None:
        return elevation(hip_centre(frame), shoulder_centre(frame))

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        hip, shoulder = hip_centre(frame), shoulder_centre(frame)
        values: dict[SideKey, float | None] = {}
        for side in ("left", "right"):
            arm = vector_angle(
                point(frame, joint("shoulder", side)),
                point(frame, joint("wrist", side)),
                hip,
                shoulder,
            )
            values[side] = arm
        if all(v is not None and v >= self.hanging_deg for v in values.values()):
            # Resting on all fours: remember how the hips and trunk sit.
            gap, tilt = self._hip_gap(frame), self._tilt(frame)
            if gap is not None:
                self._rest_gap = gap if self._rest_gap is None else 0.9 * self._rest_gap + 0.1 * gap
            if tilt is not None:
                self._rest_tilt = (
                    tilt if self._rest_tilt is None else 0.9 * self._rest_tilt + 0.1 * tilt
                )
        return values

    def _leg_angle(self, frame: LandmarkFrame) -> float | None:
        hip, shoulder = hip_centre(frame), shoulder_centre(frame)
        angles = [
            vector_angle(
                point(frame, joint("hip", side)), point(frame, joint("ankle", side)), shoulder, hip
            )
            for side in ("left", "right")
        ]
        known = [a for a in angles if a is not None]
        return min(known) if known else None

    @override
    def form(self, frame: LandmarkFrame, side: SideKey, motion: Motion) -> dict[str, bool]:
        leg = self._leg_angle(frame)
        if leg is not None:
            self._best_leg[side] = min(self._best_leg.get(side, 180.0), leg)
        gap, tilt = self._hip_gap(frame), self._tilt(frame)
        still = motion.hold.current_s > 0.3  # judge the position, not the way into it
        return {
            HIP_ROTATION: gap is not None
            and self._rest_gap is not None
            and gap - self._rest_gap > self.rotation,
            HIP_DROP: still
            and tilt is not None
            and self._rest_tilt is not None
            and abs(tilt - self._rest_tilt) > self.drop_deg,
        }

    @override
    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> list[str]:
        faults = []
        if rep.peak > self.level_deg:
            faults.append(ARM_LOW)
        if self._best_leg.pop(side, 180.0) > self.level_deg:
            faults.append(LEG_LOW)
        return faults

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return 1.0 - 0.25 * len(motion.faults) - max(0.0, rep.peak - self.level_deg) / 60.0
