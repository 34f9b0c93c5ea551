"""The seed's floor exercises on every shared real clip, through the real pose model.

Each clip of glute bridge, bird-dog, superman, pike-to-arch and high-knee
march labelled in ``tests/support/clip_labels.toml`` runs through MediaPipe
once per test session; the analyzers then run on the cached landmarks the way
``backcoach analyze`` runs them (``run_analyzer``, defaults, the same
parameters for every clip). Each clip must get its labelled count, never be
further from the label than the generic counter, name sides only where the
exercise has them, and keep its count at a lower frame rate and filmed from
the other side (the landmarks mirrored).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.analyzers.base import AnalysisResult
from backcoach.vision.landmarks import Landmark, LandmarkFrame, PoseLandmark
from backcoach.vision.pipeline import run_analyzer
from tests.support.clip_labels import ClipLabel, clips
from tests.support.clip_landmarks import video_landmarks

pytest.importorskip("mediapipe")

pytestmark = pytest.mark.vision

#: The seed's floor exercises (and the march) whose analyzers this file checks.
SEED_EXERCISES = ("glute-bridge", "bird-dog", "superman", "pike-to-arch", "high-knee-march")
#: Exercises whose reps name a side (the arm that reached, the knee that lifted).
PER_SIDE = {"bird-dog", "high-knee-march"}

SEED_CLIPS = tuple(
    clip for name in SEED_EXERCISES for clip in clips(exercise=name, counted=True) if clip.is_video
)
CLIP_IDS = [clip.name for clip in SEED_CLIPS]


@pytest.fixture(scope="session")
def seed_landmarks(shared_data: Path) -> dict[str, list[LandmarkFrame]]:
    """Landmarks of every seed clip, by clip name (the pose model runs once per clip)."""
    return {clip.name: video_landmarks(clip.file(shared_data)) for clip in SEED_CLIPS}


def analyse(frames: list[LandmarkFrame], exercise: str) -> AnalysisResult:
    return run_analyzer(frames, get_analyzer(exercise))


def _mirror_index() -> list[int]:
    def other(mark: PoseLandmark) -> PoseLandmark:
        name = mark.name
        for a, b in (("LEFT", "RIGHT"), ("RIGHT", "LEFT")):
            if name.startswith(a):
                return PoseLandmark[b + name[len(a) :]]
        return mark

    return [int(other(mark)) for mark in PoseLandmark]


_MIRROR = _mirror_index()


def mirrored(frame: LandmarkFrame) -> LandmarkFrame:
    """The frame as the pose model sees the video flipped left to right."""
    if frame.landmarks is None:
        return frame
    marks = frame.landmarks
    flipped = tuple(
        Landmark(1.0 - marks[i].x, marks[i].y, marks[i].z, marks[i].visibility) for i in _MIRROR
    )
    return LandmarkFrame(frame.t_s, flipped, frame.aspect)


def test_every_seed_exercise_with_a_shared_clip_is_checked() -> None:
    assert {"glute-bridge", "bird-dog", "pike-to-arch"} <= {clip.exercise for clip in SEED_CLIPS}
    assert len(SEED_CLIPS) >= 6


@pytest.mark.parametrize("clip", SEED_CLIPS, ids=CLIP_IDS)
def test_seed_clip_gets_its_labelled_count_and_beats_or_ties_the_generic_counter(
    clip: ClipLabel, seed_landmarks: dict[str, list[LandmarkFrame]]
) -> None:
    frames = seed_landmarks[clip.name]
    assert clip.reps is not None
    result = analyse(frames, clip.exercise)
    generic = analyse(frames, "generic")
    print(f"{clip.name}: {clip.exercise} {result.reps}, generic {generic.reps}, label {clip.reps}")
    assert result.pose_detected_ratio >= 0.95
    assert result.reps == clip.reps
    assert abs(result.reps - clip.reps) <= abs(generic.reps - clip.reps)


@pytest.mark.parametrize("clip", SEED_CLIPS, ids=CLIP_IDS)
def test_seed_clip_sides_only_where_the_exercise_has_them(
    clip: ClipLabel, seed_landmarks: dict[str, list[LandmarkFrame]]
) -> None:
    sides = [event.side for event in analyse(seed_landmarks[clip.name], clip.exercise).rep_events]
    if clip.exercise not in PER_SIDE:
        assert sides == [None] * len(sides)
        return
    assert set(sides) <= {"left", "right"}
    if clip.alternating:
        assert all(a != b for a, b in itertools.pairwise(sides)), sides


@pytest.mark.parametrize("clip", SEED_CLIPS, ids=CLIP_IDS)
@pytest.mark.parametrize("stride", [2, 3])
def test_seed_clip_count_holds_at_a_lower_frame_rate(
    clip: ClipLabel, stride: int, seed_landmarks: dict[str, list[LandmarkFrame]]
) -> None:
    assert analyse(seed_landmarks[clip.name][::stride], clip.exercise).reps == clip.reps


@pytest.mark.parametrize("clip", SEED_CLIPS, ids=CLIP_IDS)
def test_seed_clip_filmed_from_the_other_side_counts_the_same_with_sides_swapped(
    clip: ClipLabel, seed_landmarks: dict[str, list[LandmarkFrame]]
) -> None:
    frames = seed_landmarks[clip.name]
    straight = analyse(frames, clip.exercise)
    flipped = analyse([mirrored(frame) for frame in frames], clip.exercise)
    assert flipped.reps == straight.reps == clip.reps
    swap = {"left": "right", "right": "left", None: None}
    assert [e.side for e in flipped.rep_events] == [swap[e.side] for e in straight.rep_events]
