"""Neck turns, facing the camera: reps per side and range, from the face landmarks.

Signal: the head's turn (yaw) in degrees, positive towards the person's left,
estimated from how far the face centre (mean of nose, eyes and mouth) sits
sideways from the middle of the ears, relative to the ear spacing
(``atan(offset / (0.5 * spacing))``; turning moves the face sideways and
brings the ears together). A turn to one side
starts past ``enter_deg`` and ends back within ``exit_deg`` of straight
ahead. Measured only when the camera sees the person from the front (from the
side a turn cannot be told from the ears). A rep's quality is its range over
70 degrees; a turn under ``small_deg`` gets a calm cue.
"""

from __future__ import annotations

import math
from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import Motion, MotionAnalyzer, SideKey, face_centre
from backcoach.vision.counting import Rep, RepCounter
from backcoach.vision.geometry import distance, midpoint, point
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark

SMALL = "range-small"

#: How far the face centre sits in front of the ears, in ear spacings.
FACE_DEPTH = 0.5


def head_yaw(frame: LandmarkFrame) -> float | None:
    """Head turn in degrees (positive to the person's left) seen from the front; None if unseen."""
    nose = face_centre(frame)
    left, right = point(frame, PoseLandmark.LEFT_EAR), point(frame, PoseLandmark.RIGHT_EAR)
    ears, spread = midpoint(left, right), distance(left, right)
    if nose is None or ears is None or not spread:
        return None
    # The person's left is on the viewer's right in a front view.
    return math.degrees(math.atan2(nose[0] - ears[0], FACE_DEPTH * spread))


@register
class NeckTurnsAnalyzer(MotionAnalyzer):
    """Neck turns analyzer (front view, per side)."""

    exercise_id: ClassVar[str] = "neck-turns"
    required = ("head", "shoulders")
    expected_view = "front"
    position_hint = N_("Face the camera so I can see both ears.")
    messages: ClassVar[dict[str, str]] = {
        SMALL: N_("Turn a little further if it is comfortable, slowly, keeping your chin level."),
    }

    def __init__(
        self, *, enter_deg: float = 30.0, exit_deg: float = 12.0, small_deg: float = 45.0
    ) -> None:
        super().__init__(
            {
                side: Motion(
                    RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.2),
                    still_rate=15.0,
                )
                for side in ("left", "right")
            }
        )
        self.small_deg = small_deg

    @override
    def in_position(self, frame: LandmarkFrame) -> bool:
        return self.setup.views.view == "front"

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        yaw = head_yaw(frame)
        return {"left": yaw, "right": None if yaw is None else -yaw}

    @override
    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> list[str]:
        return [SMALL] if rep.peak < self.small_deg else []

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 70.0
