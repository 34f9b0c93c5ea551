"""Form checks several analyzers share: the head in line with the trunk, heels on the floor.

Both are general rules of the movement, measured on the person's own body
rather than against a fixed picture:

- **Head in line** (push-up, plank, curl-up): with a neutral neck the ear sits
  on the line from the hip through the shoulder, within about 15 degrees.
  ``head_drop`` is how many degrees the ear hangs below that line (negative:
  above it, as a chin pulled to the chest reads lying on the back), seen from
  the shoulder; a head dropped towards the floor reads 35-65.
- **Heels down** (squat): how high each heel sits above its toes, in torso
  lengths, compared with the same foot while the person stands. A heel that
  rose more than 0.09 torso lengths (4-5 cm) left the floor. Checked only on
  feet the model sees clearly (visibility ``FOOT_VISIBILITY``): a far foot
  fading out of view drifts by as much as a real heel lift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from backcoach.i18n import N_
from backcoach.vision.geometry import SIDES, Side, joint, point
from backcoach.vision.landmarks import LandmarkFrame

#: Hint of an analyzer counting from the front or diagonally that judges the back side-on.
BACK_NOT_JUDGED = N_("I can't judge your back from here: turn side-on to the camera.")
#: Feet seen less clearly than this are not judged (their landmarks wander).
FOOT_VISIBILITY = 0.8
#: A trunk closer to vertical than this (on screen) has no "below the line" to speak of.
_MIN_TRUNK_LEVEL = 0.2


def head_drop(frame: LandmarkFrame, side: Side) -> float | None:
    """Degrees the ear hangs below the hip-shoulder line (negative above); None if not seen."""
    shoulder = point(frame, joint("shoulder", side))
    hip = point(frame, joint("hip", side))
    ear = point(frame, joint("ear", side))
    if shoulder is None or hip is None or ear is None:
        return None
    ux, uy = shoulder[0] - hip[0], shoulder[1] - hip[1]
    norm = math.hypot(ux, uy)
    if norm <= 1e-9:
        return None
    ux, uy = ux / norm, uy / norm
    nx, ny = -uy, ux  # a normal to the trunk, turned to point down on screen (y grows down)
    if ny < 0:
        nx, ny = -nx, -ny
    if ny < _MIN_TRUNK_LEVEL:
        return None
    ex, ey = ear[0] - shoulder[0], ear[1] - shoulder[1]
    return math.degrees(math.atan2(ex * nx + ey * ny, ex * ux + ey * uy))


def _heel_height(frame: LandmarkFrame, side: Side, ruler: float) -> float | None:
    heel = point(frame, joint("heel", side), FOOT_VISIBILITY)
    toe = point(frame, joint("foot", side), FOOT_VISIBILITY)
    if heel is None or toe is None:
        return None
    return (toe[1] - heel[1]) / ruler


@dataclass(slots=True)
class HeelWatch:
    """Heels leaving the floor, from each heel's height over its toes while standing.

    Call :meth:`standing` on frames where the person stands, :meth:`lifted` at
    the bottom of the movement.

    Args:
        max_rise: how far (torso lengths) a heel may rise over its standing height.
        weight: how fast the standing height follows new standing frames (0-1).
    """

    max_rise: float = 0.09
    weight: float = 0.2
    _standing: dict[Side, float] = field(default_factory=dict)

    def standing(self, frame: LandmarkFrame, ruler: float) -> None:
        """Learn each seen heel's standing height."""
        for side in SIDES:
            height = _heel_height(frame, side, ruler)
            if height is None:
                continue
            old = self._standing.get(side)
            self._standing[side] = height if old is None else old + self.weight * (height - old)

    def lifted(self, frame: LandmarkFrame, ruler: float) -> bool:
        """True when a seen heel with a known standing height rose more than ``max_rise``."""
        for side, standing in self._standing.items():
            height = _heel_height(frame, side, ruler)
            if height is not None and height - standing > self.max_rise:
                return True
        return False
