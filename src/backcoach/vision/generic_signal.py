"""Signal side of the exercise-agnostic counter: pose features, candidate signals, periods.

Pure NumPy, no state; ``vision/generic.py`` calls these on its recent window.

- :func:`pose_features`: the x and y of 13 body landmarks, min-max normalised
  per frame and per axis over those 13 points. The result does not change when
  the landmarks are translated, scaled or stretched per axis (it is the same
  for raw BlazePose output and for landmarks already min-max normalised per
  frame), so no true joint angle or length is ever needed.
- :func:`candidates`: directions in feature space whose projections are the
  candidate movement signals: the first principal components of the whole pose,
  of its left/right-symmetric part (midpoints of each landmark pair) and of its
  antisymmetric part (half-differences: one side against the other, which is
  where alternating exercises move).
- :func:`periodicity`: the period of a signal from its normalised
  autocorrelation: the earliest peak nearly as high as the highest one, so a
  multiple of the period is never taken for it; the peak height (0..1) says how
  repetitive the signal is. Over a window of a few cycles a slow change of
  tempo only widens the peak, so the estimate follows tempo drift.
- :func:`uniform`: frames at irregular times (dropped frames) resampled to a
  fixed rate, as the autocorrelation needs.

Example:
    >>> t = np.arange(0, 12, 1 / 15)
    >>> period, score = periodicity(np.sin(2 * np.pi * t / 2.0), 15.0)
    >>> round(period, 1), bool(score > 0.9)
    (2.0, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain
from typing import Final

import numpy as np
import numpy.typing as npt

from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark

FloatArray = npt.NDArray[np.float64]

_P = PoseLandmark

#: The landmarks whose positions make the features (x of all, then y of all).
BODY: Final = (
    _P.NOSE,
    _P.LEFT_SHOULDER,
    _P.RIGHT_SHOULDER,
    _P.LEFT_ELBOW,
    _P.RIGHT_ELBOW,
    _P.LEFT_WRIST,
    _P.RIGHT_WRIST,
    _P.LEFT_HIP,
    _P.RIGHT_HIP,
    _P.LEFT_KNEE,
    _P.RIGHT_KNEE,
    _P.LEFT_ANKLE,
    _P.RIGHT_ANKLE,
)
N_POINTS: Final = len(BODY)
_BODY_INDEX: Final = np.array([int(mark) for mark in BODY])
N_FEATURES: Final = 2 * N_POINTS
FEATURE_NAMES: Final = tuple(f"{mark.name.lower()}.{axis}" for axis in "xy" for mark in BODY)


def _mirror(mark: PoseLandmark) -> PoseLandmark:
    name = mark.name
    for this, other in (("LEFT_", "RIGHT_"), ("RIGHT_", "LEFT_")):
        if name.startswith(this):
            return PoseLandmark[other + name[len(this) :]]
    return mark


_POINT_MIRROR = [BODY.index(_mirror(mark)) for mark in BODY]
#: Feature index of the same coordinate of the other side's landmark.
MIRROR: Final = np.array(_POINT_MIRROR + [N_POINTS + i for i in _POINT_MIRROR])
#: Features of the person's left and right landmarks.
LEFT: Final = np.array([mark.name.startswith("LEFT_") for mark in BODY] * 2)
RIGHT: Final = np.array([mark.name.startswith("RIGHT_") for mark in BODY] * 2)
_SWAP = np.eye(N_FEATURES)[MIRROR]
#: Projections on the left/right-symmetric and antisymmetric parts of the features.
SYMMETRIC: Final = (np.eye(N_FEATURES) + _SWAP) / 2
ALTERNATING: Final = (np.eye(N_FEATURES) - _SWAP) / 2
#: Smallest extent (normalised units) of an axis for the frame to be used.
MIN_EXTENT = 1e-6


def pose_features(frame: LandmarkFrame) -> FloatArray | None:
    """The frame's 26 features (None without a pose or with all points on one line)."""
    marks = frame.landmarks
    if marks is None:
        return None
    flat = np.fromiter(chain.from_iterable(marks), np.float64, 4 * len(marks))
    xy = flat.reshape(-1, 4)[_BODY_INDEX, :2].T
    low = xy.min(axis=1, keepdims=True)
    extent = xy.max(axis=1, keepdims=True) - low
    if extent.min() < MIN_EXTENT:
        return None
    features: FloatArray = ((xy - low) / extent).reshape(-1)
    return features


