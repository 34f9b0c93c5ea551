"""Bird-dog, filmed from the side: reps per side, the hold, arm and leg level with the trunk.

Signal: how close the raised limbs come to the trunk line. For each arm the
angle between the arm (shoulder -> wrist) and the trunk line pointing forward
(hip centre -> shoulder centre); for each leg the angle between the thigh
(hip -> knee) and the trunk line pointing back. On all fours every limb is at
about 75-100 degrees to the trunk; an arm reaching forward or a leg reaching
back level with the back is near 0. The signal is the smallest of the four
angles that can be seen, so one limb lost from view (the far arm, a hand
leaving the picture) does not lose the rep; but at least one arm must be
seen (reaching or on the floor), or nothing is measured. Reps are visits of that signal
to the low end of the person's own range (``VisitCounter``): reach out, come
back down.

Side, per rep, from the limbs that moved: the rep is named after the arm
that reached (the content's "left side" is the left arm reaching, with the
right leg); when no arm is seen reaching (it left the picture), after the
arm opposite the leg that reached (the standard opposite-arm-and-leg
bird-dog). So alternating reps alternate sides.

Faults, judged during the reach: the reaching arm not level with the trunk
(its best angle above ``level_deg``), the reaching leg not level (its hip ->
ankle line more than ``level_deg`` off the trunk line), hips rotating (the two
hips part vertically by more than ``rotation`` torso lengths beyond their
resting gap) and the hips dropping (the trunk tilting more than ``drop_deg``
from its resting tilt); the resting gap and tilt are learnt between reps.
Nothing is measured unless the trunk looks within 55 degrees of level on
screen (on all fours: a camera turned towards the head and a little above
makes a level trunk look tilted by up to about 50 degrees; kneeling upright
looks near 90).
"""

from __future__ import annotations

import math
from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers._visits import VisitCounter
from backcoach.vision.analyzers.base import Feedback
from backcoach.vision.analyzers.motion import Motion, MotionAnalyzer, Side, SideKey, vector_angle
from backcoach.vision.counting import Rep
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

_SIDES: tuple[Side, Side] = ("left", "right")
_OTHER: dict[Side, Side] = {"left": "right", "right": "left"}


