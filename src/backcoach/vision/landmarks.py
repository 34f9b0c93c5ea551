"""Landmark types: one BlazePose frame, and its JSON Lines form.

A frame is 33 landmarks in BlazePose order, each ``(x, y, z, visibility)``
with ``x`` and ``y`` normalised to the image (0..1, ``y`` pointing down), or
``None`` when no person was found. The JSON Lines file written by
``backcoach landmarks`` has one object per frame::

    {"t_s": 0.033, "landmarks": [[x, y, z, visibility], ... 33 ...] | null}

An optional ``"aspect"`` (image width / height) lets geometry undo the
stretch of normalised coordinates on non-square video; it defaults to 1.

Parsing refuses what no camera gives, so later arithmetic cannot overflow:
non-numbers, NaN and infinities, coordinates beyond ``MAX_COORDINATE``,
visibility outside 0..1, and times beyond ``MAX_T_S``.

Example:
    >>> frame = LandmarkFrame(t_s=0.0, landmarks=None)
    >>> frame_from_json(frame_to_json(frame)) == frame
    True
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, NamedTuple

from backcoach.errors import BackcoachError

NUM_LANDMARKS = 33


class PoseLandmark(IntEnum):
    """BlazePose landmark indices ("left" is the person's left)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


#: Skeleton edges for drawing (pairs of landmark indices).
POSE_CONNECTIONS: tuple[tuple[PoseLandmark, PoseLandmark], ...] = (
    (PoseLandmark.LEFT_SHOULDER, PoseLandmark.RIGHT_SHOULDER),
    (PoseLandmark.LEFT_SHOULDER, PoseLandmark.LEFT_ELBOW),
    (PoseLandmark.LEFT_ELBOW, PoseLandmark.LEFT_WRIST),
    (PoseLandmark.RIGHT_SHOULDER, PoseLandmark.RIGHT_ELBOW),
    (PoseLandmark.RIGHT_ELBOW, PoseLandmark.RIGHT_WRIST),
    (PoseLandmark.LEFT_SHOULDER, PoseLandmark.LEFT_HIP),
    (PoseLandmark.RIGHT_SHOULDER, PoseLandmark.RIGHT_HIP),
    (PoseLandmark.LEFT_HIP, PoseLandmark.RIGHT_HIP),
    (PoseLandmark.LEFT_HIP, PoseLandmark.LEFT_KNEE),
    (PoseLandmark.LEFT_KNEE, PoseLandmark.LEFT_ANKLE),
    (PoseLandmark.LEFT_ANKLE, PoseLandmark.LEFT_HEEL),
    (PoseLandmark.LEFT_HEEL, PoseLandmark.LEFT_FOOT_INDEX),
    (PoseLandmark.LEFT_ANKLE, PoseLandmark.LEFT_FOOT_INDEX),
    (PoseLandmark.RIGHT_HIP, PoseLandmark.RIGHT_KNEE),
    (PoseLandmark.RIGHT_KNEE, PoseLandmark.RIGHT_ANKLE),
    (PoseLandmark.RIGHT_ANKLE, PoseLandmark.RIGHT_HEEL),
    (PoseLandmark.RIGHT_HEEL, PoseLandmark.RIGHT_FOOT_INDEX),
    (PoseLandmark.RIGHT_ANKLE, PoseLandmark.RIGHT_FOOT_INDEX),
    (PoseLandmark.NOSE, PoseLandmark.LEFT_EYE),
    (PoseLandmark.NOSE, PoseLandmark.RIGHT_EYE),
    (PoseLandmark.LEFT_EYE, PoseLandmark.LEFT_EAR),
    (PoseLandmark.RIGHT_EYE, PoseLandmark.RIGHT_EAR),
)


class Landmark(NamedTuple):
    """One landmark: normalised image position, relative depth, visibility (0..1)."""

    x: float
    y: float
    z: float
    visibility: float


@dataclass(frozen=True, slots=True)
class LandmarkFrame:
    """The pose seen at time ``t_s`` (seconds); ``landmarks`` is None when nobody is seen.

    ``aspect`` is the image's width / height (1.0 when unknown).
    """

    t_s: float
    landmarks: tuple[Landmark, ...] | None
    aspect: float = 1.0

    @property
    def has_pose(self) -> bool:
        return self.landmarks is not None


class LandmarkFormatError(BackcoachError):
    """A landmark record or file is malformed; the message says where and why."""


#: Largest ``|x|``, ``|y|``, ``|z|`` accepted. Normalised coordinates are about 0..1 (a
#: little outside for joints out of the picture); a value this far out is not a landmark.
MAX_COORDINATE = 100.0
#: Largest ``|t_s|`` accepted, seconds (about 115 days of camera time).
MAX_T_S = 10_000_000.0
#: Largest image width / height (and smallest height / width) accepted.
MAX_ASPECT = 1_000.0


def _shown(value: Any) -> str:
    """A short, safe rendering of a bad value for a message (never thousands of characters)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return "a number too large to use"
    return reprlib.repr(value)


def _number(value: Any, what: str, low: float, high: float) -> float:
    """``value`` as a float when it is a number from ``low`` to ``high``.

    NaN, infinities and huge integers (``10**400`` does not fit in a float) fail the range
    check, which compares exactly and so never overflows.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, got {_shown(value)}")
    if not low <= value <= high:
        raise ValueError(
            f"{what} must be a number from {low:.10g} to {high:.10g}, got {_shown(value)}"
        )
    return float(value)


def _coordinate(value: Any, what: str) -> float:
    return _number(value, what, -MAX_COORDINATE, MAX_COORDINATE)


def parse_landmarks(raw: Any) -> tuple[Landmark, ...] | None:
    """Check and convert ``[[x, y, z, visibility] x 33]`` (or None).

    Raises:
        ValueError: with a plain message when the shape or a value is wrong.
    """
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != NUM_LANDMARKS:
        size = len(raw) if isinstance(raw, list) else type(raw).__name__
        raise ValueError(
            f"'landmarks' must be a list of {NUM_LANDMARKS} points or null, got {size}"
        )
    points = []
    for index, item in enumerate(raw):
        if not isinstance(item, list | tuple) or len(item) != 4:
            raise ValueError(f"landmark {index} must be [x, y, z, visibility], got {_shown(item)}")
        x, y, z = (_coordinate(value, f"landmark {index}") for value in item[:3])
        v = _number(item[3], f"landmark {index} visibility", 0.0, 1.0)
        points.append(Landmark(x, y, z, v))
    return tuple(points)


def frame_from_json(obj: Any) -> LandmarkFrame:
    """Build a frame from its JSON object (``{t_s, landmarks[, aspect]}``).

    Raises:
        ValueError: when the object is not a valid frame record.
    """
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    if "t_s" not in obj or "landmarks" not in obj:
        raise ValueError("a frame needs the keys 't_s' and 'landmarks'")
    t_s = _number(obj["t_s"], "'t_s'", -MAX_T_S, MAX_T_S)
    aspect = _number(obj.get("aspect", 1.0), "'aspect'", -MAX_ASPECT, MAX_ASPECT)
    if aspect < 1 / MAX_ASPECT:
        raise ValueError(f"'aspect' must be positive (width / height), got {aspect:g}")
    return LandmarkFrame(t_s=t_s, landmarks=parse_landmarks(obj["landmarks"]), aspect=aspect)


def frame_to_json(frame: LandmarkFrame, *, digits: int = 5) -> dict[str, Any]:
    """The JSON object of one frame (``aspect`` only when it is not 1)."""
    landmarks = (
        None
        if frame.landmarks is None
        else [[round(value, digits) for value in point] for point in frame.landmarks]
    )
    obj: dict[str, Any] = {"t_s": round(frame.t_s, 4), "landmarks": landmarks}
    if frame.aspect != 1.0:
        obj["aspect"] = round(frame.aspect, 5)
    return obj


def iter_jsonl_lines(
    lines: Iterable[str], *, source: str = "landmark file"
) -> Iterator[LandmarkFrame]:
    """Parse JSON Lines text; blank lines are skipped.

    Raises:
        LandmarkFormatError: naming the source and line number of the first bad line.
    """
    previous_t = -math.inf
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            frame = frame_from_json(json.loads(line))
        except json.JSONDecodeError as exc:
            raise LandmarkFormatError(
                f"{source}, line {number}: not valid JSON ({exc.msg})"
            ) from exc
        except ValueError as exc:
            raise LandmarkFormatError(f"{source}, line {number}: {exc}") from exc
        except RecursionError:
            raise LandmarkFormatError(
                f"{source}, line {number}: lists nested too deeply to be a frame"
            ) from None
        if frame.t_s < previous_t:
            raise LandmarkFormatError(
                f"{source}, line {number}: t_s {frame.t_s} goes back in time "
                f"(previous line had {previous_t})"
            )
        previous_t = frame.t_s
        yield frame


def read_jsonl(path: Path) -> Iterator[LandmarkFrame]:
    """Read a landmark file written by ``backcoach landmarks`` (lazily, frame by frame).

    Raises:
        LandmarkFormatError: when the file is missing, unreadable or has a bad line.
    """
    if not path.is_file():
        raise LandmarkFormatError(f"landmark file not found: {path}")
    try:
        with path.open(encoding="utf-8") as handle:
            yield from iter_jsonl_lines(handle, source=str(path))
    except UnicodeDecodeError as exc:
        raise LandmarkFormatError(f"{path} is not a text (JSON Lines) file") from exc


def write_jsonl(path: Path, frames: Iterable[LandmarkFrame]) -> int:
    """Write frames as JSON Lines; returns the number of frames written."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for frame in frames:
            handle.write(json.dumps(frame_to_json(frame), separators=(",", ":")))
            handle.write("\n")
            count += 1
    return count


def frame_from_points(
    t_s: float, points: Sequence[Sequence[float]] | None, *, aspect: float = 1.0
) -> LandmarkFrame:
    """Convenience constructor from any 33 x (3 or 4) sequence (visibility defaults to 1)."""
    if points is None:
        return LandmarkFrame(t_s=t_s, landmarks=None, aspect=aspect)
    landmarks = tuple(
        Landmark(float(p[0]), float(p[1]), float(p[2]), float(p[3]) if len(p) > 3 else 1.0)
        for p in points
    )
    if len(landmarks) != NUM_LANDMARKS:
        raise ValueError(f"need {NUM_LANDMARKS} points, got {len(landmarks)}")
    return LandmarkFrame(t_s=t_s, landmarks=landmarks, aspect=aspect)
