"""The exercise-agnostic counter on every shared real clip with a labelled count.

Labels come from ``tests/support/clip_labels.toml``. Videos go through the real
MediaPipe pose model once per test session (cached landmarks); Keraal's clips
are BlazePose landmarks already. Parameters are the counter's defaults, the
same for every clip.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from backcoach.vision.generic import GenericAnalyzer, GenericResult
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark, frame_from_points
from tests.support.clip_labels import ClipLabel, clips
from tests.support.clip_landmarks import video_landmarks
from tests.support.hard_synthetic import normalised

pytestmark = pytest.mark.vision

#: Keraal's files have no timestamps; its videos are 30 frames per second.
KERAAL_FPS = 30.0
COUNTED = clips(counted=True)

Landmarks = Callable[[ClipLabel], list[LandmarkFrame]]


def keraal_frames(path: Path) -> list[LandmarkFrame]:
    """A Keraal BlazePose JSON file (``{"positions": {frame: {Joint_name: [x, y, z]}}}``)."""
    positions = json.loads(path.read_text(encoding="utf-8"))["positions"]
    frames = []
    for key in sorted(positions, key=float):
        joints = positions[key]
        points = [joints[mark.name.capitalize()] for mark in PoseLandmark]
        frames.append(frame_from_points((float(key) - 1) / KERAAL_FPS, points))
    return frames


@pytest.fixture(scope="session")
def clip_frames(shared_data: Path) -> Landmarks:
    """Landmarks of a labelled clip, computed once per session."""
    cache: dict[str, list[LandmarkFrame]] = {}

    def frames(clip: ClipLabel) -> list[LandmarkFrame]:
        if clip.name not in cache:
            path = clip.file(shared_data)
            if clip.is_video:
                cache[clip.name] = video_landmarks(path)
            else:
                cache[clip.name] = keraal_frames(path)
        return cache[clip.name]

    return frames


def count(frames: list[LandmarkFrame]) -> GenericResult:
    analyzer = GenericAnalyzer()
    for frame in frames:
        analyzer.update(frame)
    return analyzer.result()


def test_there_are_labelled_clips_of_several_exercises() -> None:
    assert len(COUNTED) >= 10
    assert len({clip.exercise for clip in COUNTED}) >= 5


@pytest.mark.parametrize("clip", COUNTED, ids=[clip.name for clip in COUNTED])
def test_every_labelled_clip_counts_within_one(clip: ClipLabel, clip_frames: Landmarks) -> None:
    assert clip.reps is not None
    result = count(clip_frames(clip))
    assert abs(result.reps - clip.reps) <= 1, (clip.name, result.reps, clip.reps)
    if clip.reps == 0:
        assert result.reps == 0


@pytest.mark.parametrize("clip", COUNTED, ids=[clip.name for clip in COUNTED])
def test_per_frame_normalised_landmarks_count_the_same(
    clip: ClipLabel, clip_frames: Landmarks
) -> None:
    frames = clip_frames(clip)
    assert count(normalised(frames)).reps == count(frames).reps
