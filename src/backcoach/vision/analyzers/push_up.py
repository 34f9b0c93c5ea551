"""Push-up, filmed from the side, the front or diagonally: reps, depth, body line, head.

Signal: the elbow angle (shoulder-elbow-wrist), averaged over the arms the
camera sees; about 170 with straight arms, 50-90 at the bottom. A rep starts
when the angle drops below ``down_deg`` and ends when it comes back above
``up_deg``. From the front, elbows kept close to the body bend towards the
camera, where the picture shows no angle, and diagonally the angle on screen
is not the true one; there the signal is the shoulders' height over the hands
(below), which reads the same from any side, turned into the elbow angle it
goes with: a height share of ``front_down_ratio`` reads ``down_deg`` and one of
``front_up_ratio`` reads ``up_deg``, so one counter serves every view.
Nothing counts unless the hands are below the shoulders and the trunk is not
upright (the shoulders are less than ``max_trunk_rise_deg`` above the hips), so
arm movements while standing are ignored.

Depth, in every view: how high the shoulders stay above the hands, as a share
of their height with straight arms (the highest of the last ``top_window_s``
seconds; each height is the median of the last five frames, so one stray
frame does not set the top). With the upper arms level and the forearms
upright the shoulders are at about 0.45 of it, lower in a deep push-up
(0.2-0.4 on real clips), and at about 0.65 with the elbows at 120 degrees; a
rep whose lowest point stays above ``max_low_ratio`` is "not low enough". (The
elbow angle says less: a far arm or a tucked elbow reads 110 at a full
bottom.) Hands outside the picture leave the depth unknown (the model only
guesses them), and an unknown depth is no fault.

From the side only, where the body line and the neck show undistorted: a body
line (shoulder-hip-ankle) bent more than ``max_bend_deg`` is "hips sagging" or
"hips too high", and an ear more than ``max_head_drop_deg`` below the line of
the trunk ("head dropped", ``form.head_drop``) for ``fault_after_s``. From the
front or diagonally the reps still count, with a hint that the back is not
judged from there.
"""

from __future__ import annotations

from collections import deque
from statistics import median
from typing import ClassVar

