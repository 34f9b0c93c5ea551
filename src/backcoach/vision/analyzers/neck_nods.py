"""Neck nods, from the front or the side: reps and range, from the face landmarks.

Signal: the head's pitch in degrees, from the face centre (the mean of nose,
eyes and mouth, steadier than the nose alone) and the ears. From the side it
is the tilt of the ears -> face line; from the front (both ears well apart on
screen) it is estimated from how far the face sits above or below the ears,
relative to the ear spacing (the face is about half an ear spacing in front
of the ears). Nods
are counted as cycles with thresholds from the movement's own range (see
``CycleCounter``); a cycle needs at least ``min_range_deg`` of range, so a
still or jittery head counts nothing. A rep's range is reported as its
quality (``range / 60 degrees``); a rep under ``small_deg`` gets a calm cue.
"""

from __future__ import annotations

import math
from typing import ClassVar

from typing_extensions import override

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.motion import (
    CycleCounter,
    Motion,
    MotionAnalyzer,
    SideKey,
    either_centre,
    face_centre,
)
from backcoach.vision.counting import Rep
from backcoach.vision.geometry import distance, elevation, point
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark

SMALL = "range-small"

#: How far the face centre sits in front of the ears, in ear spacings.
FACE_DEPTH = 0.5


def head_pitch(frame: LandmarkFrame) -> float | None:
    """Head pitch in degrees (positive chin up), from the side or the front; None if unseen."""
    nose = face_centre(frame)
    left, right = point(frame, PoseLandmark.LEFT_EAR), point(frame, PoseLandmark.RIGHT_EAR)
    ears = either_centre(frame, PoseLandmark.LEFT_EAR, PoseLandmark.RIGHT_EAR)
    if nose is None or ears is None:
        return None
    spread = distance(left, right) or 0.0
    reach = math.hypot(nose[0] - ears[0], nose[1] - ears[1])
    if spread > 0 and spread >= 0.8 * reach:
        # atan, not asin: no blow-up of noise near the ends of the range.
        return math.degrees(math.atan2(ears[1] - nose[1], FACE_DEPTH * spread))
    return elevation(ears, nose)


@register
class NeckNodsAnalyzer(MotionAnalyzer):
    """Neck nods analyzer (front or side view)."""

    exercise_id: ClassVar[str] = "neck-nods"
    required = ("head",)
    messages: ClassVar[dict[str, str]] = {
        SMALL: N_("Let your head move a little further, slowly and only as far as comfortable."),
    }

    def __init__(self, *, min_range_deg: float = 20.0, small_deg: float = 30.0) -> None:
        counter = CycleCounter(min_amplitude=min_range_deg, min_half_s=0.3)
        super().__init__({None: Motion(counter, still_rate=10.0, holds=False, cutoff_hz=1.0)})
        self.small_deg = small_deg

    @override
    def measure(self, frame: LandmarkFrame) -> dict[SideKey, float | None]:
        return {None: head_pitch(frame)}

    @override
    def rep_faults(self, side: SideKey, rep: Rep, motion: Motion) -> list[str]:
        return [SMALL] if rep.peak < self.small_deg else []

    @override
    def quality(self, side: SideKey, rep: Rep, motion: Motion) -> float:
        return rep.peak / 60.0
