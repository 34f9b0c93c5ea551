"""Exercise-agnostic repetition counter (``--exercise generic``).

For any exercise, including those a clinician adds later with no analyzer of
their own. It never needs a true joint angle or length, so it counts the same
on raw BlazePose landmarks and on landmarks normalised per frame (translated,
scaled or min-max stretched per axis). Rule, in plain words:

1. **Features.** Every frame becomes the x and y of 13 body landmarks, min-max
   normalised per frame and axis (``generic_signal.pose_features``).
2. **The movement signal, chosen per recording.** Every ``TICK_S`` seconds the
   last ``WINDOW_S`` seconds are resampled at ``RATE`` Hz, one-sample glitches
   are removed (running median of three) and the candidate signals are found on
   the features divided by their own jitter: the first three principal
   components of the pose and the first of its left/right-symmetric part. Each
   candidate's period and repetitiveness come from its autocorrelation; the one
   counted is the most repetitive for its share of the movement (the largest
   while nothing repeats yet, e.g. during the first rep). The previous choice
   is kept while it stays nearly as good, so the count does not hop between
   signals.
3. **Alternating sides.** When the first principal component of the
   antisymmetric part (one side against the other) repeats and leads the
   movement, and the symmetric part (the midpoints of each pair) repeats at
   half its period (alternating lunges, a march), the symmetric part is
   counted: *each side's movement is one rep*, the rep is named by the side
   whose landmarks moved more, and the JSON
   says so (``counting.per_side``, ``counting.reps_by_side``, ``side`` on each
   rep; ``reps_by_side`` in the live feedback). With a held rest pose in the
   middle of the range and no repetition to go by (one slow reach each side),
   a trip to either end is a rep, also per side.
4. **Rest and reps.** The pose held still for ``STILL_S`` before moving is the
   rest pose (a pose held at the far end is a hold, not rest); without such a
   pause the end the recording starts at, where it mostly is and, for the
   result, where it ends vote. A rep is a trip from rest past ``ENTER`` of the
   way to the far end and back within ``EXIT`` of rest: hysteresis relative to
   the amplitude. The levels are the median low and high of each cycle when
   the window holds ``MIN_CYCLES`` (a glitch or one deep rep does not stretch
   them; long continuous sets keep every rep), else the 3rd and 97th
   percentiles. A rep lasts at least a quarter of the time between reps and
   ends at least half of it after the previous one. Nothing counts while the
   range is below ``MIN_RANGE`` or ``NOISE_RATIO`` times the signal's jitter.
5. **Pauses and partial reps.** A pause between sets keeps the set's range in
   the window; a longer one waits for the next movement. A rep counts when it
   is back at rest, so a recording cut on the way out or half-way back counts
   nothing for it, and one that starts half-way back only finds its rest. A rep
   held at its far end when a recording that started from a held rest ends is
   reported as ``unfinished`` (``AnalysisLog.result``).

**Live and offline.** ``update`` analyses the window every ``TICK_S`` and logs
the reps that ended since the last one logged: that is the live count of the
WebSocket coach and of ``backcoach analyze`` frame by frame (it lags a rep's
end by at most ``TICK_S``). ``result()`` analyses once more up to the last
frame and recounts the last window with hindsight (its signal, levels and the
recording's end known): reps before the window are the live ones, those in it
are the recount's. On recordings shorter than the window the result is thus a
whole-recording count; it differs from the last live count only where the
live count had to decide before the end (usually the last rep, or an early
rep of a very short clip).

Limits: a recording that starts moving straight away from the far end takes
that end for rest and may count one rep more when it also ends there; a
movement smaller than ``MIN_RANGE`` (a nod under a noisy pose model) is not
counted; an alternation whose midpoints barely move (a bird-dog or a march seen
at some angles) is counted as pairs, with ``per_side`` false.

Example:
    >>> analyzer = GenericAnalyzer()
    >>> for frame in frames:  # doctest: +SKIP
    ...     feedback = analyzer.update(frame)
    >>> analyzer.result().to_json()["counting"]  # doctest: +SKIP
    {'signal': 'pose-1', 'per_side': False, 'period_s': 1.8, 'reps_by_side': {}}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Final

import numpy as np

from backcoach.vision.analyzers import register
from backcoach.vision.analyzers.base import AnalysisLog, AnalysisResult, Feedback, RepEvent
from backcoach.vision.counting import Rep
from backcoach.vision.generic_signal import (
    ALTERNATING,
    LEFT,
    N_FEATURES,
    RIGHT,
    FloatArray,
    candidates,
    despike,
    noise_levels,
    periodicities,
    periodicity,
    pose_features,
    smooth,
    uniform,
)
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.view import SetupCheck

#: Analysis rate of the window, Hz.
RATE: Final = 10.0
#: Length of the window the signal is chosen, calibrated and counted on, seconds.
WINDOW_S: Final = 20.0
#: How often the window is analysed, seconds (the live count lags by at most this).
TICK_S: Final = 0.5
#: Seconds of pose needed before the first analysis.
FIRST_S: Final = 0.8
#: A pose kept within ``STILL_TOLERANCE`` (normalised units) this long is held still.
STILL_S: Final = 0.5
STILL_TOLERANCE: Final = 0.05
#: Fractions of the way from rest to the far end that start and end a rep.
ENTER: Final = 0.5
EXIT: Final = 0.25
#: Far enough along for a rep held at the end of a recording to be "unfinished".
FAR: Final = 0.75
#: Shortest rep, seconds (a trip from rest and back faster than this is a glitch).
MIN_REP_S: Final = 0.4
#: Smallest range of the counted signal, in normalised units.
MIN_RANGE: Final = 0.1
#: The range must also be this many times the signal's own noise.
NOISE_RATIO: Final = 12.0
#: Merit of a candidate that does not repeat, against 1 more for a perfectly repetitive one.
BASE_MERIT: Final = 0.3
#: Smallest share of the strongest candidate's variance a counted signal may have.
MIN_SHARE: Final = 0.05
#: Per side: the smaller end's scale is at least this part of the larger end's.
SIDE_SCALE: Final = 0.6
#: Per side: the least part of the signal's direction that is one side against the other.
MIN_SIDED: Final = 0.3
#: Cycles the window needs for the levels to come from each cycle's own extremes.
MIN_CYCLES: Final = 2.5
#: Repetitiveness a signal at half the period needs to be counted instead.
HALF_SCORE: Final = 0.35
#: Repetitiveness (autocorrelation peak) from which a period is trusted.
MIN_SCORE: Final = 0.3
#: A rep held at its far end this long when the recording ends is reported unfinished.
HELD_END_S: Final = 0.5
#: The rest pose is replaced when every pose in the window is farther from it than this.
REST_DRIFT: Final = 0.35
#: Frames are stored at most this often (seconds) for the window.
STORE_S: Final = 1.0 / 30.0
_CAPACITY: Final = int(WINDOW_S / STORE_S) + 64


@dataclass(frozen=True, slots=True)
class Calibration:
    """The signal counted now: its direction in feature space, levels and period.

    ``rest`` is the signal's level at rest; with ``both_ends`` it lies between
    ``low`` and ``high`` and a trip to either is a rep, otherwise it is one of them.
    ``per_side``: each rep is one side's movement (both ends, or a signal found
    at half the period of one side against the other).
    """

    kind: str
    direction: FloatArray
    base: FloatArray
    mean: FloatArray
    low: float
    high: float
    rest: float
    far: float
    both_ends: bool
    halved: bool
    per_side: bool
    period_s: float | None
    valid: bool

    def positions(self, values: FloatArray) -> FloatArray:
        """Signed fraction of the way from rest to the far end (per side: to either end)."""
        if self.both_ends:
            # Each end on its own scale, but a scale no smaller than SIDE_SCALE of the
            # larger one, so a small overshoot past rest never looks like a rep.
            larger = max(self.high - self.rest, self.rest - self.low, 1e-9)
            up = (values - self.rest) / max(self.high - self.rest, SIDE_SCALE * larger)
            down = (values - self.rest) / max(self.rest - self.low, SIDE_SCALE * larger)
            signed: FloatArray = np.where(values >= self.rest, up, down)
            return signed
        along: FloatArray = (values - self.rest) / (self.far - self.rest)
        return along

    def value(self, features: FloatArray) -> float:
        return float((features - self.mean) @ self.direction)

    @property
    def rep_period_s(self) -> float | None:
        """Time between reps: the period, or half of it when both ends count."""
        if self.period_s is None:
            return None
        return self.period_s / 2 if self.both_ends else self.period_s


@dataclass(frozen=True, slots=True)
class GenericResult(AnalysisResult):
    """The analysis and how it was counted (``counting`` in the JSON).

    ``counting`` holds the signal counted (``pose-1`` .. ``pose-3``: principal
    components of the pose; ``symmetric``; ``alternating``: one side against the
    other), ``per_side`` (True: each side's movement is a rep, sides named on the
    reps and in ``reps_by_side``), and the time between reps ``period_s``.
    """

    counting: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**AnalysisResult.to_json(self), "counting": dict(self.counting)}


@register
class GenericAnalyzer:
    """Counts the repetitions of whatever moves most repetitively (any exercise, any view)."""

    exercise_id: ClassVar[str] = "generic"

    def __init__(self) -> None:
        self.log = AnalysisLog(self.exercise_id)
        self.setup = SetupCheck(required=("shoulders",))
        self.calibration: Calibration | None = None
        self._times = np.zeros(_CAPACITY)
        self._rows = np.zeros((_CAPACITY, N_FEATURES))
        self._stored = 0
        self._first_t: float | None = None
        self._next_tick = -math.inf
        self._analysed_t = -math.inf
        # The rest pose, and whether it was held still (else it is the first pose seen).
        self._rest: FloatArray | None = None
        self._rest_still = False
        self._anchor: FloatArray | None = None
        self._anchor_t = 0.0
        # What the last analysis found.
        self._committed_end = -math.inf
        self._phase = "unknown"
        self._side: str | None = None
        self._held: Rep | None = None
        self._by_side: dict[str, int] = {}
        self._recount: tuple[float, list[RepEvent]] = (-math.inf, [])
        self._final = False

    # -- per frame ------------------------------------------------------------------

    def update(self, frame: LandmarkFrame) -> Feedback:
        """Feed one frame; returns the live feedback (reps so far, phase, side)."""
        self.log.frame(frame)
        t = frame.t_s
        hint, view = self.setup.check(frame)
        features = pose_features(frame)
        before = self.log.reps
        if features is not None:
            self._store(t, features)
            self._note_still(t, features)
            first = self._first_t
            if first is not None and t >= self._next_tick and t - first >= FIRST_S:
                self._next_tick = t + TICK_S
                self._analyse()
        return Feedback(
            exercise=self.exercise_id,
            t_s=t,
            reps=self.log.reps,
            hint=hint,
            side=self._side,
            phase=self._phase,
            view=view,
            pose_detected=frame.landmarks is not None,
            rep_done=self.log.reps > before,
            reps_by_side=dict(self._by_side),
        )

    def _store(self, t: float, features: FloatArray) -> None:
        if self._first_t is None:
            self._first_t, self._rest = t, features
        if self._stored and t - self._times[(self._stored - 1) % _CAPACITY] < STORE_S:
            return
        slot = self._stored % _CAPACITY
        self._times[slot] = t
        self._rows[slot] = features
        self._stored += 1

    def _note_still(self, t: float, features: FloatArray) -> None:
        """Track stillness; a pose held still becomes the rest pose until one is settled.

        A pose held at the far end of the movement is a hold, not rest.
        """
        anchor = self._anchor
        if anchor is None or float(np.abs(features - anchor).max()) > STILL_TOLERANCE:
            self._anchor, self._anchor_t = features, t
            return
        if self._rest_still or t - self._anchor_t < STILL_S:
            return
        calibration = self.calibration
        if calibration is not None and calibration.valid:
            at = calibration.positions(np.array([calibration.value(anchor)]))
            if abs(float(at[0])) >= ENTER:
                return
        self._rest, self._rest_still = anchor, True

    # -- per window -----------------------------------------------------------------

    def _window(self) -> tuple[FloatArray, FloatArray]:
        count = min(self._stored, _CAPACITY)
        order = np.arange(self._stored - count, self._stored) % _CAPACITY
        times, rows = self._times[order], self._rows[order]
        keep = times >= times[-1] - WINDOW_S
        return times[keep], rows[keep]

    def _analyse(self) -> None:
        """Choose and calibrate the signal on the window, then count the reps it shows."""
        times, rows = self._window()
        if len(times) < 8 or times[-1] <= self._analysed_t:
            return
        self._analysed_t = float(times[-1])
        samples = despike(uniform(times, rows, RATE))
        grid = times[0] + np.arange(len(samples)) / RATE
        mean = samples.mean(axis=0)
        centred = samples - mean
        self._check_rest(centred, mean)
        calibration = self._choose(centred, mean)
        if calibration is None:
            return
        self.calibration = calibration
        if not calibration.valid:
            self._phase, self._side, self._held = "unknown", None, None
            return
        period = calibration.rep_period_s
        width = 1 if period is None else max(1, round(period * RATE / 10))
        signal = smooth(centred @ calibration.direction, width)
        u = calibration.positions(signal)
        self._count(grid, u, samples, calibration)

    def _check_rest(self, centred: FloatArray, mean: FloatArray) -> None:
        """Forget a rest pose that no recent pose comes near (the person moved elsewhere)."""
        if self._rest is None:
            return
        nearest = float(np.abs(centred - (self._rest - mean)).max(axis=1).min())
        if nearest > REST_DRIFT:
            self._rest, self._rest_still = centred[0] + mean, False

    def _choose(self, centred: FloatArray, mean: FloatArray) -> Calibration | None:
        """The candidate signal to count: most repetitive for its share of the movement.

        Candidates are found on the features divided by their noise (so jittery
        landmarks do not lead); the previous choice is kept while it is nearly as
        good, and an alternation is counted on a signal at half its period.
        """
        noise = noise_levels(centred)
        found = candidates(centred / noise)
        directions = np.array([c.direction / noise for c in found])
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        signals = directions @ centred.T
        periods = periodicities(signals, RATE)
        scored = [
            _Scored(c.kind, d, float(v), p, q)
            for c, d, v, (p, q) in zip(found, directions, signals.var(axis=1), periods, strict=True)
        ]
        strongest = max(c.energy for c in scored)
        if strongest <= 0:
            return None
        countable = [c for c in scored if c.kind != "alternating"]
        best = max(countable, key=lambda c: c.merit(strongest))
        previous = self.calibration
        if previous is not None and abs(float(best.direction @ previous.base)) < 0.8:
            kept = _score(previous.kind, previous.base, centred)
            if kept.merit(strongest) >= 0.85 * best.merit(strongest):
                best = kept
        counted, halved = best, False
        alternation = next(c for c in scored if c.kind == "alternating")
        even = next(c for c in scored if c.kind == "symmetric")
        top = max(c.merit(strongest) for c in scored)
        ratio = even.period / alternation.period if even.score >= HALF_SCORE else 0.0
        if (
            alternation.score >= MIN_SCORE
            and alternation.merit(strongest) >= 0.7 * top
            and 0.4 <= ratio <= 0.6
            and even.energy >= 0.1 * strongest
        ):
            # One side against the other leads, and both sides alike (the midpoints)
            # repeat at half its period: each side's movement is a rep (march,
            # bird-dog, alternating lunges). A two-sided movement seen at an angle
            # moves its midpoints at the same period as its side difference.
            counted, halved = even, True
        direction = counted.direction
        if previous is not None and float(direction @ previous.direction) < 0:
            direction = -direction
        return self._calibrate(
            counted.kind, direction, best.direction, mean, centred, counted, halved=halved
        )

    def _calibrate(
        self,
        kind: str,
        direction: FloatArray,
        base: FloatArray,
        mean: FloatArray,
        centred: FloatArray,
        scored: _Scored,
        *,
        halved: bool,
    ) -> Calibration:
        period, score = scored.period, scored.score
        signal = centred @ direction
        known = score >= MIN_SCORE and math.isfinite(period)
        low, high = _levels(smooth(signal, 2), round(period * RATE) if known else 0)
        span = high - low
        noise = float(noise_levels(signal[:, None])[0])
        valid = span >= max(MIN_RANGE, NOISE_RATIO * noise)
        rest, both_ends = low, False
        if self._rest is not None and span > 0:
            at = float((self._rest - mean) @ direction)
            share = (at - low) / span
            sided = float(np.linalg.norm(ALTERNATING @ direction)) ** 2
            both_ends = (
                self._rest_still and 0.3 <= share <= 0.7 and sided >= MIN_SIDED and not known
            )
            if both_ends:
                both_ends = _passes_rest(centred - (self._rest - mean), signal, at, low, high)
            if both_ends:
                rest = at
            elif self._rest_still:
                # Rest is where the pose was held: at one end for most exercises, part of
                # the way for circles, whose reps then start and end there.
                rest = min(high, max(low, at))
            else:
                # No pause showed where rest is: the end the recording starts at, where it
                # mostly is and (with hindsight) where it ends vote.
                votes = [share, (float(np.median(signal)) - low) / span]
                if self._final:
                    votes.append((float(signal[-5:].mean()) - low) / span)
                near_low = sum(v < 0.5 for v in votes)
                rest = (
                    low
                    if near_low * 2 > len(votes) or (near_low * 2 == len(votes) and share < 0.5)
                    else high
                )
        return Calibration(
            kind=kind,
            direction=direction,
            base=base,
            mean=mean,
            low=low,
            high=high,
            rest=rest,
            far=high if rest - low < high - rest else low,
            both_ends=both_ends,
            halved=halved,
            per_side=both_ends or halved,
            period_s=period if known else None,
            valid=valid,
        )

    def _count(
        self, grid: FloatArray, u: FloatArray, samples: FloatArray, calibration: Calibration
    ) -> None:
        """Find the window's reps and log (live) those that ended after the last one logged."""
        swings, phase, open_from = find_swings(u, both_ends=calibration.both_ends)
        reps = self._filtered(grid, u, samples, calibration, swings)
        self._recount = (float(grid[0]), reps)
        gap = _gap(calibration)
        for rep in reps:
            if rep.end_s - self._committed_end < gap:
                continue
            self._committed_end = rep.end_s
            self.log.rep(rep.start_s, rep.end_s, side=rep.side, quality=rep.quality)
            if rep.side is not None:
                self._by_side[rep.side] = self._by_side.get(rep.side, 0) + 1
        self._phase, self._side, self._held = phase, None, None
        if open_from is not None:
            peak = open_from + int(np.argmax(np.abs(u[open_from:])))
            if calibration.per_side:
                self._side = self._side_of(samples[peak])
            far = np.abs(u) >= FAR
            held_from = len(u) - int(np.argmin(far[::-1])) if not far.all() else 0
            if far[-1] and grid[-1] - grid[held_from] >= HELD_END_S:
                self._held = Rep(float(grid[open_from]), float(grid[-1]), float(u[peak]))

    def _filtered(
        self,
        grid: FloatArray,
        u: FloatArray,
        samples: FloatArray,
        calibration: Calibration,
        swings: list[tuple[int, int, int]],
    ) -> list[RepEvent]:
        """The swings long enough and far enough apart to be reps, as rep events."""
        period = calibration.rep_period_s
        shortest = MIN_REP_S if period is None else max(MIN_REP_S, 0.25 * period)
        gap = _gap(calibration)
        reps: list[RepEvent] = []
        last = -math.inf
        for start, end, peak in swings:
            start_s, end_s = float(grid[start]), float(grid[end])
            if end_s - start_s < shortest or end_s - last < gap:
                continue
            last = end_s
            side = self._side_of(samples[peak]) if calibration.per_side else None
            quality = min(1.0, abs(float(u[peak])))
            reps.append(RepEvent(len(reps) + 1, start_s, end_s, side=side, quality=quality))
        return reps

    def _side_of(self, pose: FloatArray) -> str | None:
        """The side whose landmarks moved more from rest, if one clearly did."""
        if self._rest is None:
            return None
        moved = pose - self._rest
        left = float(np.linalg.norm(moved[LEFT]))
        right = float(np.linalg.norm(moved[RIGHT]))
        if left > 1.2 * right:
            return "left"
        if right > 1.2 * left:
            return "right"
        return None

    # -- result ---------------------------------------------------------------------

    def result(self) -> GenericResult:
        """Everything counted so far, recounted over the last window with hindsight.

        Reps that ended before the last window are the ones logged live; those in
        it are counted again with the signal and levels chosen on the whole window
        (frames since the last analysis included), so the first reps of a short
        recording are judged on all of it.
        """
        if self._stored:
            self._analysed_t, self._final = -math.inf, True
            self._analyse()
            self._final = False
        window_start, recent = self._recount
        cut = recent[0].start_s if recent else math.inf
        # Live reps before the window, and one it cuts through (never counted again in it).
        earlier = [
            e
            for e in self.log.rep_events
            if e.end_s < window_start or (e.start_s < window_start and e.end_s < cut)
        ]
        events = [*earlier, *(replace(e, index=len(earlier) + i + 1) for i, e in enumerate(recent))]
        held = self._held
        unfinished = held if held is not None and self._rest_still else None
        base = self.log.result(unfinished=unfinished)
        calibration = self.calibration
        counting: dict[str, Any] = {"signal": None, "per_side": False, "period_s": None}
        if calibration is not None:
            by_side: dict[str, int] = {}
            for event in events:
                if event.side is not None:
                    by_side[event.side] = by_side.get(event.side, 0) + 1
            period = calibration.rep_period_s
            counting = {
                "signal": calibration.kind,
                "per_side": calibration.per_side,
                "period_s": None if period is None else round(period, 3),
                "reps_by_side": by_side,
            }
        fields = {name: getattr(base, name) for name in AnalysisResult.__dataclass_fields__}
        fields.update(reps=len(events), rep_events=tuple(events))
        return GenericResult(**fields, counting=counting)


