"""Real third-party clips through the real pose model and the analyzers.

Each clip runs through MediaPipe once per test session (cached landmarks);
parameters are the analyzers' defaults, the same for every clip. Labels come
from ``tests/support/clip_labels.toml`` (taken from ``shared/data/MANIFEST.md``
and the label CSVs next to the clips).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.analyzers.base import AnalysisResult
from backcoach.vision.analyzers.pike_to_arch import classify_pose
from backcoach.vision.landmarks import LandmarkFrame, frame_from_points
from backcoach.vision.pipeline import run_analyzer
from tests.support.clip_labels import ClipLabel, clip, clips
from tests.support.clip_landmarks import video_landmarks

pytest.importorskip("mediapipe")

pytestmark = pytest.mark.vision

BRIDGE = clip("bridging")
PLANK = clip("plank_correct_004")
POSES_CSV = "naseemap47__CustomPose-Classification-Mediapipe/data.csv"

Landmarks = Callable[[str], list[LandmarkFrame]]


@pytest.fixture(scope="session")
def clip_landmarks(shared_data: Path) -> Landmarks:
    """Landmarks of a clip (path relative to the shared data), posed once per test run."""
    return lambda relative: video_landmarks(shared_data / relative)


def analyse(frames: list[LandmarkFrame], exercise: str) -> AnalysisResult:
    return run_analyzer(frames, get_analyzer(exercise))


def test_bridge_clip_one_rep_held_at_least_a_second(clip_landmarks: Landmarks) -> None:
    frames = clip_landmarks(BRIDGE.path)
    result = analyse(frames, BRIDGE.exercise)
    assert result.frames == BRIDGE.frames
    assert result.pose_detected_ratio >= 0.95
    assert result.reps == BRIDGE.reps
    assert len(result.holds) == 1
    assert BRIDGE.hold_min_s is not None
    assert result.holds[0].duration_s >= BRIDGE.hold_min_s
    assert result.rep_events[0].side is None  # the bridge is symmetric: no side


@pytest.mark.parametrize("stride", [2, 3])
def test_bridge_clip_counts_the_same_at_lower_frame_rates(
    clip_landmarks: Landmarks, stride: int
) -> None:
    result = analyse(clip_landmarks(BRIDGE.path)[::stride], BRIDGE.exercise)
    assert result.reps == BRIDGE.reps
    assert BRIDGE.hold_min_s is not None
    assert result.holds and result.holds[0].duration_s >= BRIDGE.hold_min_s


@pytest.mark.parametrize(
    "label",
    [label for label in clips(counted=True) if label.exercise in {"push-up", "squat"}],
    ids=lambda label: label.name,
)
def test_labelled_clips_count_within_one(clip_landmarks: Landmarks, label: ClipLabel) -> None:
    # push-up_13's label CSV marks no rep start; the label file has the two
    # push-ups it shows (looked at frame by frame), so it is judged like the rest.
    assert label.reps is not None and label.reps >= 1
    result = analyse(clip_landmarks(label.path), label.exercise)
    assert result.reps >= 1, "a clip with labelled reps must count some"
    assert abs(result.reps - label.reps) <= 1, (label.name, result.reps, label.reps)


def test_push_up_13_counts_the_two_push_ups_it_shows(clip_landmarks: Landmarks) -> None:
    label = clip("push-up_13")
    result = analyse(clip_landmarks(label.path), label.exercise)
    assert result.reps == label.reps == 2


@pytest.mark.parametrize("label", clips(exercise="plank"), ids=lambda label: label.name)
def test_plank_clips_hold_detected(clip_landmarks: Landmarks, label: ClipLabel) -> None:
    assert label.hold_s is not None
    result = analyse(clip_landmarks(label.path), label.exercise)
    held = sum(hold.duration_s for hold in result.holds)
    assert held >= 0.8 * label.hold_s
    assert held <= label.hold_s + 0.2
    assert result.reps == label.reps == 0


def test_wrong_exercise_counts_nothing(clip_landmarks: Landmarks) -> None:
    plank = clip_landmarks(PLANK.path)
    assert analyse(plank, "squat").reps == 0
    assert analyse(plank, "glute-bridge").reps == 0
    bridge = clip_landmarks(BRIDGE.path)
    assert analyse(bridge, "plank").holds == ()
    assert analyse(bridge, "push-up").reps == 0


def _pose_rows(shared_data: Path) -> list[tuple[str, LandmarkFrame]]:
    rows = []
    with (shared_data / POSES_CSV).open() as handle:
        for row in csv.reader(handle):
            if row[-1] not in {"cobra", "dog"}:
                continue
            values = [float(v) for v in row[:-1]]
            points = [values[i : i + 4] for i in range(0, 132, 4)]
            rows.append((row[-1], frame_from_points(0.0, points)))
    return rows


def test_cobra_and_downward_dog_rows_are_classified(shared_data: Path) -> None:
    rows = _pose_rows(shared_data)
    assert len(rows) == 315 + 289
    expected = {"cobra": "arch", "dog": "pike"}
    right = sum(classify_pose(frame) == expected[label] for label, frame in rows)
    accuracy = right / len(rows)
    print(f"pike-to-arch pose classifier: {right}/{len(rows)} = {accuracy:.3f}")
    assert accuracy >= 0.9


def test_pike_to_arch_counts_cycles_through_real_pose_rows(shared_data: Path) -> None:
    rows = _pose_rows(shared_data)
    dogs = [f for label, f in rows if label == "dog" and classify_pose(f) == "pike"]
    cobras = [f for label, f in rows if label == "cobra" and classify_pose(f) == "arch"]
    stream: list[LandmarkFrame] = []
    for cycle in range(3):  # one second in each position, a different photo every frame
        for block in (dogs, cobras):
            for i in range(30):
                frame = block[(cycle * 30 + i) % len(block)]
                stream.append(LandmarkFrame(len(stream) / 30, frame.landmarks))
    result = analyse(stream, "pike-to-arch")
    assert result.reps == 3