from backcoach.i18n import N_
from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepBook
from backcoach.vision.analyzers.form import BACK_NOT_JUDGED, head_drop
from backcoach.vision.analyzers.motion import Persist
from backcoach.vision.counting import Rep, RepCounter, RollingExtreme
from backcoach.vision.geometry import (
    SIDES,
    best_side,
    body_line,
    distance,
    elevation,
    hip_centre,
    joint,
    point,
    shoulder_centre,
    side_angle,
    torso_length,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.landmarks import PoseLandmark as P
from backcoach.vision.smoothing import OneEuroFilter
from backcoach.vision.view import SetupCheck

SHALLOW = "not-low-enough"
SAGGING = "hips-sagging"
PIKING = "hips-too-high"
HEAD_DROPPED = "head-dropped"

_MESSAGES = {
    SHALLOW: N_("Lower your chest a little further, as far as is comfortable."),
    SAGGING: N_("Keep your body in one straight line: lift your hips a little."),
    PIKING: N_("Lower your hips a little, in line with your shoulders and heels."),
    HEAD_DROPPED: N_("Keep your head in line with your back: look at the floor just ahead."),
}
_HANDS_DOWN = N_("Get into the push-up position: hands on the floor under your shoulders.")
#: Landmarks lower than this (image heights) are outside the picture: guessed, not seen.
_PICTURE_BOTTOM = 1.02


@register
class PushUpAnalyzer:
    """Push-up analyzer (side, front or diagonal view)."""

    exercise_id: ClassVar[str] = "push-up"

    def __init__(
        self,
        *,
        down_deg: float = 110.0,
        up_deg: float = 145.0,
        full_deg: float = 90.0,
        max_bend_deg: float = 25.0,
        max_trunk_rise_deg: float = 45.0,
        max_low_ratio: float = 0.55,
        top_window_s: float = 6.0,
        max_head_drop_deg: float = 30.0,
        fault_after_s: float = 0.4,
        front_down_ratio: float = 0.7,
        front_up_ratio: float = 0.85,
    ) -> None:
        self.max_trunk_rise_deg = max_trunk_rise_deg
        self.full_deg = full_deg
        self.max_bend_deg = max_bend_deg
        self.max_low_ratio = max_low_ratio
        self.max_head_drop_deg = max_head_drop_deg
        self.up_deg = up_deg
        # degrees of elbow angle per unit of height share, for the front view
        self._deg_per_ratio = (up_deg - down_deg) / (front_up_ratio - front_down_ratio)
        self.front_up_ratio = front_up_ratio
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders", "arms", "hips"))
        self.counter = RepCounter(enter=down_deg, exit=up_deg, min_active_s=0.2)
        self.smooth = OneEuroFilter(min_cutoff=1.5, beta=0.05)
        self._heights: deque[float] = deque(maxlen=5)
        self.top = RollingExtreme(window_s=top_window_s, maximum=True)
        self.persist = Persist(seconds=fault_after_s)
        self.book = RepBook(self.log, _MESSAGES)
        self._lowest: float | None = None  # lowest shoulder height of this rep, share of the top
        self._depth_known = True  # the hands stayed in the picture during this rep

    def _upright(self, frame: LandmarkFrame, view: str | None) -> bool:
        """Standing or kneeling, not a push-up.

        The shoulders rise more than ``max_trunk_rise_deg`` above the hips. From
        the front a trunk pointing at the camera can look upright too (a level
        camera sees the shoulders above the hips), but it looks short: there it
        is upright only when it also looks longer than the shoulders are wide
        (standing, about 1.5 times; in a push-up under 1).
        """
        rise = elevation(hip_centre(frame), shoulder_centre(frame))
        if rise is None or rise <= self.max_trunk_rise_deg:
            return False
        if view == "front":
            torso = torso_length(frame)
            width = distance(point(frame, P.LEFT_SHOULDER), point(frame, P.RIGHT_SHOULDER))
            return torso is not None and width is not None and torso > width
        return True

    def _elbow_angle(self, frame: LandmarkFrame, view: str | None) -> float | None:
        if self._upright(frame, view):
            return None
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

    def _height_ratio(self, frame: LandmarkFrame) -> float | None:
        """Shoulder height over the hands as a share of its recent straight-arm height."""
        shoulder = shoulder_centre(frame)
        wrists = [point(frame, joint("wrist", side)) for side in SIDES]
        seen = [w[1] for w in wrists if w is not None]
        if shoulder is None or not seen or max(seen) > _PICTURE_BOTTOM:
            return None
        self._heights.append(sum(seen) / len(seen) - shoulder[1])
        height = median(self._heights)
        top = self.top.update(frame.t_s, height)
        return height / top if top > 1e-6 else None

    def _front_angle(self, ratio: float) -> float:
        """The elbow angle that goes with a shoulder height share (front and diagonal views)."""
        return self.up_deg + (ratio - self.front_up_ratio) * self._deg_per_ratio

    def _side_faults(self, frame: LandmarkFrame) -> dict[str, bool]:
        """Body line and head, judged from the side: each fault True when it shows now."""
        side = best_side(frame, ("shoulder", "hip", "ankle", "ear"))
        seen: dict[str, bool] = {}
        if self.counter.phase == "active":
            line, hip_low = body_line(frame, side)
            bent = line is not None and line < 180.0 - self.max_bend_deg
            seen = {SAGGING: bent and hip_low, PIKING: bent and not hip_low}
        drop = head_drop(frame, side)
        seen[HEAD_DROPPED] = drop is not None and drop > self.max_head_drop_deg
        return seen

    def _finish_rep(self, rep: Rep) -> None:
        """Judge the depth of a finished rep and log it with its faults."""
        lowest = self._lowest if self._depth_known else None
        depth = 1.0
        if lowest is not None:
            if lowest > self.max_low_ratio:
                self.book.fault(SHALLOW, rep.end_s)
            depth = min(1.0, (1.0 - lowest) / (1.0 - self.max_low_ratio) / 1.4)
        off = len(self.book.faults & {SAGGING, PIKING, HEAD_DROPPED})
        self.book.rep(rep, quality=depth - 0.25 * off)
        self._lowest, self._depth_known = None, True

    def update(self, frame: LandmarkFrame) -> Feedback:
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        angle = None if frame.landmarks is None else self._elbow_angle(frame, view)
        ratio = None if angle is None else self._height_ratio(frame)
        if view in ("front", "diagonal"):
            angle = None if ratio is None else self._front_angle(ratio)
        if frame.landmarks is not None and angle is None and hint is None:
            hint = _HANDS_DOWN
        value = None if angle is None else self.smooth(t, angle)
        rep = self.counter.update(t, value)
        if self.counter.phase == "active" and angle is not None:
            if ratio is None:
                self._depth_known = False
            elif self._lowest is None or ratio < self._lowest:
                self._lowest = ratio

        seen: dict[str, bool] = {}
        if angle is not None and view == "side":
            seen = self._side_faults(frame)
        elif angle is not None and hint is None and view in ("front", "diagonal"):
            hint = BACK_NOT_JUDGED
        faults = self.persist.check(t, seen)
        for code in faults:
            self.book.fault(code, t)

        if rep is not None:
            self._finish_rep(rep)

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
