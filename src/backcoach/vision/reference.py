"""Count and score repetitions against one demonstration (``backcoach analyze --reference``).

Pure: landmark frames in, results out (no I/O, no clock).

1. **Signals.** Every frame becomes a few candidate signals that do not depend
   on where the person stands, how far from the camera, or which way they face:
   joint angles (elbows, shoulders, hips, knees; each side and the mean of both)
   and the height of the nose, shoulders, elbows, wrists, knees and ankles above
   the hip centre in torso lengths (the recording's median torso). Frames
   without a person are bridged by interpolation; all signals are resampled to
   ``RATE`` per second and lightly smoothed.
2. **Learning** (``learn``). Each candidate is scored on the demonstration by
   its range over its frame-to-frame jitter; the best few (at least half as
   good as the best, one per joint, the mean of both sides unless one side is
   clearly better) make the template, each scaled by its demonstrated range.
   The best one segments the demonstrated reps: excursions from the rest level
   (the end of its range the demonstration starts at) past ``OUT`` of the range
   and back. Of one to three reps, the one of median length is the template.
3. **Counting** (``count``). Subsequence dynamic time warping slides the
   template along the new recording (steps (1,1), (1,2), (2,1): tempo from half
   to twice the demonstration's); matches are taken best first, without
   overlap, when their similarity (1 - mean distance / ``MAX_COST``, 0..1)
   reaches ``MIN_SIMILARITY``, they cover at least ``MIN_AMPLITUDE`` of the
   demonstrated range of every template signal (so a twitch, or another
   movement that shares one signal, is no rep), and they start and end within
   ``END_TOLERANCE`` of where the demonstrated rep does (so a rep cut off by the
   end of the video is none). A template on one side's signals is matched with
   the sides swapped too, so a demonstration to one side counts both sides.

Example:
    >>> template = learn(demo_frames)  # doctest: +SKIP
    >>> count(template, frames).analysis.reps  # doctest: +SKIP
    5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from backcoach.errors import BackcoachError
from backcoach.i18n import _
from backcoach.vision.analyzers.base import AnalysisResult, RepEvent
from backcoach.vision.landmarks import LandmarkFrame

Array = npt.NDArray[np.float64]

#: Exercise id reported for counts against a demonstration.
EXERCISE = "reference"
#: Samples per second after resampling (DTW cost grows with its square).
RATE = 15.0
#: Moving-average window (samples) against landmark jitter.
SMOOTH = 3
#: A demonstrated rep leaves the rest level by this share of the range ...
OUT = 0.6
#: ... and ends when back within this share.
BACK = 0.25
#: Signals kept in the template: at most this many, each scoring at least half the best.
MAX_SIGNALS = 3
#: Mean distance (in demonstrated ranges) at which similarity reaches 0.
MAX_COST = 0.5
MIN_SIMILARITY = 0.5
#: A match must move every template signal through this share of its demonstrated range.
MIN_AMPLITUDE = 0.6
#: A signal that moves less than this in the demonstration (a twentieth of a half turn,
#: or of a torso length) is not part of the movement.
MIN_RANGE = 0.05
#: A one-side signal must score this much better than the mean of both sides to be chosen.
SIDE_PENALTY = 0.9
#: A match starts and ends within this (mean, in demonstrated ranges) of the demonstrated rep.
END_TOLERANCE = 0.35
#: A rep is one side's when the other side's version matches it less by this much.
SIDE_MARGIN = 0.1
#: Two matches may share at most this share of the shorter one (rest frames between reps).
MAX_OVERLAP = 0.25
MIN_VISIBILITY = 0.5

# (name, index triples of the angle's three points) per side; left first.
_ANGLES = {
    "elbow": ((11, 13, 15), (12, 14, 16)),
    "shoulder": ((23, 11, 13), (24, 12, 14)),
    "hip": ((11, 23, 25), (12, 24, 26)),
    "knee": ((23, 25, 27), (24, 26, 28)),
}
_HEIGHTS = {
    "shoulder": (11, 12),
    "elbow": (13, 14),
    "wrist": (15, 16),
    "knee": (25, 26),
    "ankle": (27, 28),
}


class DemonstrationError(BackcoachError):
    """The demonstration cannot be learnt (no movement, no person, no complete rep)."""


@dataclass(frozen=True, slots=True)
class Template:
    """A learnt movement: which signals, their demonstrated ranges, and one rep's curve.

    ``curve`` is ``(samples, signals)`` at ``RATE``, each column scaled so the
    demonstrated range is 0..1; the first signal is the primary one.
    """

    signals: tuple[str, ...]
    low: Array
    span: Array
    curve: Array
    demo_reps: int

    @property
    def duration_s(self) -> float:
        return len(self.curve) / RATE


@dataclass(frozen=True, slots=True)
class ReferenceResult:
    """Reps counted against a template, with each rep's similarity (0..1)."""

    analysis: AnalysisResult
    template: Template

    def to_json(self) -> dict[str, Any]:
        """The ``analyze --json`` shape plus ``similarity`` per rep and a ``reference`` summary."""
        data = self.analysis.to_json()
        for event, rep in zip(data["rep_events"], self.analysis.rep_events, strict=True):
            event["similarity"] = round(rep.quality, 3)
        data["reference"] = {
            "signals": list(self.template.signals),
            "demo_reps": self.template.demo_reps,
            "rep_s": round(self.template.duration_s, 2),
        }
        return data


