"""Glute bridge, filmed from the side: reps, the hold at the top, hip height faults.

Signal: the hip angle shoulder-hip-knee on the side facing the camera. Lying
with knees bent it is about 120-130 degrees; with the hips up in line with
shoulders and knees it is about 175-180. A rep starts when the angle passes
``up_deg`` and ends when it comes back below ``down_deg``; the time spent
above ``up_deg`` is the hold (dips shorter than 0.5 s do not end it). A rep
whose best angle stays under ``full_deg`` gets the fault "hips not high
enough"; during a hold, a drop of more than ``sag_deg`` from the hold's best
angle, lasting 0.5 s, is "hips sagging". The trunk must be near horizontal
(lying down); otherwise nothing is counted.
"""

from __future__ import annotations

from typing import ClassVar

from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepBook
from backcoach.vision.counting import HoldTimer, RepCounter
from backcoach.vision.geometry import angle_to_horizontal, best_side, joint, point, side_angle
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.smoothing import OneEuroFilter
from backcoach.vision.view import SetupCheck

LOW_HIPS = "hips-not-high"
SAGGING = "hips-sagging"

_MESSAGES = {
    LOW_HIPS: "Lift your hips a little higher, until shoulders, hips and knees are in line.",
    SAGGING: "Keep your hips up during the hold: squeeze your buttocks gently.",
}
_LIE_DOWN = "Lie on your back, knees bent, side-on to the camera."


@register
class GluteBridgeAnalyzer:
    """Glute bridge analyzer (side view)."""

    exercise_id: ClassVar[str] = "glute-bridge"

    def __init__(
        self,
        *,
        up_deg: float = 155.0,
        down_deg: float = 140.0,
        full_deg: float = 165.0,
        sag_deg: float = 12.0,
        max_trunk_tilt_deg: float = 45.0,
        min_hold_s: float = 1.0,
    ) -> None:
        self.full_deg = full_deg
        self.up_deg = up_deg
        self.down_deg = down_deg
        self.sag_deg = sag_deg
        self.max_trunk_tilt_deg = max_trunk_tilt_deg
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders", "hips", "knees"), expected_view="side")
        self.counter = RepCounter(enter=up_deg, exit=down_deg, min_active_s=0.3)
        self.hold = HoldTimer(min_hold_s=min_hold_s, max_gap_s=0.5)
        self.smooth = OneEuroFilter(min_cutoff=1.5, beta=0.05)
        self._best = 0.0
        self._best_since = -1.0
        self._sag_since: float | None = None
        self.sag_persist_s = 0.5
        self.book = RepBook(self.log, _MESSAGES)

    def _hip_angle(self, frame: LandmarkFrame) -> tuple[float | None, str]:
        side = best_side(frame, ("shoulder", "hip", "knee"))
        trunk = angle_to_horizontal(
            point(frame, joint("shoulder", side)), point(frame, joint("hip", side))
        )
        if trunk is None or trunk > self.max_trunk_tilt_deg:
            return None, side
        return side_angle(frame, side, "shoulder", "hip", "knee"), side

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        angle, side = (None, "") if frame.landmarks is None else self._hip_angle(frame)
        if frame.landmarks is not None and angle is None and hint is None:
            hint = _LIE_DOWN
        value = None if angle is None else self.smooth(t, angle)

        rep = self.counter.update(t, value)
        active = self.counter.phase == "active"
        # The hold is the time the hips are really up (the hysteresis only guards the count).
        holding = active and value is not None and value >= self.up_deg
        span = self.hold.update(t, None if value is None else holding)
        if span is not None:
            self.log.hold(span)

        faults: list[str] = []
        if active and value is not None:
            if self._best_since != self.counter.active_since:  # a new lift began
                self._best_since, self._best = self.counter.active_since, value
            self._best = max(self._best, value)
            sagging = self._best - value > self.sag_deg and self.hold.current_s > 0.5
            if not sagging:
                self._sag_since = None
            elif self._sag_since is None:
                self._sag_since = t
            # Lowering at the end of a rep also drops the angle, but only briefly.
            if self._sag_since is not None and t - self._sag_since >= self.sag_persist_s:
                faults.append(SAGGING)
            elif t - self.counter.active_since > 0.5 and self._best < self.full_deg:
                faults.append(LOW_HIPS)
        for code in faults:
            self.book.fault(code, t)

        if rep is not None:
            if rep.peak < self.full_deg:
                self.book.fault(LOW_HIPS, rep.end_s)
            span_quality = (rep.peak - self.down_deg) / (self.full_deg - self.down_deg)
            quality = min(1.0, span_quality) - 0.25 * (SAGGING in self.book.faults)
            self.book.rep(rep, quality=quality, side=side or None)

        phase = self.counter.phase if value is not None else "unknown"
        return self.book.feedback(
            frame,
            hint=hint,
            phase={"active": "up", "rest": "down"}.get(phase, phase),
            view=view,
            rep_done=rep is not None,
            faults=faults,
            hold_s=self.hold.current_s if self.hold.holding and active else 0.0,
            side=side or None,
        )

    def result(self) -> AnalysisResult:
        open_span = self.hold.open_span()
        return self.log.result(open_holds=() if open_span is None else (open_span,))
