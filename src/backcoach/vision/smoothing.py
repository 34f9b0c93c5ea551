"""One-Euro filter (Casiez, Roussel and Vogel, CHI 2012).

A low-pass filter whose cut-off rises with the signal's speed: still poses get
strong smoothing (no jitter), fast movements little (no lag). Time comes from
the frames' own timestamps, so dropped frames and variable frame rates are fine.

Example:
    >>> f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    >>> f(0.0, 10.0)
    10.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from backcoach.vision.landmarks import Landmark, LandmarkFrame


def _alpha(cutoff: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


@dataclass(slots=True)
class OneEuroFilter:
    """Scalar One-Euro filter.

    Args:
        min_cutoff: cut-off frequency (Hz) at rest; lower = smoother.
        beta: how fast the cut-off grows with speed; higher = less lag.
        d_cutoff: cut-off for the derivative estimate (Hz).
    """

    min_cutoff: float = 1.0
    beta: float = 0.0
    d_cutoff: float = 1.0
    _t: float | None = field(default=None, init=False)
    _x: float = field(default=0.0, init=False)
    _dx: float = field(default=0.0, init=False)

    def __call__(self, t_s: float, value: float) -> float:
        """Filter one sample taken at ``t_s`` seconds and return the smoothed value."""
        if self._t is None:
            self._t, self._x, self._dx = t_s, value, 0.0
            return value
        if t_s <= self._t:  # a repeated timestamp carries no new information
            return self._x
        dt = t_s - self._t
        self._t = t_s
        dx = (value - self._x) / dt
        a_d = _alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1.0 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        a = _alpha(cutoff, dt)
        self._x = a * value + (1.0 - a) * self._x
        return self._x

    def reset(self) -> None:
        """Forget the history (after a long dropout the old value is stale)."""
        self._t = None


@dataclass(slots=True)
class LandmarkSmoother:
    """One-Euro filter over every coordinate of a landmark frame.

    Visibility is passed through unchanged; a frame without a pose resets the
    filters so a person re-entering the picture does not slide in from the old spot.
    Pure Python (no numpy), so the live coach needs no optional extra.
    """

    min_cutoff: float = 1.0
    beta: float = 0.5
    d_cutoff: float = 1.0
    _filters: list[OneEuroFilter] = field(default_factory=list, init=False)

    def __call__(self, frame: LandmarkFrame) -> LandmarkFrame:
        if frame.landmarks is None:
            self._filters = []
            return frame
        if not self._filters:
            self._filters = [
                OneEuroFilter(self.min_cutoff, self.beta, self.d_cutoff)
                for _ in range(3 * len(frame.landmarks))
            ]
        f = self._filters
        t = frame.t_s
        marks = tuple(
            Landmark(
                f[3 * i](t, mark.x),
                f[3 * i + 1](t, mark.y),
                f[3 * i + 2](t, mark.z),
                mark.visibility,
            )
            for i, mark in enumerate(frame.landmarks)
        )
        return LandmarkFrame(t_s=t, landmarks=marks, aspect=frame.aspect)