@dataclass(frozen=True, slots=True)
class _Signals:
    """Candidate signals resampled at ``RATE``: ``values`` is ``(samples, candidates)``."""

    t0: float
    names: tuple[str, ...]
    values: Array
    usable: npt.NDArray[np.bool_]


def _points(frames: Sequence[LandmarkFrame]) -> tuple[Array, Array, Array]:
    """x (aspect-corrected), y and visibility, ``(frames, 33)``, NaN where nobody was seen."""
    shape = (len(frames), 33)
    x, y, v = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape)
    for row, frame in enumerate(frames):
        if frame.landmarks is None:
            continue
        raw = np.asarray(frame.landmarks, dtype=np.float64)
        x[row], y[row], v[row] = raw[:, 0] * frame.aspect, raw[:, 1], raw[:, 3]
    return x, y, v


def _angle(x: Array, y: Array, a: int, b: int, c: int) -> Array:
    ux, uy, wx, wy = x[:, a] - x[:, b], y[:, a] - y[:, b], x[:, c] - x[:, b], y[:, c] - y[:, b]
    norms = np.hypot(ux, uy) * np.hypot(wx, wy)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.clip((ux * wx + uy * wy) / norms, -1.0, 1.0)
    return np.asarray(np.arccos(cosine) / np.pi)


def _mean_sides(left: Array, right: Array) -> Array:
    both = np.stack([left, right])
    counted = np.sum(~np.isnan(both), axis=0)
    total = np.nansum(both, axis=0)
    return np.where(counted > 0, total / np.maximum(counted, 1), np.nan)


