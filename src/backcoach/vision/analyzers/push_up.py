"""Push-up, filmed from the side or the front: reps, depth, body line.

Signal: the elbow angle (shoulder-elbow-wrist), averaged over the arms the
camera sees; about 170 with straight arms, 50-90 at the bottom. Works from
the front too, where the elbows bend outwards on screen. A rep starts when the
angle drops below ``down_deg`` and ends when it comes back above ``up_deg``.
Nothing counts unless the hands are below the shoulders and the trunk is not
upright (the shoulders are less than ``max_trunk_rise_deg`` above the hips), so
arm movements while standing are ignored. A rep whose lowest angle stays above
``full_deg`` gets "not low enough"; from the side, a body line
(shoulder-hip-ankle) bent more than ``max_bend_deg`` is "hips sagging" or
"hips too high".
"""

from __future__ import annotations

from typing import ClassVar

from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepBook
from backcoach.vision.counting import RepCounter
from backcoach.vision.geometry import (
    SIDES,
    Side,
    best_side,
    body_line,
    elevation,
    hip_centre,
    joint,
    point,
    shoulder_centre,
    side_angle,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.smoothing import OneEuroFilter
from backcoach.vision.view import SetupCheck

SHALLOW = "not-low-enough"
SAGGING = "hips-sagging"
PIKING = "hips-too-high"

_MESSAGES = {
    SHALLOW: "Lower your chest a little further, as far as is comfortable.",
    SAGGING: "Keep your body in one straight line: lift your hips a little.",
    PIKING: "Lower your hips a little, in line with your shoulders and heels.",
}
_HANDS_DOWN = "Get into the push-up position: hands on the floor under your shoulders."


@register
class PushUpAnalyzer:
    """Push-up analyzer (side or front view)."""

    exercise_id: ClassVar[str] = "push-up"

    def __init__(
        self,
        *,
        down_deg: float = 110.0,
        up_deg: float = 145.0,
        full_deg: float = 90.0,
        max_bend_deg: float = 25.0,
        max_trunk_rise_deg: float = 45.0,
    ) -> None:
        self.max_trunk_rise_deg = max_trunk_rise_deg
        self.full_deg = full_deg
        self.up_deg = up_deg
        self.max_bend_deg = max_bend_deg
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders", "arms", "hips"))
        self.counter = RepCounter(enter=down_deg, exit=up_deg, min_active_s=0.2)
        self.smooth = OneEuroFilter(min_cutoff=1.5, beta=0.05)
        self.book = RepBook(self.log, _MESSAGES)

    def _elbow_angle(self, frame: LandmarkFrame) -> float | None:
        rise = elevation(hip_centre(frame), shoulder_centre(frame))
        if rise is not None and rise > self.max_trunk_rise_deg:
            return None  # upright: standing or kneeling, not a push-up
        angles: list[float] = []
        for side in SIDES:
            shoulder = point(frame, joint("shoulder", side))
            wrist = point(frame, joint("wrist", side))
            angle = side_angle(frame, side, "shoulder", "elbow", "wrist")
            if angle is None or shoulder is None or wrist is None:
                continue
            if wrist[1] > shoulder[1]:  # hands on the floor sit lower than the shoulders
                angles.append(angle)
        return sum(angles) / len(angles) if angles else None

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        angle = None if frame.landmarks is None else self._elbow_angle(frame)
        if frame.landmarks is not None and angle is None and hint is None:
            hint = _HANDS_DOWN
        value = None if angle is None else self.smooth(t, angle)
        rep = self.counter.update(t, value)

        faults: list[str] = []
        side: Side | None = None
        if frame.landmarks is not None:
            side = best_side(frame, ("shoulder", "hip", "ankle"))
        if side is not None and view == "side" and self.counter.phase == "active":
            line, hip_low = body_line(frame, side)
            if line is not None and line < 180.0 - self.max_bend_deg:
                faults.append(SAGGING if hip_low else PIKING)
        for code in faults:
            self.book.fault(code, t)

        if rep is not None:
            if rep.peak > self.full_deg:
                self.book.fault(SHALLOW, rep.end_s)
            depth = (self.up_deg - rep.peak) / (self.up_deg - self.full_deg)
            body_line_off = bool(self.book.faults & {SAGGING, PIKING})
            self.book.rep(rep, quality=min(1.0, depth) - 0.25 * body_line_off)

        phase = self.counter.phase if value is not None else "unknown"
        return self.book.feedback(
            frame,
            hint=hint,
            phase={"active": "down", "rest": "up"}.get(phase, phase),
            view=view,
            rep_done=rep is not None,
            faults=faults,
        )

    def result(self) -> AnalysisResult:
        pending = self.counter.pending()
        if pending is not None and pending.peak <= self.full_deg:
            return self.log.result(unfinished=pending)
        return self.log.result()
