"""Geometry on one landmark frame: joint angles, segment tilt, normalised distances.

Rule: a joint the model cannot see is *unknown*. Every helper returns ``None``
when a landmark it needs is missing or below the visibility threshold, and
callers treat ``None`` as "don't know", never as a value that could count a rep.

Points are in image units with the x axis scaled by the frame's aspect ratio,
so angles are true angles on screen even for 16:9 video; ``y`` points down.

Example:
    >>> from backcoach.vision.landmarks import PoseLandmark as P
    >>> knee = joint_angle(frame, P.LEFT_HIP, P.LEFT_KNEE, P.LEFT_ANKLE)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark

Point = tuple[float, float]
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")

#: Landmarks whose visibility is below this are treated as not seen.
MIN_VISIBILITY = 0.5

_P = PoseLandmark

#: The left/right landmark pairs by body part name.
SIDE_JOINTS: dict[str, tuple[PoseLandmark, PoseLandmark]] = {
    "ear": (_P.LEFT_EAR, _P.RIGHT_EAR),
    "shoulder": (_P.LEFT_SHOULDER, _P.RIGHT_SHOULDER),
    "elbow": (_P.LEFT_ELBOW, _P.RIGHT_ELBOW),
    "wrist": (_P.LEFT_WRIST, _P.RIGHT_WRIST),
    "hip": (_P.LEFT_HIP, _P.RIGHT_HIP),
    "knee": (_P.LEFT_KNEE, _P.RIGHT_KNEE),
    "ankle": (_P.LEFT_ANKLE, _P.RIGHT_ANKLE),
    "heel": (_P.LEFT_HEEL, _P.RIGHT_HEEL),
    "foot": (_P.LEFT_FOOT_INDEX, _P.RIGHT_FOOT_INDEX),
}


def joint(part: str, side: Side) -> PoseLandmark:
    """The landmark of a body part on one side: ``joint("knee", "left")``."""
    left, right = SIDE_JOINTS[part]
    return left if side == "left" else right


def visibility(frame: LandmarkFrame, index: int) -> float:
    """Visibility of one landmark (0 when there is no pose)."""
    if frame.landmarks is None:
        return 0.0
    return frame.landmarks[index].visibility


def point(frame: LandmarkFrame, index: int, min_visibility: float = MIN_VISIBILITY) -> Point | None:
    """The landmark's screen position (aspect-corrected), or None when not seen."""
    if frame.landmarks is None:
        return None
    mark = frame.landmarks[index]
    if mark.visibility < min_visibility:
        return None
    return (mark.x * frame.aspect, mark.y)


def midpoint(a: Point | None, b: Point | None) -> Point | None:
    """Middle of two points; None if either is unknown."""
    if a is None or b is None:
        return None
    return ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0)


def mid(
    frame: LandmarkFrame, a: int, b: int, min_visibility: float = MIN_VISIBILITY
) -> Point | None:
    """Midpoint of two landmarks (e.g. hip centre), or None when either is not seen."""
    return midpoint(point(frame, a, min_visibility), point(frame, b, min_visibility))


def distance(a: Point | None, b: Point | None) -> float | None:
    if a is None or b is None:
        return None
    return math.hypot(a[0] - b[0], a[1] - b[1])


def angle_at(a: Point | None, b: Point | None, c: Point | None) -> float | None:
    """The angle ABC at ``b`` in degrees (0..180); None if a point is unknown or degenerate."""
    if a is None or b is None or c is None:
        return None
    ux, uy = a[0] - b[0], a[1] - b[1]
    vx, vy = c[0] - b[0], c[1] - b[1]
    norm = math.hypot(ux, uy) * math.hypot(vx, vy)
    if norm <= 1e-12:
        return None
    cos = max(-1.0, min(1.0, (ux * vx + uy * vy) / norm))
    return math.degrees(math.acos(cos))


def joint_angle(
    frame: LandmarkFrame, a: int, b: int, c: int, min_visibility: float = MIN_VISIBILITY
) -> float | None:
    """Angle at landmark ``b`` between ``b->a`` and ``b->c`` in degrees (180 = straight)."""
    return angle_at(
        point(frame, a, min_visibility),
        point(frame, b, min_visibility),
        point(frame, c, min_visibility),
    )