def _candidates(frames: Sequence[LandmarkFrame]) -> tuple[tuple[str, ...], Array]:
    """Candidate signals per frame, ``(frames, candidates)``; NaN where unseen."""
    x, y, v = _points(frames)
    hidden = v < MIN_VISIBILITY
    x, y = np.where(hidden, np.nan, x), np.where(hidden, np.nan, y)
    hip_x, hip_y = (x[:, 23] + x[:, 24]) / 2, (y[:, 23] + y[:, 24]) / 2
    shoulder_x, shoulder_y = (x[:, 11] + x[:, 12]) / 2, (y[:, 11] + y[:, 12]) / 2
    torsos = np.hypot(shoulder_x - hip_x, shoulder_y - hip_y)
    torso = float(np.nanmedian(torsos)) if np.any(~np.isnan(torsos)) else 1.0
    names: list[str] = []
    columns: list[Array] = []
    for name, (left, right) in _ANGLES.items():
        sides = _angle(x, y, *left), _angle(x, y, *right)
        names += [f"left {name} angle", f"right {name} angle", f"{name} angle"]
        columns += [sides[0], sides[1], _mean_sides(*sides)]
    height = {name: (hip_y - y[:, i]) / torso for name, i in (("nose", 0),)}
    for name, (left_point, right_point) in _HEIGHTS.items():
        height[name] = _mean_sides(
            (hip_y - y[:, left_point]) / torso, (hip_y - y[:, right_point]) / torso
        )
    for name, values in height.items():
        names.append(f"{name} height")
        columns.append(values)
    return tuple(names), np.stack(columns, axis=1)