@register
class BirdDogAnalyzer(MotionAnalyzer):
    """Bird-dog analyzer (side view; each rep names the side that reached)."""

    exercise_id: ClassVar[str] = "bird-dog"
    required = ("shoulders", "arms", "hips", "knees")
    expected_view = "side"
    position_hint = N_("Kneel on all fours, side-on to the camera.")
    messages: ClassVar[dict[str, str]] = {
        ARM_LOW: N_("Reach your arm out level with your back, no higher."),
        LEG_LOW: N_("Reach the opposite leg back until it is level with your back."),
        HIP_ROTATION: N_("Keep both hips level, as if balancing a cup on your lower back."),
        HIP_DROP: N_("Keep your back flat and steady while you reach."),
    }

    def __init__(
        self,
        *,
        min_range_deg: float = 35.0,
        reached_deg: float = 50.0,
        level_deg: float = 25.0,
        rotation: float = 0.12,
        drop_deg: float = 12.0,
        min_hold_s: float = 1.0,
    ) -> None:
        counter = VisitCounter(min_amplitude=min_range_deg, rising=False, min_active_s=0.3)
        super().__init__({None: Motion(counter, still_rate=10.0, min_hold_s=min_hold_s)})
        self.reached_deg = reached_deg
        self.level_deg = level_deg
        self.rotation = rotation
        self.drop_deg = drop_deg
        self._rest_gap: float | None = None
        self._rest_tilt: float | None = None
        # The closest each limb came to the trunk line during the reach in progress.
        self._visit = -1.0
        self._closest: dict[str, float] = {}
        self._reported = False

    @property
    def _motion(self) -> Motion:
        return self.motions[None]

    @override
    def in_position(self, frame: LandmarkFrame) -> bool:
        tilt = angle_to_horizontal(hip_centre(frame), shoulder_centre(frame))
        return tilt is not None and tilt <= 55.0

    def _hip_gap(self, frame: LandmarkFrame) -> float | None:
        left, right = point(frame, joint("hip", "left")), point(frame, joint("hip", "right"))
        torso = torso_length(frame)
        if left is None or right is None or torso is None:
            return None
        return abs(left[1] - right[1]) / torso

    def _tilt(self, frame: LandmarkFrame) -> float | None:
        return elevation(hip_centre(frame), shoulder_centre(frame))

    def _limbs(self, frame: LandmarkFrame) -> dict[str, float | None]:
        """Angle to the trunk line of each arm, thigh and whole leg (``"arm.left"`` ...)."""
        hip, shoulder = hip_centre(frame), shoulder_centre(frame)
        angles: dict[str, float | None] = {}
        for side in _SIDES:
            base, hip_side = point(frame, joint("shoulder", side)), point(frame, joint("hip", side))
            angles[f"arm.{side}"] = vector_angle(
                base, point(frame, joint("wrist", side)), hip, shoulder
            )
            angles[f"thigh.{side}"] = vector_angle(
                hip_side, point(frame, joint("knee", side)), shoulder, hip
            )
            angles[f"leg.{side}"] = vector_angle(
                hip_side, point(frame, joint("ankle", side)), shoulder, hip
            )
        return angles

    @override
    def update(self, frame: LandmarkFrame) -> Feedback:
        self._reported = False  # set by ``rep_faults`` when a rep ends on this frame
        return super().update(frame)

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        limbs = self._limbs(frame)
        motion = self._motion
        if motion.active:
            if self._visit != motion.counter.active_since:  # a new reach began
                self._visit, self._closest = motion.counter.active_since, {}
            for name, angle in limbs.items():
                if angle is not None:
                    self._closest[name] = min(self._closest.get(name, math.inf), angle)
        else:  # resting on all fours: remember how the hips and trunk sit
            gap, tilt = self._hip_gap(frame), self._tilt(frame)
            if gap is not None:
                self._rest_gap = gap if self._rest_gap is None else 0.9 * self._rest_gap + 0.1 * gap
            if tilt is not None:
                self._rest_tilt = (
                    tilt if self._rest_tilt is None else 0.9 * self._rest_tilt + 0.1 * tilt
                )
        if limbs["arm.left"] is None and limbs["arm.right"] is None:
            return {None: None}  # neither arm seen: whether on all fours cannot be told
        reach = [a for name, a in limbs.items() if a is not None and not name.startswith("leg")]
        return {None: min(reach)}

    def _reached(self, limb: str) -> Side | None:
        """The side whose ``limb`` reached during the current rep, if one clearly did."""
        closest = {s: self._closest.get(f"{limb}.{s}", math.inf) for s in _SIDES}
        side = min(_SIDES, key=lambda s: closest[s])
        if closest[side] > self.reached_deg:
            return None
        return side

    def _arm_side(self) -> Side | None:
        """The reaching arm's side: the arm seen reaching, else the one opposite the leg."""
        arm = self._reached("arm")
        if arm is not None:
            return arm
        leg = self._reached("thigh")
        return None if leg is None else _OTHER[leg]

    @override
    def side_of(self, side: SideKey) -> SideKey:
        if not (self._motion.active or self._reported):
            return None
        return self._arm_side()

    @override
    def form(self, frame: LandmarkFrame, side: SideKey, motion: Motion) -> dict[str, bool]:
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
        self._reported = True
        faults = []
        arm = self._reached("arm")
        if arm is not None and self._closest[f"arm.{arm}"] > self.level_deg:
            faults.append(ARM_LOW)
        leg = self._reached("thigh")
        if leg is not None and self._closest.get(f"leg.{leg}", 0.0) > self.level_deg:
            faults.append(LEG_LOW)
        return faults

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return 1.0 - 0.25 * len(motion.faults) - max(0.0, rep.peak - self.level_deg) / 60.0
