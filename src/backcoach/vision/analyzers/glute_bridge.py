"""Glute bridge: reps, the hold at the top, hip height faults; the bridge has no side.

Signal: the hip angle shoulder-hip-knee on the side the camera sees best.
Lying with knees bent it is about 120-130 degrees; with the hips up in line
with shoulders and knees about 175-180. Reps are counted on that angle
relative to the person's own range (``VisitCounter``): a rep is lifting from
the floor to the top, staying there ``min_top_s`` (noise from a poor camera
angle flickers in and out quicker), and coming down again (the hips dropping
``leave`` of the range below the rep's best); a recording that starts with
the hips already up counts each return to the top. Relative thresholds keep
the count right when the camera is not exactly side-on (a diagonal view
shrinks the angle's swing). Whatever the view, shoulders, hips and knees in
one line look in line on screen, so a rep (and its hold) counts only once
the angle reached ``top_deg``: a lift that stays more bent than that, or the
noise of a poor camera angle, is not a bridge. The time at the top is the
hold (dips shorter than 0.5 s do not end it); the phase stays "up" until the
hips are back near the floor, so a live coach sees "came down" only then.

Faults (side view, where the angle is true): a rep whose best angle stays
under ``full_deg`` is "hips not high enough"; during a hold, a drop of more
than ``sag_deg`` from the hold's best angle, lasting 0.5 s, is "hips
sagging". The trunk must be near horizontal (lying down); otherwise nothing
is counted.
"""

from __future__ import annotations

from typing import ClassVar

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers._visits import VisitCounter
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepBook
from backcoach.vision.counting import HoldTimer
from backcoach.vision.geometry import angle_to_horizontal, best_side, joint, point, side_angle
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.smoothing import OneEuroFilter
from backcoach.vision.view import SetupCheck

LOW_HIPS = "hips-not-high"
SAGGING = "hips-sagging"

_MESSAGES = {
    LOW_HIPS: N_("Lift your hips a little higher, until shoulders, hips and knees are in line."),
    SAGGING: N_("Keep your hips up during the hold: squeeze your buttocks gently."),
}
_LIE_DOWN = N_("Lie on your back, knees bent, side-on to the camera.")


@register
class GluteBridgeAnalyzer:
    """Glute bridge analyzer (side view best; counts from a diagonal view too)."""

    exercise_id: ClassVar[str] = "glute-bridge"

    def __init__(
        self,
        *,
        min_range_deg: float = 20.0,
        top_deg: float = 150.0,
        full_deg: float = 165.0,
        sag_deg: float = 12.0,
        max_trunk_tilt_deg: float = 45.0,
        min_hold_s: float = 1.0,
        min_top_s: float = 0.5,
    ) -> None:
        self.top_deg = top_deg
        self.full_deg = full_deg
        self.sag_deg = sag_deg
        self.max_trunk_tilt_deg = max_trunk_tilt_deg
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders", "hips", "knees"), expected_view="side")
        self.counter = VisitCounter(min_amplitude=min_range_deg, min_active_s=min_top_s)
        self.hold = HoldTimer(min_hold_s=min_hold_s, max_gap_s=0.5)
        self.smooth = OneEuroFilter(min_cutoff=1.5, beta=0.05)
        self._best = 0.0
        self._best_since = 0.0  # when the lift in progress reached the top
        self._visit = -1.0
        self._sag_since: float | None = None
        self.sag_persist_s = 0.5
        self.book = RepBook(self.log, _MESSAGES)

    def _hip_angle(self, frame: LandmarkFrame) -> float | None:
        side = best_side(frame, ("shoulder", "hip", "knee"))
        trunk = angle_to_horizontal(
            point(frame, joint("shoulder", side)), point(frame, joint("hip", side))
        )
        if trunk is None or trunk > self.max_trunk_tilt_deg:
            return None
        return side_angle(frame, side, "shoulder", "hip", "knee")

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        angle = None if frame.landmarks is None else self._hip_angle(frame)
        if frame.landmarks is not None and angle is None and hint is None:
            hint = _LIE_DOWN
        value = None if angle is None else self.smooth(t, angle)

        rep = self.counter.update(t, value)
        visiting = self.counter.phase == "active" and value is not None
        if visiting and value is not None:
            if self._visit != self.counter.active_since:  # a new lift reached the top zone
                self._visit, self._best_since, self._best = self.counter.active_since, t, value
            self._best = max(self._best, value)
        # The hips are really up (and held) only once the body came close to a line.
        active = visiting and self._best >= self.top_deg
        span = self.hold.update(t, None if value is None else active)
        if span is not None:
            self.log.hold(span)

        faults: list[str] = []
        judged = view == "side"  # angles are only true side-on
        if visiting and value is not None:
            sagging = self._best - value > self.sag_deg and self.hold.current_s > 0.5
            if not sagging:
                self._sag_since = None
            elif self._sag_since is None:
                self._sag_since = t
            # Lowering at the end of a rep also drops the angle, but only briefly.
            if self._sag_since is not None and t - self._sag_since >= self.sag_persist_s:
                faults.append(SAGGING)
            elif judged and t - self._best_since > 0.5 and self._best < self.full_deg:
                faults.append(LOW_HIPS)
        for code in faults:
            self.book.fault(code, t)

        counted = rep is not None and rep.peak >= self.top_deg
        if rep is not None and counted:
            if judged and rep.peak < self.full_deg:
                self.book.fault(LOW_HIPS, rep.end_s)
            lift = (rep.peak - self.full_deg) / 30.0 + 1.0 if judged else 1.0
            quality = min(1.0, lift) - 0.25 * (SAGGING in self.book.faults)
            self.book.rep(rep, quality=quality)

        return self.book.feedback(
            frame,
            hint=hint,
            phase=self._phase(value),
            view=view,
            rep_done=counted,
            faults=faults,
            hold_s=self.hold.current_s if self.hold.holding and active else 0.0,
        )

    def _phase(self, value: float | None) -> str:
        """``"up"`` while the hips are off the floor (the rep counts half-way down), or "down"."""
        if value is None:
            return "unknown"
        level = self.counter.level
        visiting = self.counter.phase == "active" and self._best >= self.top_deg
        up = visiting or (level is not None and level > self.counter.near)
        return "up" if up else "down"

    def result(self) -> AnalysisResult:
        open_span = self.hold.open_span()
        return self.log.result(open_holds=() if open_span is None else (open_span,))