def uniform(times: FloatArray, values: FloatArray, rate: float) -> FloatArray:
    """Rows of ``values`` (at increasing ``times``) linearly resampled at ``rate`` per second."""
    grid = np.arange(times[0], times[-1] + 0.5 / rate, 1.0 / rate)
    right = np.clip(np.searchsorted(times, grid, side="right"), 1, len(times) - 1)
    left = right - 1
    span = times[right] - times[left]
    weight = np.clip((grid - times[left]) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    resampled: FloatArray = values[left] + weight[:, None] * (values[right] - values[left])
    return resampled


def periodicity(
    signal: FloatArray, rate: float, min_s: float = 0.4, max_s: float = 12.0
) -> tuple[float, float]:
    """Period in seconds and repetitiveness (0..1) of ``signal`` sampled at ``rate``.

    Returns ``(nan, 0.0)`` when no lag from ``min_s`` to ``max_s`` (and at most
    two thirds of the signal) correlates positively.
    """
    return periodicities(signal[None, :], rate, min_s, max_s)[0]


def periodicities(
    signals: FloatArray, rate: float, min_s: float = 0.4, max_s: float = 12.0
) -> list[tuple[float, float]]:
    """:func:`periodicity` of each row of ``signals`` (one batch of FFTs)."""
    n = signals.shape[1]
    lo, hi = max(2, round(min_s * rate)), min(round(max_s * rate), (2 * n) // 3)
    if hi <= lo + 2:
        return [(math.nan, 0.0)] * len(signals)
    x = signals - signals.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(x, size, axis=1)
    raw = np.fft.irfft(spectrum * spectrum.conj(), size, axis=1)[:, :n]
    energy = np.cumsum(x * x, axis=1)
    head = energy[:, ::-1]  # samples 0 .. n-1-lag
    tail = energy[:, -1:] - np.concatenate((np.zeros((len(x), 1)), energy[:, :-1]), axis=1)
    r = raw / np.sqrt(np.maximum(head * tail, 1e-18))
    # Peaks are looked for in the plain (biased) autocorrelation, which fades with the lag,
    # so a multiple of the period (or the gap between sets) never outranks the period.
    biased = raw / np.maximum(raw[:, :1], 1e-18)
    window = biased[:, lo - 1 : hi + 2]
    inner = window[:, 1:-1]
    is_peak = (inner > window[:, :-2]) & (inner >= window[:, 2:]) & (r[:, lo : hi + 1] > 0.1)
    found: list[tuple[float, float]] = []
    for row in range(len(x)):
        peaks = np.flatnonzero(is_peak[row])
        if len(peaks) == 0:
            found.append((math.nan, 0.0))
            continue
        heights = inner[row, peaks]
        k = lo + int(peaks[np.argmax(heights >= 0.7 * heights.max())])
        a, b, c = (float(v) for v in r[row, k - 1 : k + 2])
        bend = a - 2 * b + c
        shift = 0.5 * (a - c) / bend if bend < 0 else 0.0
        found.append(((k + shift) / rate, min(1.0, b)))
    return found


@dataclass(frozen=True, slots=True)
class Candidate:
    """A unit direction in feature space and what its projection is."""

    kind: str  # "pose-1", "pose-2", "pose-3", "symmetric" or "alternating"
    direction: FloatArray


def _top(covariance: FloatArray, count: int) -> list[FloatArray]:
    _, vectors = np.linalg.eigh(covariance)
    return [vectors[:, -1 - i].copy() for i in range(count)]


def candidates(centred: FloatArray) -> list[Candidate]:
    """Candidate directions for the centred features of a window (rows = samples)."""
    covariance = centred.T @ centred / max(1, len(centred))
    found = [Candidate(f"pose-{i + 1}", v) for i, v in enumerate(_top(covariance, 3))]
    for kind, part in (("symmetric", SYMMETRIC), ("alternating", ALTERNATING)):
        found.append(Candidate(kind, _top(part @ covariance @ part, 1)[0]))
    return found


#: Smallest noise level assumed for a feature (normalised units), so a perfectly
#: clean feature does not outweigh every other.
MIN_NOISE = 0.002


def noise_levels(samples: FloatArray) -> FloatArray:
    """Per-column noise of evenly sampled rows, from the mean absolute second difference.

    Movement slower than the sampling rate barely shows in second differences,
    so this measures the jitter, not the movement (for Gaussian noise the mean
    absolute second difference is ``sqrt(6 * 2 / pi)`` times its deviation).
    """
    if len(samples) < 3:
        return np.full(samples.shape[1], MIN_NOISE)
    second = np.abs(samples[2:] - 2 * samples[1:-1] + samples[:-2]).mean(axis=0)
    levels: FloatArray = np.maximum(second / math.sqrt(12 / math.pi), MIN_NOISE)
    return levels


def smooth(signal: FloatArray, width: int) -> FloatArray:
    """Centred moving average over ``2 * width + 1`` samples (edges repeat the end values)."""
    if width < 1 or len(signal) < 2:
        return signal
    padded = np.concatenate((np.full(width, signal[0]), signal, np.full(width, signal[-1])))
    kernel = np.ones(2 * width + 1) / (2 * width + 1)
    averaged: FloatArray = np.convolve(padded, kernel, mode="valid")
    return averaged


def despike(rows: FloatArray) -> FloatArray:
    """Running median of three rows, so a glitch of one sample vanishes."""
    if len(rows) < 3:
        return rows
    before, here, after = rows[:-2], rows[1:-1], rows[2:]
    middle = np.maximum(np.minimum(before, here), np.minimum(np.maximum(before, here), after))
    despiked: FloatArray = np.concatenate((rows[:1], middle, rows[-1:]))
    return despiked
