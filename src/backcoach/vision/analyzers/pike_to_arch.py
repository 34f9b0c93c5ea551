"""Pike-to-arch (downward dog to upward dog / cobra), filmed from the side: cycles, straight limbs.

Pose rule: *pike* (inverted V) is when the hips sit well above the line from
shoulders to ankles (``pike_score`` >= ``pike_at`` torso lengths) and the
shoulders are below the hips (hip-to-shoulder slope below ``-SLOPE_DEG``);
*arch* (cobra / upward dog) is when the hips sit on or below that line
(``pike_score`` <= ``arch_at``); in between is "between" (a plank, or on the
way). With the legs out of view the trunk's slope alone decides. A cycle
counts when the person reaches the arch and stays ``min_arch_s``, having been
out of it (in the pike, or in a plank for the flow plank -> upward dog) for
``min_out_s``; so a recording that starts in the arch counts its returns to
it, and a wobble at the border of the arch is not a new rep.
Faults: knees bent in the pike, elbows bent in the arch (each lasting
``fault_after_s``); both are mild cues, never a reason to push further.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepBook
from backcoach.vision.counting import RepCounter
from backcoach.vision.geometry import (
    Point,
    best_side,
    elevation,
    hip_centre,
    point,
    shoulder_centre,
    side_angle,
    torso_length,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.landmarks import PoseLandmark as P
from backcoach.vision.view import SetupCheck

PikeArch = Literal["pike", "arch"]

KNEES_BENT = "knees-bent"
ELBOWS_BENT = "elbows-bent"

_MESSAGES = {
    KNEES_BENT: N_("In the inverted V, straighten your knees as far as is comfortable."),
    ELBOWS_BENT: N_("In the arch, straighten your arms as far as is comfortable, shoulders down."),
}
_GET_DOWN = N_("Start on your front, hands under your shoulders, side-on to the camera.")

#: Default thresholds, shared by the analyzer and ``classify_pose``.
PIKE_AT = 0.2
ARCH_AT = -0.1
SLOPE_DEG = 15.0


def _either(frame: LandmarkFrame, left_id: P, right_id: P) -> Point | None:
    left, right = point(frame, left_id), point(frame, right_id)
    if left is not None and right is not None:
        return ((left[0] + right[0]) / 2.0, (left[1] + right[1]) / 2.0)
    return left if left is not None else right


def _knees(frame: LandmarkFrame) -> Point | None:
    return _either(frame, P.LEFT_KNEE, P.RIGHT_KNEE)


def _legs_end(frame: LandmarkFrame) -> Point | None:
    """The ankles' centre; the knees' when the feet are not seen (the line still works)."""
    return _either(frame, P.LEFT_ANKLE, P.RIGHT_ANKLE) or _knees(frame)


def pike_score(frame: LandmarkFrame) -> float | None:
    """Height of the hips above the shoulder-ankle line, in torso lengths (negative: below).

    The knees stand in for the ankles when the feet are out of view.
    """
    shoulder, hip, ankle = shoulder_centre(frame), hip_centre(frame), _legs_end(frame)
    torso = torso_length(frame)
    if shoulder is None or hip is None or ankle is None or torso is None:
        return None
    dx = ankle[0] - shoulder[0]
    if abs(dx) < 1e-6:
        return None
    line_y = shoulder[1] + (hip[0] - shoulder[0]) / dx * (ankle[1] - shoulder[1])
    return (line_y - hip[1]) / torso  # y points down


Position = Literal["pike", "arch", "between"]


def position(
    frame: LandmarkFrame, *, pike_at: float = PIKE_AT, arch_at: float = ARCH_AT
) -> Position | None:
    """Where in the pike-to-arch flow one frame is; None when shoulders or hips are not seen.

    With the legs out of view the trunk's slope alone decides (pike or arch).
    """
    slope = elevation(hip_centre(frame), shoulder_centre(frame))
    if slope is None:
        return None
    score = pike_score(frame)
    if score is None:
        return "pike" if slope < -SLOPE_DEG else "arch"
    if score >= pike_at and slope < -SLOPE_DEG:
        return "pike"
    if score <= arch_at:
        return "arch"
    return "between"


def classify_pose(frame: LandmarkFrame, *, pike_at: float = PIKE_AT) -> PikeArch | None:
    """Which end of pike-to-arch one frame shows: ``"pike"`` (downward dog) or ``"arch"``.

    Returns None when shoulders or hips are not seen.

    Example:
        >>> classify_pose(LandmarkFrame(0.0, None)) is None
        True
    """
    where = position(frame, pike_at=pike_at, arch_at=pike_at)
    return None if where is None else ("pike" if where == "pike" else "arch")


_VALUE = {"pike": 1.0, "between": 0.0, "arch": -1.0}


def _upright(frame: LandmarkFrame) -> bool:
    """Standing or kneeling: trunk steep and thighs pointing down (or not seen)."""
    hip = hip_centre(frame)
    slope = elevation(hip, shoulder_centre(frame))
    if slope is None or slope <= 60.0:
        return False
    knees = _knees(frame)
    thigh = None if knees is None else elevation(hip, knees)
    return thigh is None or thigh < -45.0


@register
class PikeToArchAnalyzer:
    """Pike-to-arch analyzer (side view)."""

    exercise_id: ClassVar[str] = "pike-to-arch"

    def __init__(
        self,
        *,
        pike_at: float = PIKE_AT,
        arch_at: float = ARCH_AT,
        min_arch_s: float = 0.3,
        min_out_s: float = 0.5,
        straight_deg: float = 145.0,
        fault_after_s: float = 0.5,
    ) -> None:
        self.pike_at = pike_at
        self.arch_at = arch_at
        self.straight_deg = straight_deg
        self.fault_after_s = fault_after_s
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders", "hips", "feet"), expected_view="side")
        # Rest is anything but the arch; a cycle counts on reaching the arch and staying.
        self.counter = RepCounter(
            enter=-0.5,
            exit=0.0,
            min_active_s=min_arch_s,
            min_rest_s=min_out_s,
            count_on_entry=True,
        )
        self._fault_since: dict[str, float] = {}
        self.book = RepBook(self.log, _MESSAGES)

    def _limb_fault(self, frame: LandmarkFrame, where: Position | None) -> str | None:
        side = best_side(frame, ("shoulder", "elbow", "hip", "knee"))
        if where == "pike":
            knee = side_angle(frame, side, "hip", "knee", "ankle")
            if knee is not None and knee < self.straight_deg:
                return KNEES_BENT
        elif where == "arch":
            elbow = side_angle(frame, side, "shoulder", "elbow", "wrist")
            if elbow is not None and elbow < self.straight_deg:
                return ELBOWS_BENT
        return None

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        where = None
        if frame.landmarks is not None:
            if _upright(frame):
                hint = hint or _GET_DOWN
            else:
                where = position(frame, pike_at=self.pike_at, arch_at=self.arch_at)
        value = None if where is None else _VALUE[where]
        rep = self.counter.update(t, value)

        faults: list[str] = []
        fault = self._limb_fault(frame, where)
        for code in (KNEES_BENT, ELBOWS_BENT):
            if code != fault:
                self._fault_since.pop(code, None)
                continue
            if t - self._fault_since.setdefault(code, t) >= self.fault_after_s:
                faults.append(code)
                self.book.fault(code, t)
        if rep is not None:
            self.book.rep(rep, quality=1.0 - 0.25 * len(self.book.faults))

        return self.book.feedback(
            frame,
            hint=hint,
            phase=where or "unknown",
            view=view,
            rep_done=rep is not None,
            faults=faults,
        )

    def result(self) -> AnalysisResult:
        return self.log.result()
