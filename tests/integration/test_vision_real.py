"""Real third-party clips through the real pose model and the analyzers.

Each clip runs through MediaPipe once per test session (cached landmarks);
parameters are the analyzers' defaults, the same for every clip. Labels come
from ``shared/data/MANIFEST.md`` and the label CSVs next to the clips.
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
from backcoach.vision.pipeline import pose_frames, run_analyzer
from backcoach.vision.sources import VideoFile

pytest.importorskip("mediapipe")

pytestmark = pytest.mark.vision

BRIDGE = "pankajmaurya__PhysioPlus/physiocore/tests/bridging.mp4"
WORKOUT = "calimiro-ai__WorkoutTracker/data"
PLANKS = "kaiakol__computervision/data/plank/correct"
POSES_CSV = "naseemap47__CustomPose-Classification-Mediapipe/data.csv"

Landmarks = Callable[[str], list[LandmarkFrame]]


@pytest.fixture(scope="session")
def clip_landmarks(shared_data: Path) -> Landmarks:
    """Landmarks of a clip (path relative to the shared data), computed once per session."""
    cache: dict[str, list[LandmarkFrame]] = {}

    def landmarks(relative: str) -> list[LandmarkFrame]:
        if relative not in cache:
            video = VideoFile(shared_data / relative)
            cache[relative] = [frame for _, frame in pose_frames(video)]
        return cache[relative]

    return landmarks


def analyse(frames: list[LandmarkFrame], exercise: str) -> AnalysisResult:
    return run_analyzer(frames, get_analyzer(exercise))


def label_count(shared_data: Path, kind: str, name: str) -> int:
    with (shared_data / WORKOUT / "labels" / kind / f"{name}.csv").open() as handle:
        return sum(float(row["label"]) == 1 for row in csv.DictReader(handle))


def test_bridge_clip_one_rep_held_at_least_a_second(clip_landmarks: Landmarks) -> None:
    frames = clip_landmarks(BRIDGE)
    result = analyse(frames, "glute-bridge")
    assert result.frames == 91
    assert result.pose_detected_ratio >= 0.95
    assert result.reps == 1
    assert len(result.holds) == 1
    assert result.holds[0].duration_s >= 1.0
    assert result.rep_events[0].side in {"left", "right"}


@pytest.mark.parametrize("stride", [2, 3])
def test_bridge_clip_counts_the_same_at_lower_frame_rates(
    clip_landmarks: Landmarks, stride: int
) -> None:
    result = analyse(clip_landmarks(BRIDGE)[::stride], "glute-bridge")
    assert result.reps == 1
    assert result.holds and result.holds[0].duration_s >= 1.0


@pytest.mark.parametrize(
    ("kind", "name", "exercise"),
    [
        ("push-ups", "push-up_12", "push-up"),
        ("squats", "squat_12", "squat"),
        ("squats", "squat_24", "squat"),
    ],
)
def test_labelled_clips_count_within_one(
    shared_data: Path, clip_landmarks: Landmarks, kind: str, name: str, exercise: str
) -> None:
    label = label_count(shared_data, kind, name)
    result = analyse(clip_landmarks(f"{WORKOUT}/raw/{kind}/{name}.mp4"), exercise)
    assert label >= 1
    assert result.reps >= 1, "a clip with labelled reps must count some"
    assert abs(result.reps - label) <= 1, (name, result.reps, label)


def test_push_up_13_counts_the_two_push_ups_it_shows(
    shared_data: Path, clip_landmarks: Landmarks
) -> None:
    # Its label file marks no rep start, but the clip shows two full push-ups
    # (looked at frame by frame: down at 1.0-1.7 s and 3.3-4.0 s, up in between).
    assert label_count(shared_data, "push-ups", "push-up_13") == 0
    result = analyse(clip_landmarks(f"{WORKOUT}/raw/push-ups/push-up_13.mp4"), "push-up")
    assert result.reps == 2


@pytest.mark.parametrize(
    ("name", "seconds"), [("plank_correct_001", 2.6), ("plank_correct_004", 3.9)]
)
def test_plank_clips_hold_detected(clip_landmarks: Landmarks, name: str, seconds: float) -> None:
    result = analyse(clip_landmarks(f"{PLANKS}/{name}.mp4"), "plank")
    held = sum(hold.duration_s for hold in result.holds)
    assert held >= 0.8 * seconds
    assert held <= seconds + 0.2
    assert result.reps == 0


def test_wrong_exercise_counts_nothing(clip_landmarks: Landmarks) -> None:
    plank = clip_landmarks(f"{PLANKS}/plank_correct_004.mp4")
    assert analyse(plank, "squat").reps == 0
    assert analyse(plank, "glute-bridge").reps == 0
    bridge = clip_landmarks(BRIDGE)
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