def _signals(frames: Sequence[LandmarkFrame]) -> _Signals:
    """Candidates resampled at ``RATE`` over the frames' own times, gaps interpolated."""
    times = np.array([frame.t_s for frame in frames], dtype=np.float64)
    names, raw = _candidates(frames)
    grid = np.arange(times[0], times[-1] + 1e-9, 1.0 / RATE)
    values = np.full((len(grid), len(names)), np.nan)
    usable = np.zeros(len(names), dtype=bool)
    kernel = np.ones(SMOOTH) / SMOOTH
    for column in range(len(names)):
        seen = ~np.isnan(raw[:, column])
        if seen.sum() < max(2, 0.5 * len(frames)):
            continue
        usable[column] = True
        series = np.interp(grid, times[seen], raw[seen, column])
        padded = np.pad(series, SMOOTH // 2, mode="edge")
        values[:, column] = np.convolve(padded, kernel, mode="valid")
    return _Signals(float(times[0]), names, values, usable)


def _demo_reps(primary: Array) -> list[tuple[int, int]]:
    """Complete reps ``(start, end)`` of the scaled primary signal (0..1)."""
    head = primary[: max(1, round(0.5 * RATE))]
    rest = 0.0 if float(np.median(head)) < 0.5 else 1.0
    away = np.abs(primary - rest)
    reps: list[tuple[int, int]] = []
    previous_end = 0
    index = 0
    while index < len(away):
        if away[index] <= OUT:
            index += 1
            continue
        start = index
        while start > previous_end and away[start - 1] > BACK / 2:
            start -= 1
        back = index
        while back < len(away) and away[back] > BACK:
            back += 1
        if back == len(away):
            break  # the demonstration ends before this rep is back at rest
        end = back
        while end + 1 < len(away) and away[end + 1] < away[end] and away[end] > BACK / 2:
            end += 1
        reps.append((max(previous_end, start - 1), end))
        previous_end = end
        index = end + 1
    return reps


def learn(frames: Sequence[LandmarkFrame]) -> Template:
    """The movement template of a demonstration of one to three reps.

    Raises:
        DemonstrationError: no person, no movement, or no complete rep in the demonstration.
    """
    if sum(frame.landmarks is not None for frame in frames) < 2:
        raise DemonstrationError(_("Nobody was seen in the demonstration."))
    signals = _signals(frames)
    if not signals.usable.any():
        raise DemonstrationError(_("The body is too little in view in the demonstration."))
    values = signals.values[:, signals.usable]
    names = [n for n, ok in zip(signals.names, signals.usable, strict=True) if ok]
    low, high = np.percentile(values, 5, axis=0), np.percentile(values, 95, axis=0)
    jitter = np.median(np.abs(np.diff(values, n=2, axis=0)), axis=0) + 1e-4
    one_side = np.array([name.startswith(("left ", "right ")) for name in names])
    score = (high - low) / jitter * np.where(one_side, SIDE_PENALTY, 1.0)
    score[high - low < MIN_RANGE] = 0.0
    best = float(score.max(initial=0.0))
    chosen: list[int] = []
    for i in (int(i) for i in np.argsort(-score, kind="stable")):
        if len(chosen) == MAX_SIGNALS or score[i] <= 0.0 or score[i] < 0.5 * best:
            break
        if all(_both_sides(names[c]) != _both_sides(names[i]) for c in chosen):
            chosen.append(i)
    span = np.maximum(high[chosen] - low[chosen], 1e-6)
    scaled = (values[:, chosen] - low[chosen]) / span
    reps = _demo_reps(scaled[:, 0])[:3] if chosen else []
    if not reps:
        raise DemonstrationError(
            _(
                "No complete repetition was found in the demonstration: show one to three reps "
                "that start and end in the same position."
            )
        )
    by_length = sorted(reps, key=lambda rep: rep[1] - rep[0])
    start, end = by_length[len(by_length) // 2]
    return Template(
        signals=tuple(names[i] for i in chosen),
        low=low[chosen],
        span=span,
        curve=scaled[start : end + 1],
        demo_reps=len(reps),
    )


def _both_sides(name: str) -> str:
    """The name of the mean-of-both-sides signal of a one-side signal (else the name)."""
    return name.removeprefix("left ").removeprefix("right ")


def _subsequence_dtw(template: Array, series: Array) -> tuple[Array, npt.NDArray[np.int64]]:
    """For each end sample of ``series``: the mean distance of the best match ending there
    and where that match starts. Steps (1,1), (1,2), (2,1); the start is free."""
    rows, columns = len(template), len(series)
    cost = np.zeros((rows, columns))
    for signal in range(template.shape[1]):  # one signal at a time: (rows, columns) memory
        cost += np.abs(template[:, None, signal] - series[None, :, signal])
    cost /= template.shape[1]
    inf = np.inf
    total = np.full((3, rows), inf)  # columns j, j-1, j-2 (rolling)
    length = np.ones((3, rows))
    start = np.zeros((3, rows), dtype=np.int64)
    end_cost = np.full(columns, inf)
    end_start = np.zeros(columns, dtype=np.int64)
    for j in range(columns):
        total[2], length[2], start[2] = total[1], length[1], start[1]
        total[1], length[1], start[1] = total[0], length[0], start[0]
        here = cost[:, j]
        options_total = np.full((3, rows - 1), inf)
        options_length = np.ones((3, rows - 1))
        options_start = np.zeros((3, rows - 1), dtype=np.int64)
        options_total[0] = total[1, :-1] + here[1:]
        options_length[0] = length[1, :-1] + 1
        options_start[0] = start[1, :-1]
        if j >= 2:
            options_total[1] = total[2, :-1] + cost[1:, j - 1] + here[1:]
            options_length[1] = length[2, :-1] + 2
            options_start[1] = start[2, :-1]
        options_total[2, 1:] = total[1, :-2] + here[1:-1] + here[2:]
        options_length[2, 1:] = length[1, :-2] + 2
        options_start[2, 1:] = start[1, :-2]
        best = np.argmin(options_total / options_length, axis=0)
        pick = np.arange(rows - 1)
        total[0, 0], length[0, 0], start[0, 0] = here[0], 1.0, j
        total[0, 1:] = options_total[best, pick]
        length[0, 1:] = options_length[best, pick]
        start[0, 1:] = options_start[best, pick]
        end_cost[j] = total[0, -1] / length[0, -1]
        end_start[j] = start[0, -1]
    return end_cost, end_start


def count(template: Template, frames: Sequence[LandmarkFrame]) -> ReferenceResult:
    """Reps in ``frames`` that match the template, each with its similarity.

    A template on one side's signals (a bird-dog reaching with the right arm) is
    also matched with the sides swapped, so reps to either side count; a rep gets
    the side whose version matches it clearly better (by ``SIDE_MARGIN``), else
    none (a two-sided move).
    """
    detected = sum(frame.landmarks is not None for frame in frames)
    times = [frame.t_s for frame in frames]
    span_s = times[-1] - times[0] if len(times) > 1 else 0.0
    reps: list[RepEvent] = []
    if detected >= 2 and len(template.curve) >= 2:
        signals = _signals(frames)
        variants = [
            (side, values)
            for side, names in _sides(template.signals)
            if not np.isnan(values := _columns(signals, names)).any()
        ]
        reps = _matches(template, variants, signals.t0)
    analysis = AnalysisResult(
        exercise=EXERCISE,
        frames=len(frames),
        fps=(len(frames) - 1) / span_s if span_s > 0 else 0.0,
        duration_s=span_s,
        pose_detected_ratio=detected / len(frames) if frames else 0.0,
        reps=len(reps),
        rep_events=tuple(reps),
    )
    return ReferenceResult(analysis, template)


def _sides(names: tuple[str, ...]) -> list[tuple[str | None, tuple[str, ...]]]:
    """The template's signal names with their side, and swapped when a signal has a side."""
    sided = [name.split(" ", 1)[0] for name in names if name.startswith(("left ", "right "))]
    if not sided:
        return [(None, names)]
    swap = {"left": "right", "right": "left"}

    def swapped(name: str) -> str:
        side, _, rest = name.partition(" ")
        return f"{swap[side]} {rest}" if side in swap else name

    return [(sided[0], names), (swap[sided[0]], tuple(swapped(name) for name in names))]


def _columns(signals: _Signals, names: tuple[str, ...]) -> Array:
    """The named signals; where the camera does not see a side, the mean of both sides."""
    index = {name: i for i, name in enumerate(signals.names)}
    columns = [
        index[name] if signals.usable[index[name]] else index[_both_sides(name)] for name in names
    ]
    return signals.values[:, columns]


def _matches(
    template: Template, variants: list[tuple[str | None, Array]], t0: float
) -> list[RepEvent]:
    """Non-overlapping matches of any variant, best first, then numbered in time order.

    Signals are compared in demonstrated ranges, so a rep that moves less than the
    demonstration scores lower.
    """
    found: list[tuple[float, int, int, str | None]] = []
    for side, values in variants:
        if len(values) < len(template.curve) // 2:
            continue
        series = (values - template.low) / template.span
        end_cost, end_start = _subsequence_dtw(template.curve, series)
        for end in np.flatnonzero(1.0 - end_cost / MAX_COST >= MIN_SIMILARITY):
            first, last = int(end_start[end]), int(end)
            part = series[first : last + 1]
            if np.any(part.max(axis=0) - part.min(axis=0) < MIN_AMPLITUDE):
                continue
            ends = np.abs(part[[0, -1]] - template.curve[[0, -1]]).mean(axis=1)
            if np.any(ends > END_TOLERANCE):  # starts and ends where the demonstrated rep does
                continue
            found.append((1.0 - float(end_cost[end]) / MAX_COST, first, last, side))
    found.sort(key=lambda match: -match[0])
    taken: list[tuple[int, int, float, str | None]] = []
    for similarity, first, last, side in found:
        if any(_overlap((first, last), (a, b)) > MAX_OVERLAP for a, b, _, _ in taken):
            continue
        both = any(
            other != side
            and score > similarity - SIDE_MARGIN
            and _overlap((first, last), (a, b)) > MAX_OVERLAP
            for score, a, b, other in found
        )
        taken.append((first, last, similarity, None if both else side))
    taken.sort()
    return [
        RepEvent(
            index=number,
            start_s=t0 + first / RATE,
            end_s=t0 + last / RATE,
            side=side,
            quality=max(0.0, min(1.0, similarity)),
        )
        for number, (first, last, similarity, side) in enumerate(taken, start=1)
    ]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0]) + 1
    shorter = min(a[1] - a[0], b[1] - b[0]) + 1
    return max(0, shared) / shorter