def angle_to_vertical(a: Point | None, b: Point | None) -> float | None:
    """Angle (0..180) between the segment ``a->b`` and straight up on screen.

    0 means ``b`` is straight above ``a``, 90 level, 180 straight below.
    """
    if a is None or b is None:
        return None
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0.0 and dy == 0.0:
        return None
    return math.degrees(math.atan2(abs(dx), -dy))


def angle_to_horizontal(a: Point | None, b: Point | None) -> float | None:
    """Tilt (0..90) of the line through ``a`` and ``b`` from level; direction-free."""
    if a is None or b is None:
        return None
    dx, dy = abs(b[0] - a[0]), abs(b[1] - a[1])
    if dx == 0.0 and dy == 0.0:
        return None
    return math.degrees(math.atan2(dy, dx))


def elevation(a: Point | None, b: Point | None) -> float | None:
    """Signed angle (-90..90) of ``a->b`` above level: positive when ``b`` is higher."""
    if a is None or b is None:
        return None
    dx, dy = abs(b[0] - a[0]), a[1] - b[1]
    if dx == 0.0 and dy == 0.0:
        return None
    return math.degrees(math.atan2(dy, dx))


def shoulder_centre(frame: LandmarkFrame, min_visibility: float = MIN_VISIBILITY) -> Point | None:
    """Shoulder centre; falls back to the one visible shoulder (side views hide one)."""
    return _centre(frame, _P.LEFT_SHOULDER, _P.RIGHT_SHOULDER, min_visibility)


def hip_centre(frame: LandmarkFrame, min_visibility: float = MIN_VISIBILITY) -> Point | None:
    """Hip centre; falls back to the one visible hip."""
    return _centre(frame, _P.LEFT_HIP, _P.RIGHT_HIP, min_visibility)


def _centre(frame: LandmarkFrame, a: int, b: int, min_visibility: float) -> Point | None:
    pa, pb = point(frame, a, min_visibility), point(frame, b, min_visibility)
    if pa is not None and pb is not None:
        return midpoint(pa, pb)
    return pa if pa is not None else pb


def torso_length(frame: LandmarkFrame, min_visibility: float = MIN_VISIBILITY) -> float | None:
    """Shoulder centre to hip centre: the body's own ruler, independent of camera distance."""
    length = distance(shoulder_centre(frame, min_visibility), hip_centre(frame, min_visibility))
    if length is None or length <= 1e-6:
        return None
    return length


def normalised_distance(
    frame: LandmarkFrame, a: int, b: int, min_visibility: float = MIN_VISIBILITY
) -> float | None:
    """Distance between two landmarks in torso lengths."""
    torso = torso_length(frame, min_visibility)
    d = distance(point(frame, a, min_visibility), point(frame, b, min_visibility))
    if torso is None or d is None:
        return None
    return d / torso


def side_visibility(frame: LandmarkFrame, side: Side, parts: Iterable[str]) -> float:
    """Summed visibility of the given body parts on one side."""
    return sum(visibility(frame, joint(part, side)) for part in parts)


def best_side(frame: LandmarkFrame, parts: Iterable[str]) -> Side:
    """The side the camera sees better (for side views, the side facing the camera)."""
    names = tuple(parts)
    left = side_visibility(frame, "left", names)
    right = side_visibility(frame, "right", names)
    return "left" if left >= right else "right"


def side_angle(
    frame: LandmarkFrame,
    side: Side,
    a: str,
    b: str,
    c: str,
    min_visibility: float = MIN_VISIBILITY,
) -> float | None:
    """Joint angle on one side by part names: ``side_angle(f, "left", "hip", "knee", "ankle")``."""
    return joint_angle(frame, joint(a, side), joint(b, side), joint(c, side), min_visibility)


def body_line(frame: LandmarkFrame, side: Side) -> tuple[float | None, bool]:
    """Shoulder-hip-ankle angle (knee if the ankle is not seen) and whether the hip sits low."""
    shoulder = point(frame, joint("shoulder", side))
    hip = point(frame, joint("hip", side))
    end = point(frame, joint("ankle", side)) or point(frame, joint("knee", side))
    if shoulder is None or hip is None or end is None:
        return None, False
    angle = side_angle(frame, side, "shoulder", "hip", "ankle") or side_angle(
        frame, side, "shoulder", "hip", "knee"
    )
    dx = end[0] - shoulder[0]
    if abs(dx) < 1e-9:
        return angle, False
    line_y = shoulder[1] + (hip[0] - shoulder[0]) / dx * (end[1] - shoulder[1])
    return angle, hip[1] > line_y  # y points down: a larger y is lower
