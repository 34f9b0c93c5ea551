"""Exercise-agnostic counting: repetitions on a scalar signal, and hold timing.

Rep rule, in plain words: a repetition is *rest -> active -> rest* on one
number that describes the movement (a knee angle, a hip height in torso
lengths). The signal becomes active only when it passes the ``enter``
threshold and returns to rest only when it passes the ``exit`` threshold, on
the rest side of ``enter`` (hysteresis: jitter between the two thresholds
changes nothing). A rep counts only when the active phase lasted at least
``min_active_s`` and rest had lasted ``min_rest_s`` before it, so a one-frame
spike never counts. Counting starts only after rest has been seen, so a clip
that starts mid-movement does not count half a rep. An unknown value (joint
not visible) changes nothing for up to ``max_gap_s``; a longer gap cancels the
rep in progress. With ``count_on_entry`` a rep counts as soon as the active
phase has lasted ``min_active_s`` (for flows such as pike-to-arch, where
reaching the second position *is* the repetition).

Hold rule: a hold runs while a condition is true. Short dropouts (the
condition false or unknown for at most ``max_gap_s``) do not end it; a hold
shorter than ``min_hold_s`` is not reported. Its duration runs from the first
to the last frame the condition was true.

Dose rule: a repetition with a hold (a glute bridge held 4 s at the top)
counts only when its hold lasted the dosed time, less ``HOLD_TOLERANCE_S`` for
the smoothing's lag; a hold that already lasted that long when a recording
ends counts even though the way back down was not filmed. A rep that was
still short of its end position when the recording or the set ended does not
count.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

RepPhase = Literal["unknown", "rest", "active"]

#: How much shorter than its dose a hold may be measured and still count (filter lag).
HOLD_TOLERANCE_S = 0.25


@dataclass(frozen=True, slots=True)
class Dose:
    """What the exercise asks for, as far as the camera checks it.

    Attributes:
        hold_s: seconds each hold must last (None: no hold time to reach).
        each_rep: the hold is part of every repetition (a bridge); False for an
            exercise that is one hold (a plank).

    Example:
        >>> Dose(hold_s=4.0).met(3.8), Dose(hold_s=4.0).met(3.0), Dose().met(0.0)
        (True, False, True)
    """

    hold_s: float | None = None
    each_rep: bool = True

    @property
    def rep_hold(self) -> bool:
        """Each repetition must be held (the dose has a hold time per rep)."""
        return self.each_rep and bool(self.hold_s)

    def met(self, held_s: float) -> bool:
        """Whether a hold of ``held_s`` seconds meets the dose."""
        return not self.hold_s or held_s >= self.hold_s - HOLD_TOLERANCE_S

    def left_s(self, held_s: float) -> float:
        """Seconds still to hold (0 when met or when there is no hold time)."""
        return max(0.0, (self.hold_s or 0.0) - held_s)


@dataclass(frozen=True, slots=True)
class Rep:
    """One counted repetition: when it left rest, when it came back, and its extreme value."""

    start_s: float
    end_s: float
    peak: float


@dataclass(slots=True)
class RepCounter:
    """Hysteresis repetition counter on a scalar signal.

    The direction follows from the thresholds: with ``enter > exit`` the
    movement goes *up* (active when ``value >= enter``); with ``enter < exit``
    it goes *down* (active when ``value <= enter``).

    Args:
        enter: threshold that starts the active phase.
        exit: threshold that ends it (between rest and ``enter``).
        min_active_s: shortest active phase that counts.
        min_rest_s: rest needed before a new rep may start.
        max_gap_s: longest run of unknown values that is bridged.
        count_on_entry: count when the active phase is reached and held, not on return.

    Example:
        >>> counter = RepCounter(enter=0.5, exit=0.3)
        >>> [counter.update(t / 10, v) is not None
        ...  for t, v in enumerate([0, 0, 0.6, 0.7, 0.7, 0.7, 0.1, 0.1])][-2]
        True
    """

    enter: float
    exit: float
    min_active_s: float = 0.25
    min_rest_s: float = 0.1
    max_gap_s: float = 1.0
    count_on_entry: bool = False
    count: int = field(default=0, init=False)
    phase: RepPhase = field(default="unknown", init=False)
    active_since: float = field(default=0.0, init=False)
    peak: float = field(default=0.0, init=False)
    _rest_since: float = field(default=0.0, init=False)
    _last_known: float | None = field(default=None, init=False)
    _counted: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.enter == self.exit:
            raise ValueError("enter and exit thresholds must differ (that is the hysteresis)")

    @property
    def rising(self) -> bool:
        return self.enter > self.exit

    def _is_active(self, value: float) -> bool:
        return value >= self.enter if self.rising else value <= self.enter

    def _is_rest(self, value: float) -> bool:
        return value <= self.exit if self.rising else value >= self.exit

    def update(self, t_s: float, value: float | None) -> Rep | None:
        """Feed one sample; returns the rep that just finished, if any."""
        if value is None:
            if self._last_known is not None and t_s - self._last_known > self.max_gap_s:
                self.phase = "unknown"
                self._last_known = None
            return None
        self._last_known = t_s
        if self.phase == "unknown":
            if self._is_rest(value):
                self.phase = "rest"
                self._rest_since = t_s
            return None
        if self.phase == "rest":
            if self._is_active(value) and t_s - self._rest_since >= self.min_rest_s:
                self.phase = "active"
                self.active_since = t_s
                self.peak = value
                self._counted = False
            return None  # values inside the hysteresis band leave us resting
        # active
        self.peak = max(self.peak, value) if self.rising else min(self.peak, value)
        long_enough = t_s - self.active_since >= self.min_active_s
        if not self._is_rest(value):
            if self.count_on_entry and long_enough and not self._counted:
                self._counted = True
                self.count += 1
                return Rep(start_s=self.active_since, end_s=t_s, peak=self.peak)
            return None
        self.phase = "rest"
        self._rest_since = t_s
        if not long_enough or self.count_on_entry:
            return None  # a spike, not a movement (or already counted on entry)
        self.count += 1
        return Rep(start_s=self.active_since, end_s=t_s, peak=self.peak)

    def pending(self) -> Rep | None:
        """The rep in progress (active long enough, not yet counted), ending at the last sample.

        Analyzers use it at the end of a video that stops mid-rep.
        """
        if self.phase != "active" or self._counted or self._last_known is None:
            return None
        if self._last_known - self.active_since < self.min_active_s:
            return None
        return Rep(start_s=self.active_since, end_s=self._last_known, peak=self.peak)

    def reset(self) -> None:
        self.phase = "unknown"
        self._last_known = None


@dataclass(frozen=True, slots=True)
class HoldSpan:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(slots=True)
class HoldTimer:
    """Accumulates a hold while a condition is true, bridging short dropouts.

    Args:
        min_hold_s: shorter holds are not reported.
        max_gap_s: the condition may be false or unknown this long without ending the hold.

    Example:
        >>> timer = HoldTimer(min_hold_s=0.2)
        >>> for t in range(5):
        ...     _ = timer.update(t / 10, True)
        >>> round(timer.current_s, 2)
        0.4
    """

    min_hold_s: float = 1.0
    max_gap_s: float = 0.5
    holds: list[HoldSpan] = field(default_factory=list, init=False)
    _start: float | None = field(default=None, init=False)
    _last_true: float = field(default=0.0, init=False)

    @property
    def holding(self) -> bool:
        return self._start is not None

    @property
    def current_s(self) -> float:
        """Length of the hold in progress (0 when not holding)."""
        return 0.0 if self._start is None else self._last_true - self._start

    @property
    def total_s(self) -> float:
        """Reported holds plus the one in progress."""
        return sum(h.duration_s for h in self.holds) + self.current_s

    def update(self, t_s: float, condition: bool | None) -> HoldSpan | None:
        """Feed one sample; returns a hold when one has just ended (and was long enough)."""
        if condition:
            if self._start is None:
                self._start = t_s
            self._last_true = t_s
            return None
        if self._start is not None and t_s - self._last_true > self.max_gap_s:
            return self._close()
        return None

    def open_span(self) -> HoldSpan | None:
        """The hold in progress, if it is already long enough to report."""
        if self._start is None or self.current_s < self.min_hold_s:
            return None
        return HoldSpan(self._start, self._last_true)

    def finish(self) -> HoldSpan | None:
        """End the hold in progress (end of video); returns it if long enough."""
        return self._close() if self._start is not None else None

    def _close(self) -> HoldSpan | None:
        assert self._start is not None
        span = HoldSpan(self._start, self._last_true)
        self._start = None
        if span.duration_s < self.min_hold_s:
            return None
        self.holds.append(span)
        return span


@dataclass(slots=True)
class RollingExtreme:
    """Running maximum (or minimum) of the samples of the last ``window_s`` seconds.

    Used as a movement's own baseline, e.g. the standing hip height before a squat.

    Example:
        >>> top = RollingExtreme(window_s=1.0)
        >>> [top.update(t, v) for t, v in [(0.0, 1.0), (0.5, 3.0), (1.2, 2.0), (1.6, 0.0)]]
        [1.0, 3.0, 3.0, 2.0]
    """

    window_s: float
    maximum: bool = True
    _items: deque[tuple[float, float]] = field(default_factory=deque, init=False)

    def update(self, t_s: float, value: float) -> float:
        items = self._items
        while items and (items[-1][1] <= value if self.maximum else items[-1][1] >= value):
            items.pop()
        items.append((t_s, value))
        while items[0][0] < t_s - self.window_s:
            items.popleft()
        return items[0][1]
