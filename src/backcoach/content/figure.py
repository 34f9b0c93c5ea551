"""Joint positions of the 2-D stick figure described by a keyframe.

Pure geometry shared by the SVG illustrations and by the synthetic landmark
trajectories that test the vision analyzers (``tests/support/synthetic.py``,
which is not part of the package). Lengths are fractions of body
height (rounded standard anthropometric proportions); coordinates are y-up
with the lowest joint resting on the floor (y = 0).
"""

from __future__ import annotations

import math
from typing import Final

from backcoach.content.models import Segments, View

Point = tuple[float, float]

SEGMENT_LENGTHS: Final[dict[str, float]] = {
    "trunk": 0.30,
    "head": 0.13,
    "upper_arm": 0.17,
    "forearm": 0.16,
    "thigh": 0.245,
    "shin": 0.25,
}
SHOULDER_HALF_WIDTH: Final = 0.11
HIP_HALF_WIDTH: Final = 0.06
HEAD_RADIUS: Final = 0.065

JOINTS: Final = (
    "head",
    "neck",
    "shoulder_l",
    "shoulder_r",
    "elbow_l",
    "elbow_r",
    "wrist_l",
    "wrist_r",
    "hip",
    "hip_l",
    "hip_r",
    "knee_l",
    "knee_r",
    "ankle_l",
    "ankle_r",
)


def _step(origin: Point, angle_deg: float, length: float) -> Point:
    rad = math.radians(angle_deg)
    return (origin[0] + length * math.cos(rad), origin[1] + length * math.sin(rad))


def joint_positions(segments: Segments, view: View, height: float = 1.0) -> dict[str, Point]:
    """Place every joint of the figure, lowest joint on the floor.

    Args:
        segments: the segment directions of one keyframe.
        view: side view overlaps left and right; front view spreads shoulders and hips.
        height: body height in output units.

    Example:
        >>> points = joint_positions(keyframe.segments, View.SIDE, height=180)
        >>> points["knee_l"]
    """
    length = {name: value * height for name, value in SEGMENT_LENGTHS.items()}
    hip: Point = (0.0, 0.0)
    neck = _step(hip, segments.trunk, length["trunk"])
    spread = 1.0 if view is View.FRONT else 0.0
    across = segments.trunk - 90  # perpendicular to the trunk, towards the person's left
    shoulder_l = _step(neck, across, SHOULDER_HALF_WIDTH * height * spread)
    shoulder_r = _step(neck, across + 180, SHOULDER_HALF_WIDTH * height * spread)
    hip_l = _step(hip, across, HIP_HALF_WIDTH * height * spread)
    hip_r = _step(hip, across + 180, HIP_HALF_WIDTH * height * spread)
    elbow_l = _step(shoulder_l, segments.upper_arm_l, length["upper_arm"])
    elbow_r = _step(shoulder_r, segments.upper_arm_r, length["upper_arm"])
    knee_l = _step(hip_l, segments.thigh_l, length["thigh"])
    knee_r = _step(hip_r, segments.thigh_r, length["thigh"])
    points: dict[str, Point] = {
        "head": _step(neck, segments.head, length["head"]),
        "neck": neck,
        "shoulder_l": shoulder_l,
        "shoulder_r": shoulder_r,
        "elbow_l": elbow_l,
        "elbow_r": elbow_r,
        "wrist_l": _step(elbow_l, segments.forearm_l, length["forearm"]),
        "wrist_r": _step(elbow_r, segments.forearm_r, length["forearm"]),
        "hip": hip,
        "hip_l": hip_l,
        "hip_r": hip_r,
        "knee_l": knee_l,
        "knee_r": knee_r,
        "ankle_l": _step(knee_l, segments.shin_l, length["shin"]),
        "ankle_r": _step(knee_r, segments.shin_r, length["shin"]),
    }
    head_bottom = points["head"][1] - HEAD_RADIUS * height
    floor = min(min(y for _, y in points.values()), head_bottom)
    return {name: (x, y - floor) for name, (x, y) in points.items()}


def joint_angle(a: Point, vertex: Point, c: Point) -> float:
    """The angle at ``vertex`` between the rays to ``a`` and ``c``, in degrees (0-180)."""
    v1 = (a[0] - vertex[0], a[1] - vertex[1])
    v2 = (c[0] - vertex[0], c[1] - vertex[1])
    norm = math.hypot(*v1) * math.hypot(*v2)
    if norm == 0:
        return 0.0
    cos = max(-1.0, min(1.0, (v1[0] * v2[0] + v1[1] * v2[1]) / norm))
    return math.degrees(math.acos(cos))