def find_swings(
    u: FloatArray, *, both_ends: bool
) -> tuple[list[tuple[int, int, int]], str, int | None]:
    """Trips from rest and back in ``u`` (see ``Calibration.positions``), with hysteresis.

    Returns ``(start, end, peak)`` sample indices of each completed trip (start:
    the last sample at rest before it, end: the first back at rest; a trip that
    goes straight on to the other end counts too when ``both_ends``), the phase at
    the end (``"rest"``, ``"active"`` or ``"unknown"``) and where a trip still
    open at the end started. A trip already under way when the window starts is
    never counted.
    """
    size = np.abs(u) if both_ends else u
    level = np.full(len(u), np.nan)
    level[size <= EXIT] = 0.0
    level[u >= ENTER] = 1.0
    if both_ends:
        level[u <= -ENTER] = -1.0
    known = np.flatnonzero(~np.isnan(level))
    if len(known) == 0:
        return [], "unknown", None
    values = level[known]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(values) != 0) + 1))
    runs = [
        (float(values[a]), int(known[a]), int(known[b - 1]))
        for a, b in zip(starts, [*starts[1:], len(values)], strict=True)
    ]
    swings: list[tuple[int, int, int]] = []
    previous: tuple[float, int, int] | None = None
    for index, run in enumerate(runs):
        if run[0] != 0.0 and previous is not None and index + 1 < len(runs):
            after = runs[index + 1]
            start = previous[2] if previous[0] == 0.0 else previous[2] + 1
            end = after[1]
            if after[0] == 0.0 or both_ends:
                peak = start + int(np.argmax(np.abs(u[start : end + 1])))
                swings.append((start, end, peak))
        previous = run
    value, first, _ = runs[-1]
    if value == 0.0:
        return swings, "rest", None
    opened = runs[-2][2] if len(runs) > 1 else None
    return swings, "active", opened if first > 0 else None


