"""Overhead side bend, facing the camera: reps per side.

Signal: the trunk's sideways lean in degrees (hip centre -> shoulder centre
from vertical), positive towards the person's left (the viewer's right in a
front view). A bend to one side starts past ``enter_deg`` and ends back
within ``exit_deg``. Fault while bending: the hands not above the shoulders
(the stretch wants the arms overhead). Quality: the lean over 20 degrees.
"""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import Motion, MotionAnalyzer, SideKey, signed_lean
from backcoach.vision.counting import Rep, RepCounter
from backcoach.vision.geometry import hip_centre, joint, point, shoulder_centre
from backcoach.vision.landmarks import LandmarkFrame

ARMS_DOWN = "arms-not-overhead"


@register
class OverheadSideBendAnalyzer(MotionAnalyzer):
    """Overhead side bend analyzer (front view, per side)."""

    exercise_id: ClassVar[str] = "overhead-side-bend"
    required = ("shoulders", "arms", "hips")
    expected_view = "front"
    messages: ClassVar[dict[str, str]] = {
        ARMS_DOWN: N_("Keep your arms up over your head as you lean."),
    }

    def __init__(self, *, enter_deg: float = 8.0, exit_deg: float = 4.0) -> None:
        super().__init__(
            {
                side: Motion(
                    RepCounter(enter=enter_deg, exit=exit_deg, min_active_s=0.3),
                    still_rate=6.0,
                )
                for side in ("left", "right")
            }
        )

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        lean = signed_lean(hip_centre(frame), shoulder_centre(frame))
        return {"left": lean, "right": None if lean is None else -lean}

    @override
    def form(self, frame: LandmarkFrame, side: SideKey, motion: Motion) -> dict[str, bool]:
        low = False
        for arm in ("left", "right"):
            wrist = point(frame, joint("wrist", arm))
            shoulder = point(frame, joint("shoulder", arm))
            if wrist is not None and shoulder is not None and wrist[1] > shoulder[1]:
                low = True
        return {ARMS_DOWN: low}

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 20.0
