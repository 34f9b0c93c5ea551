"""Counting visits to the far end of a movement's own range (the floor exercises' counter).

Rule, in plain words: a repetition is a full out-and-back cycle between the
two ends of what the person actually does, judged on one number (a hip
angle, a lift in degrees) relative to its own range, not to fixed angles:

- the range ``[low, high]`` is the lowest and highest value (after
  smoothing) of the last ``window_s`` seconds, so a movement made while
  getting into position is forgotten; nothing counts while it spans less
  than ``min_amplitude`` (stillness and jitter never count);
- the *near* end (where the movement starts: lying flat, kneeling on all
  fours, standing on both feet) is the bottom ``near`` fraction of the range,
  the *far* end (hips up, arm and leg reached, knee lifted) is at or above the
  ``enter`` fraction;
- a *visit* is the time at the far end: it starts on arrival from the near
  end and ends when the value drops ``leave`` of the range below the visit's
  own best (or reaches the near end). A visit that lasted ``min_active_s``
  counts when it ends (a shorter one is a flicker of noise and is
  forgotten), so a hold at the top is over before its rep is reported (dose
  checks see the whole hold); a sag of less than ``leave`` does not end it;
- a recording that starts at the far end (already in the held position, for
  at least ``min_active_s``) counts its cycles far -> near -> far: the range
  is first spanned on the way to the near end, and then each arrival back at
  the far end that lasts ``min_active_s`` counts (there the arrival completes
  the cycle);
- a value that cannot be measured for longer than ``max_gap_s`` ends a visit
  in progress uncounted, and the next one must start from the near end again.

Example:
    >>> counter = VisitCounter(min_amplitude=20.0)
    >>> angles = [125.0] * 10 + [175.0] * 20 + [125.0] * 10
    >>> reps = [counter.update(i / 10, a) for i, a in enumerate(angles)]
    >>> counter.count, [r.peak for r in reps if r is not None]
    (1, [175.0])
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from backcoach.vision.counting import Rep, RepPhase, RollingExtreme

State = Literal["unknown", "near", "far", "away"]

__all__ = ["VisitCounter"]


@dataclass(slots=True)
class VisitCounter:
    """Counts visits to the far end of a signal's own range (see the module rule).

    Fits the ``Counter`` protocol of ``motion.Motion``: ``phase`` is
    ``"active"`` during a visit, ``peak`` is the visit's best value; ``level``
    is where the last value sits in the range (0 near end, 1 far end; None
    while the range is under ``min_amplitude``).

    Args:
        min_amplitude: smallest range that counts, in the signal's unit.
        rising: the far end is the high end (False: the low end, e.g. an angle that closes).
        enter: fraction of the range from the near end where the far end begins.
        near: fraction of the range from the near end that is the near end.
        leave: drop from the visit's best, as a fraction of the range, that ends a visit.
        min_active_s: shortest visit that counts.
        max_gap_s: longest run of unknown values that is bridged.
        window_s: how long the ends of the range are remembered.
    """

    min_amplitude: float
    rising: bool = True
    enter: float = 0.6
    near: float = 0.3
    leave: float = 0.5
    min_active_s: float = 0.3
    max_gap_s: float = 1.0
    window_s: float = 30.0
    count: int = field(default=0, init=False)
    phase: RepPhase = field(default="unknown", init=False)
    active_since: float = field(default=0.0, init=False)
    peak: float = field(default=0.0, init=False)
    started_far: bool = field(default=False, init=False)
    level: float | None = field(default=None, init=False)
    _state: State = field(default="unknown", init=False)
    _low: float = field(default=math.inf, init=False)
    _high: float = field(default=-math.inf, init=False)
    _lows: RollingExtreme = field(init=False)
    _highs: RollingExtreme = field(init=False)
    _before: deque[tuple[float, float]] = field(default_factory=deque, init=False)
    _low_t: float = field(default=0.0, init=False)
    _near_t: float = field(default=0.0, init=False)
    _far_t: float = field(default=0.0, init=False)
    _best: float = field(default=-math.inf, init=False)
    _counted: bool = field(default=False, init=False)
    _last_known: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._lows = RollingExtreme(self.window_s, maximum=False)
        self._highs = RollingExtreme(self.window_s)

    @property
    def span(self) -> float:
        """The range seen so far (0 before the first value)."""
        return max(0.0, self._high - self._low)

    @property
    def floor(self) -> float:
        """The near end of the range: the resting level movements are measured from."""
        return self._signed(self._low) if math.isfinite(self._low) else 0.0

    def update(self, t_s: float, value: float | None) -> Rep | None:
        """Feed one sample; returns the rep that just counted, if any."""
        if value is None:
            if self._last_known is not None and t_s - self._last_known > self.max_gap_s:
                self._last_known, self.phase = None, "unknown"
                if self._state in ("far", "near"):
                    self._state = "away"
            return None
        self._last_known = t_s
        v = value if self.rising else -value
        low = self._lows.update(t_s, v)
        if low == v:
            self._low_t = t_s
        self._low, self._high = low, self._highs.update(t_s, v)
        span = self._high - self._low
        self.level = (v - self._low) / span if span >= self.min_amplitude else None
        if self.level is None:
            if self._state == "unknown":
                self.phase = "rest"
                self._remember(t_s, v)
            return None  # not moving (yet, or for a whole window: a long rest or hold)
        level = self.level
        if self._state == "unknown":  # the range was just spanned: v is at one of its ends
            before, self._before = self._before, deque()
            if level >= self.enter:  # came up from the near end
                self._near_t = self._low_t
                return self._arrive(t_s, v)
            # Came down from the far end: the recording started in the held position if
            # the signal stayed there (a flicker of noise at the start is not a hold).
            self.started_far = self._far_time(before, span) >= self.min_active_s
            self._state, self._near_t, self.phase = "near", t_s, "rest"
            return None
        if self._state == "far":
            return self._in_visit(t_s, v, level, span)
        if level <= self.near:
            self._state, self._near_t, self.phase = "near", t_s, "rest"
        elif self._state == "near" and level >= self.enter:
            return self._arrive(t_s, v)
        return None

    def _remember(self, t_s: float, v: float) -> None:
        """Keep the samples seen before the range is first spanned (the last ``window_s``)."""
        before = self._before
        before.append((t_s, v))
        while before[0][0] < t_s - self.window_s:
            before.popleft()

    def _far_time(self, before: deque[tuple[float, float]], span: float) -> float:
        """Seconds ``before`` spent at the far end of the range now spanned."""
        far = self._low + self.enter * span
        return sum(t1 - t0 for (t0, v0), (t1, _) in itertools.pairwise(before) if v0 >= far)

    def _arrive(self, t_s: float, v: float) -> Rep | None:
        self._state, self.phase = "far", "active"
        self.active_since, self._far_t, self._best, self._counted = self._near_t, t_s, v, False
        self.peak = self._signed(v)
        return None

    def _in_visit(self, t_s: float, v: float, level: float, span: float) -> Rep | None:
        if v > self._best:
            self._best, self.peak = v, self._signed(v)
        long_enough = t_s - self._far_t >= self.min_active_s
        if level <= self.near or v <= self._best - self.leave * span:
            self.phase = "rest"
            if not long_enough:  # a flicker, not a visit: as if it never happened
                self._state = "near"
                return None
            self._state = "near" if level <= self.near else "away"
            self._near_t = t_s
            return None if self.started_far else self._rep(t_s)  # (counted on arrival)
        if self.started_far and long_enough and not self._counted:
            self._counted = True
            return self._rep(t_s)
        return None

    def _rep(self, t_s: float) -> Rep:
        self.count += 1
        return Rep(start_s=self.active_since, end_s=t_s, peak=self.peak)

    def _signed(self, v: float) -> float:
        return v if self.rising else -v