def _passes_rest(
    offsets: FloatArray, signal: FloatArray, rest: float, low: float, high: float
) -> bool:
    """Whether the pose really is back at rest between the trips to either end.

    ``offsets`` are the poses minus the rest pose. A signal that crosses its rest
    level half-way through one movement (a squat seen at an odd angle) passes
    through poses far from rest there; an alternation passes through rest itself.
    """
    distance = np.linalg.norm(offsets, axis=1)
    near = np.abs(signal - rest) <= EXIT * (high - low) / 2
    far = (signal >= rest + ENTER * (high - rest)) | (signal <= rest - ENTER * (rest - low))
    if not near.any() or not far.any():
        return False
    return float(np.percentile(distance[near], 90)) <= 0.35 * float(np.median(distance[far]))


def _gap(calibration: Calibration) -> float:
    """Least time between the ends of two reps: half the time between reps."""
    period = calibration.rep_period_s
    return MIN_REP_S if period is None else max(MIN_REP_S, 0.5 * period)


def _levels(signal: FloatArray, cycle: int) -> tuple[float, float]:
    """The low and high levels the signal swings between.

    With a known cycle (in samples) and at least ``MIN_CYCLES`` of them, the
    median of each moving cycle's lowest and highest values, so a glitch or one
    deeper rep does not stretch the range; otherwise the 3rd and 97th percentiles.
    """
    if cycle >= 2 and len(signal) >= MIN_CYCLES * cycle:
        chunks = signal[: len(signal) // cycle * cycle].reshape(-1, cycle)
        lows, highs = chunks.min(axis=1), chunks.max(axis=1)
        spans = highs - lows
        moving = spans >= 0.3 * spans.max()
        return float(np.median(lows[moving])), float(np.median(highs[moving]))
    low, high = np.percentile(signal, [3, 97])
    return float(low), float(high)


@dataclass(frozen=True, slots=True)
class _Scored:
    """A candidate signal with its variance, period and repetitiveness on the window."""

    kind: str
    direction: FloatArray
    energy: float
    period: float
    score: float

    def merit(self, strongest: float) -> float:
        """Repetitiveness weighted by the candidate's share of the movement."""
        share = self.energy / strongest
        return 0.0 if share < MIN_SHARE else math.sqrt(share) * (BASE_MERIT + max(0.0, self.score))


def _score(kind: str, direction: FloatArray, centred: FloatArray) -> _Scored:
    signal = centred @ direction
    period, score = periodicity(signal, RATE)
    return _Scored(kind, direction, float(signal.var()), period, score)
