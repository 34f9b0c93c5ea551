"""Landmarks of the shared real clips through the real pose model, worked out once per test run.

Several test modules look at the same clips (counts, sides, faults, the
WebSocket path, reference counting); the pose model is the slow part, so each
video goes through it once and every module reads the stored frames. The
frames are frozen; each caller gets a list of its own.
"""

from __future__ import annotations

import threading
from pathlib import Path

from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.pipeline import pose_frames
from backcoach.vision.sources import VideoFile

_frames: dict[Path, tuple[LandmarkFrame, ...]] = {}
_lock = threading.Lock()


def video_landmarks(path: Path) -> list[LandmarkFrame]:
    """The landmarks of every frame of the video at ``path``, as the pose model sees them."""
    key = path.resolve()
    with _lock:
        if key not in _frames:
            _frames[key] = tuple(frame for _, frame in pose_frames(VideoFile(key)))
        return list(_frames[key])
