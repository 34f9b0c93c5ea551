"""Being in the picture and ready: which joints are missing, steady hints, one person, ready.

Four small rules every analyzer shares (``analyzers.base.Guided`` applies them):

- **Body in frame** (``missing_joints``, ``framing_hint``): a joint is seen when
  the model is confident of it and it lies inside the picture; for each body
  part the exercise needs (``view.PART_HINTS`` groups) the hint names the
  joints of which neither side is seen: "I can't see your knees and ankles:
  move back." Parts outside the top or bottom edge ask to move back, parts
  outside a side edge ask to move towards the middle.
- **Steady hints** (``SteadyHint``): a new hint is shown only after it has been
  the same for ``dwell_s`` seconds, and a shown hint stays at least
  ``min_show_s`` seconds, so a joint that blinks in and out of view does not
  make the hint flicker.
- **One person** (``TrackLock``): the pose model gives one body per frame (the
  Python ``solutions.pose`` API and the browser's ``@mediapipe/pose`` alike),
  so a second person shows up as the body jumping: its torso centre moves
  more than ``max_jump`` torso lengths between frames, beyond what a person
  moves in that time (``max_speed`` torso lengths per second), or its torso
  size changes by more than ``max_scale`` times (bending towards the camera
  halves a torso on screen, so only a bigger change is another body). The
  first ``settle_s`` seconds of a track follow the body whatever it does (the
  model's first frames of a person are rough). Such a frame belongs to
  someone else: it is treated as nobody seen ("I lost you: step back into
  the picture"). The track comes back when a body is seen near where the
  person was last (the allowed distance grows with the time away, for up to
  ``reach_s`` seconds); a body far from it is taken on as the person only
  after it stayed ``adopt_s`` seconds, or at once after ``absent_s`` seconds
  with nobody in the picture.
- **Ready** (``ReadyGate``): counting starts once the person has held the
  start position for ``ready_s`` seconds: the analyzer can measure the
  exercise on every frame (its phase is known: it sees the body in the
  exercise's position) and the body does not travel across the picture (the
  torso centre stays within ``max_travel`` torso lengths sideways, so walking
  into place does not count). The body may move up and down in place: many
  people start their first rep straight away. Until then the hint is "Get
  into position", then "Ready: start when you like" for a moment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from backcoach.i18n import N_
from backcoach.vision.geometry import MIN_VISIBILITY, SIDE_JOINTS
from backcoach.vision.landmarks import Landmark, LandmarkFrame
from backcoach.vision.wording import CANT_SEE, spoken_list

__all__ = [
    "GET_READY_HINT",
    "LOST_HINT",
    "READY_HINT",
    "ReadyGate",
    "SteadyHint",
    "TrackLock",
    "framing_hint",
    "missing_joints",
]

GET_READY_HINT = N_("Get into position and hold it for a moment.")
READY_HINT = N_("Ready: start when you like.")
LOST_HINT = N_("I lost you: step back into the picture.")

#: Spoken names of the joints in ``geometry.SIDE_JOINTS`` (English; ``wording.shown`` translates).
JOINT_NAMES: dict[str, str] = {
    "ear": "head",
    "shoulder": "shoulders",
    "elbow": "elbows",
    "wrist": "hands",
    "hip": "hips",
    "knee": "knees",
    "ankle": "ankles",
}

#: The joints of each body-part group an analyzer can require (``view.PART_HINTS`` keys).
GROUP_JOINTS: dict[str, tuple[str, ...]] = {
    "head": ("ear",),
    "shoulders": ("shoulder",),
    "arms": ("elbow", "wrist"),
    "hips": ("hip",),
    "knees": ("knee",),
    "feet": ("ankle",),
}

#: How far outside the picture (in image fractions) a joint may lie and still count as in it.
EDGE = 0.02


def _where(frame: LandmarkFrame, joint: str, min_visibility: float) -> str | None:
    """None when either side of ``joint`` is seen; else "edge-y", "edge-x" or "hidden"."""
    assert frame.landmarks is not None
    outside = "hidden"
    for index in SIDE_JOINTS[joint]:
        mark = frame.landmarks[index]
        in_x = -EDGE <= mark.x <= 1 + EDGE
        in_y = -EDGE <= mark.y <= 1 + EDGE
        if mark.visibility >= min_visibility and in_x and in_y:
            return None
        if not in_y:
            outside = "edge-y"
        elif not in_x and outside == "hidden":
            outside = "edge-x"
    return outside


def missing_joints(
    frame: LandmarkFrame, groups: Iterable[str], min_visibility: float = MIN_VISIBILITY
) -> dict[str, str]:
    """The needed joints the camera cannot see, each with where it is (``_where``'s answer).

    Example:
        >>> missing_joints(LandmarkFrame(0.0, None), ["knees"])
        {'knee': 'hidden'}
    """
    joints = [j for group in groups for j in GROUP_JOINTS[group]]
    if frame.landmarks is None:
        return dict.fromkeys(joints, "hidden")
    out: dict[str, str] = {}
    for joint in joints:
        where = _where(frame, joint, min_visibility)
        if where is not None:
            out[joint] = where
    return out


def framing_hint(missing: dict[str, str]) -> str | None:
    """The plain hint for the missing joints, or None when all are seen.

    Example:
        >>> framing_hint({"knee": "edge-y", "ankle": "edge-y"})
        "I can't see your knees and ankles: move back."
    """
    return _hint_for(tuple(missing.items())) if missing else None


@cache
def _hint_for(missing: tuple[tuple[str, str], ...]) -> str:
    """``framing_hint``'s words (cached: the same few joints go missing frame after frame)."""
    where = dict(missing)
    names = spoken_list([JOINT_NAMES[j] for j in JOINT_NAMES if j in where])
    places = set(where.values())
    if places == {"edge-x"}:
        advice = N_("move towards the middle of the picture")
    elif places == {"hidden"} and len(where) < len(JOINT_NAMES):
        advice = N_("turn or move so the camera sees them")
    else:
        advice = N_("move back")
    return CANT_SEE.format(parts=names, advice=advice)


@dataclass(slots=True)
class SteadyHint:
    """Shows a hint only once it has been the same for a while, and keeps it a while.

    Example:
        >>> steady = SteadyHint(dwell_s=0.5, min_show_s=1.0)
        >>> [steady.update(t / 10, "Move back.") for t in (0, 3, 6)]
        [None, None, 'Move back.']
        >>> steady.update(0.7, None), steady.update(1.7, None)
        ('Move back.', None)
    """

    dwell_s: float = 0.5
    min_show_s: float = 1.0
    shown: str | None = field(default=None, init=False)
    _shown_at: float = field(default=-math.inf, init=False)
    _candidate: str | None = field(default=None, init=False)
    _since: float = field(default=0.0, init=False)

    def update(self, t_s: float, hint: str | None) -> str | None:
        """Feed the hint seen on this frame; returns the hint to show."""
        if hint != self._candidate:
            self._candidate, self._since = hint, t_s
        if hint == self.shown:
            return self.shown
        # Clearing a hint needs the same dwell as showing one: the problem must stay solved.
        if t_s - self._since >= self.dwell_s and t_s - self._shown_at >= self.min_show_s:
            self.shown, self._shown_at = hint, t_s
        return self.shown

    def force(self, t_s: float, hint: str | None) -> None:
        """Show ``hint`` now (a change of state the person must hear at once)."""
        self.shown, self._shown_at = hint, t_s
        self._candidate, self._since = hint, t_s


#: Visibility above which a shoulder or hip places the torso (lower than ``MIN_VISIBILITY``:
#: only where the body is matters here, not its angles).
TORSO_VISIBILITY = 0.3


def _pair(marks: tuple[Landmark, ...], left: int, right: int) -> tuple[float, float] | None:
    """Midpoint of a left/right pair of landmarks, or the one of them that is seen."""
    a, b = marks[left], marks[right]
    seen_a, seen_b = a.visibility >= TORSO_VISIBILITY, b.visibility >= TORSO_VISIBILITY
    if seen_a and seen_b:
        return (a.x + b.x) / 2.0, (a.y + b.y) / 2.0
    if seen_a or seen_b:
        one = a if seen_a else b
        return one.x, one.y
    return None


def _torso(frame: LandmarkFrame) -> tuple[float, float, float] | None:
    """Torso centre (x, y) and length on screen, or None when shoulders or hips are not seen."""
    marks = frame.landmarks
    if marks is None:
        return None
    top, bottom = _pair(marks, 11, 12), _pair(marks, 23, 24)
    if top is None or bottom is None:
        return None
    aspect = frame.aspect
    dx, dy = (top[0] - bottom[0]) * aspect, top[1] - bottom[1]
    length = math.hypot(dx, dy)
    if length <= 1e-6:
        return None
    return (top[0] + bottom[0]) / 2.0 * aspect, (top[1] + bottom[1]) / 2.0, length


@dataclass(slots=True)
class TrackLock:
    """Keeps to one person: a body that jumps away from the track is someone else (or a glitch).

    ``update`` returns the frame to analyse (the landmarks dropped when they
    belong to another body) and whether the person was lost on this frame.
    ``adopted`` turns True on the frame a new person is taken on (the caller
    then waits for them to get ready again).
    """

    max_jump: float = 0.6
    max_speed: float = 3.0
    reach_s: float = 0.2
    max_scale: float = 2.5
    settle_s: float = 0.3
    adopt_s: float = 3.0
    absent_s: float = 1.5
    lost: bool = field(default=False, init=False)
    adopted: bool = field(default=False, init=False)
    _track: tuple[float, float, float] | None = field(default=None, init=False)
    _track_t: float = field(default=0.0, init=False)
    _taken_t: float = field(default=0.0, init=False)
    _empty_since: float | None = field(default=None, init=False)
    _stranger_since: float | None = field(default=None, init=False)

    @property
    def tracking(self) -> bool:
        """A person has been taken on (the track may be lost for now)."""
        return self._track is not None

    def _near(self, t_s: float, body: tuple[float, float, float]) -> bool:
        assert self._track is not None
        x, y, length = self._track
        scale = body[2] / length
        if not 1.0 / self.max_scale <= scale <= self.max_scale:
            return False
        # Reach grows with the time since the person was last seen, up to ``reach_s``: someone
        # coming back steps in where they were; a body elsewhere waits for ``adopt_s``.
        away = min(self.reach_s, max(0.0, t_s - self._track_t))
        allowed = self.max_jump + self.max_speed * away
        return math.hypot(body[0] - x, body[1] - y) / max(length, body[2]) <= allowed

    def update(self, frame: LandmarkFrame) -> LandmarkFrame:
        """The frame to analyse: ``frame``, or without landmarks when they are someone else's."""
        t = frame.t_s
        self.adopted = False
        if frame.landmarks is None:
            if self._empty_since is None:
                self._empty_since = t
            self._stranger_since = None
            return frame
        empty_since, self._empty_since = self._empty_since, None
        body = _torso(frame)
        if body is None:  # too little of the body to tell: analyse it as it is
            return frame
        if self._track is None:
            self._take(t, body, adopted=False)
            return frame
        if t - self._taken_t < self.settle_s or self._near(t, body):
            self._track, self._track_t = body, t
            self.lost, self._stranger_since = False, None
            return frame
        if self._stranger_since is None:
            self._stranger_since = t
        came_back = empty_since is not None and t - empty_since >= self.absent_s
        if came_back or t - self._stranger_since >= self.adopt_s:
            self._take(t, body, adopted=True)
            return frame
        self.lost = True
        return LandmarkFrame(t_s=t, landmarks=None, aspect=frame.aspect)

    def _take(self, t_s: float, body: tuple[float, float, float], *, adopted: bool) -> None:
        self._track, self._track_t, self._taken_t = body, t_s, t_s
        self.lost, self._stranger_since, self.adopted = False, None, adopted


@dataclass(slots=True)
class ReadyGate:
    """Ready once the start position was held for ``ready_s`` seconds (see the module rule).

    Example:
        >>> gate = ReadyGate(ready_s=0.5)
        >>> gate.update(LandmarkFrame(0.0, None), measurable=True)
        False
    """

    ready_s: float = 0.5
    max_travel: float = 0.5
    ready: bool = field(default=False, init=False)
    ready_at: float | None = field(default=None, init=False)
    _since: float | None = field(default=None, init=False)
    _xs: tuple[float, float, float] = field(default=(math.inf, -math.inf, 0.0), init=False)

    def update(self, frame: LandmarkFrame, *, measurable: bool) -> bool:
        """Feed one frame; ``measurable``: the analyzer can measure the exercise on it."""
        if self.ready:
            return True
        body = _torso(frame) if measurable and frame.landmarks is not None else None
        if body is None:
            self._since = None
            return False
        t, (x, _, length) = frame.t_s, body
        low, high, ruler = self._xs
        low, high, ruler = min(low, x), max(high, x), max(ruler, length)
        if self._since is None or high - low > self.max_travel * ruler:
            self._since, (low, high, ruler) = t, (x, x, length)  # moving into place: wait again
        self._xs = (low, high, ruler)
        if t - self._since >= self.ready_s - 1e-9:
            self.ready, self.ready_at = True, t
        return self.ready

    def reset(self) -> None:
        """Wait for the start position again (a new person was taken on)."""
        self.ready, self.ready_at, self._since = False, None, None
