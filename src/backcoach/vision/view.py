"""What the camera sees: side, front or diagonal view, and plain hints when parts are out of view.

View rule: how far the body is turned from facing the camera (its yaw) is the
angle of the shoulder line, and of the hip line, out of the picture plane:
``atan2(|depth difference|, |sideways difference|)`` of the two shoulders (two
hips), from BlazePose's depth ``z``. Facing the camera (or facing away) reads 0
degrees, side-on 90. BlazePose's depth of the shoulders and hips is about three
times too deep for their sideways spread, so a body turned 45 degrees reads
about 70-75 and the bands sit accordingly: "front" up to ``FRONT_YAW_DEG``
(turned less than about 13 degrees), "side" from ``SIDE_YAW_DEG`` (within
about 23 degrees of side-on) and "diagonal" inside ``DIAGONAL_YAW_DEG``
(turned about 18 to 58 degrees from facing the camera). The
gaps between the bands are undecided, so a person turned right at a border
does not flip between two views.

Landmarks without depth (all ``z`` zero, as some other tools write) fall back
to the on-screen spread: seen from the side the two shoulders (and the two
hips) overlap; seen from the front they sit about half a torso length apart.
"front" above ``FRONT_SPREAD`` torso lengths, "side" below ``SIDE_SPREAD``;
without depth a diagonal view cannot be told from a front or side one.

``ViewTracker`` keeps the last decided view, so one ambiguous frame does not flip it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from backcoach.i18n import N_
from backcoach.vision.geometry import (
    MIN_VISIBILITY,
    SIDE_JOINTS,
    distance,
    point,
    torso_length,
)
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark

CameraView = Literal["side", "front", "diagonal"]

FRONT_YAW_DEG = 35.0
DIAGONAL_YAW_DEG = (45.0, 79.0)
SIDE_YAW_DEG = 82.0
FRONT_SPREAD = 0.45
SIDE_SPREAD = 0.3

NO_PERSON_HINT = N_("I can't see anyone. Step into the picture.")

#: Body-part groups an analyzer can require, with the hint shown when a group is out of view.
PART_HINTS: dict[str, tuple[tuple[str, ...], str]] = {
    "head": (("ear",), N_("Move so your head is in the picture.")),
    "shoulders": (("shoulder",), N_("Move so your shoulders are in the picture.")),
    "arms": (("elbow", "wrist"), N_("Make sure your arms and hands are in the picture.")),
    "hips": (("hip",), N_("Move back so your hips are in the picture.")),
    "knees": (("knee",), N_("Move back so your knees are in the picture.")),
    "feet": (("ankle",), N_("Move back so your feet are in the picture.")),
}


def _spread(frame: LandmarkFrame, left: PoseLandmark, right: PoseLandmark) -> float | None:
    return distance(point(frame, left, 0.0), point(frame, right, 0.0))


def body_yaw(frame: LandmarkFrame) -> float | None:
    """How far (0-90 degrees) the body is turned from facing the camera; None without depth."""
    if frame.landmarks is None:
        return None
    yaws: list[float] = []
    for left, right in (
        (PoseLandmark.LEFT_SHOULDER, PoseLandmark.RIGHT_SHOULDER),
        (PoseLandmark.LEFT_HIP, PoseLandmark.RIGHT_HIP),
    ):
        a, b = frame.landmarks[left], frame.landmarks[right]
        across, depth = abs(a.x - b.x) * frame.aspect, abs(a.z - b.z) * frame.aspect
        if depth > 1e-9:
            yaws.append(math.degrees(math.atan2(depth, across)))
    return sum(yaws) / len(yaws) if yaws else None


def detect_view(frame: LandmarkFrame) -> CameraView | None:
    """Side, front or diagonal view from one frame; None when undecided or no pose."""
    yaw = body_yaw(frame)
    if yaw is not None:
        if yaw <= FRONT_YAW_DEG:
            return "front"
        if yaw >= SIDE_YAW_DEG:
            return "side"
        low, high = DIAGONAL_YAW_DEG
        return "diagonal" if low <= yaw <= high else None
    return _view_from_spread(frame)


def _view_from_spread(frame: LandmarkFrame) -> CameraView | None:
    torso = torso_length(frame, 0.0)
    if torso is None:
        return None
    spreads = [
        s
        for s in (
            _spread(frame, PoseLandmark.LEFT_SHOULDER, PoseLandmark.RIGHT_SHOULDER),
            _spread(frame, PoseLandmark.LEFT_HIP, PoseLandmark.RIGHT_HIP),
        )
        if s is not None
    ]
    if not spreads:
        return None
    spread = max(spreads) / torso
    if spread >= FRONT_SPREAD:
        return "front"
    if spread <= SIDE_SPREAD:
        return "side"
    return None


@dataclass(slots=True)
class ViewTracker:
    """Keeps the camera view stable: it changes after ``frames_to_switch`` agreeing frames."""

    frames_to_switch: int = 5
    view: CameraView | None = field(default=None, init=False)
    _candidate: CameraView | None = field(default=None, init=False)
    _streak: int = field(default=0, init=False)

    def update(self, frame: LandmarkFrame) -> CameraView | None:
        seen = detect_view(frame)
        if seen is None or seen == self.view:
            self._streak = 0
            return self.view
        if seen == self._candidate:
            self._streak += 1
        else:
            self._candidate, self._streak = seen, 1
        if self.view is None or self._streak >= self.frames_to_switch:
            self.view, self._streak = seen, 0
        return self.view


def _part_seen(frame: LandmarkFrame, part: str, min_visibility: float) -> bool:
    """True when at least one side of the part is visible and inside the picture."""
    for index in SIDE_JOINTS[part]:
        assert frame.landmarks is not None
        mark = frame.landmarks[index]
        if (
            mark.visibility >= min_visibility
            and -0.02 <= mark.x <= 1.02
            and -0.02 <= mark.y <= 1.02
        ):
            return True
    return False


def missing_parts(
    frame: LandmarkFrame, groups: Iterable[str], min_visibility: float = MIN_VISIBILITY
) -> list[str]:
    """The required body-part groups (keys of ``PART_HINTS``) the camera cannot see."""
    if frame.landmarks is None:
        return list(groups)
    return [
        group
        for group in groups
        if not all(_part_seen(frame, part, min_visibility) for part in PART_HINTS[group][0])
    ]


def visibility_hint(
    frame: LandmarkFrame, groups: Iterable[str], min_visibility: float = MIN_VISIBILITY
) -> str | None:
    """A plain hint for the first required group out of view, or for no person at all."""
    if frame.landmarks is None:
        return NO_PERSON_HINT
    missing = missing_parts(frame, groups, min_visibility)
    if not missing:
        return None
    if len(missing) >= 3:
        return N_("Move back so your whole body is in the picture.")
    return PART_HINTS[missing[0]][1]


def view_hint(expected: CameraView, seen: CameraView | None) -> str | None:
    """Ask the person to turn when the camera sees the wrong side of them.

    A diagonal view passes for either: the body line and the limbs still read on it.
    """
    if seen is None or seen == expected or seen == "diagonal":
        return None
    if expected == "side":
        return N_("Turn sideways to the camera for this exercise.")
    return N_("Face the camera for this exercise.")


@dataclass(slots=True)
class SetupCheck:
    """Per-frame setup check shared by analyzers: person present, parts in view, right view.

    Args:
        required: body-part groups (keys of ``PART_HINTS``) the exercise needs.
        expected_view: the view the exercise is filmed from, or None for any.
    """

    required: tuple[str, ...]
    expected_view: CameraView | None = None
    views: ViewTracker = field(default_factory=ViewTracker)

    def check(self, frame: LandmarkFrame) -> tuple[str | None, CameraView | None]:
        """The hint to show (None when all is well) and the camera view seen."""
        if frame.landmarks is None:
            return NO_PERSON_HINT, self.views.view
        view = self.views.update(frame)
        hint = visibility_hint(frame, self.required)
        if hint is None and self.expected_view is not None:
            hint = view_hint(self.expected_view, view)
        return hint, view
