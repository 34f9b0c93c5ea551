"""Form faults and camera views on the shared real clips, through the real pose model.

The wrong-form clips were looked at frame by frame: in kaiakol's incorrect
squat the heels leave the floor at the bottom (she squats onto the balls of
her feet); in its incorrect push-ups the head hangs towards the floor, the
nose reaching it before the chest. The correct clips must stay quiet, and each
clip's camera view must read as its label says. Each clip runs through
MediaPipe once per test session.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from backcoach.vision.analyzers import Feedback, get_analyzer
from backcoach.vision.analyzers.base import UNFINISHED, AnalysisResult
from backcoach.vision.landmarks import LandmarkFrame
from tests.support.clip_labels import ClipLabel, clip, clips, data_dir
from tests.support.clip_landmarks import video_landmarks

pytest.importorskip("mediapipe")

pytestmark = pytest.mark.vision

MINE = ("squat", "push-up", "plank", "curl-up")
Landmarks = Callable[[ClipLabel], list[LandmarkFrame]]


@pytest.fixture(scope="session")
def landmarks() -> Landmarks:
    """Landmarks of a labelled clip, computed once per session."""
    data: Path = data_dir()
    return lambda label: video_landmarks(label.file(data))


def analyse(frames: list[LandmarkFrame], exercise: str) -> tuple[AnalysisResult, list[Feedback]]:
    analyzer = get_analyzer(exercise)
    feedback = [analyzer.update(frame) for frame in frames]
    return analyzer.result(), feedback


def form_faults(result: AnalysisResult) -> set[str]:
    return {fault.code for fault in result.faults} - {UNFINISHED}


def _labelled(form: str) -> list[ClipLabel]:
    return [c for c in clips() if c.exercise in MINE and c.form == form and c.is_video]


# Every n-th frame stands in for a lower frame rate (10-15 fps on a slow machine).
STRIDES = [1, 2, 3]


@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("label", _labelled("correct"), ids=lambda label: label.name)
def test_correct_clips_get_no_fault(landmarks: Landmarks, label: ClipLabel, stride: int) -> None:
    result, feedback = analyse(landmarks(label)[::stride], label.exercise)
    assert form_faults(result) == set()
    assert all(f.cue is None for f in feedback)


@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("label", _labelled("incorrect"), ids=lambda label: label.name)
def test_incorrect_clips_get_a_fault_and_a_cue(
    landmarks: Landmarks, label: ClipLabel, stride: int
) -> None:
    result, feedback = analyse(landmarks(label)[::stride], label.exercise)
    assert form_faults(result)
    assert any(f.cue for f in feedback)


def test_the_incorrect_squat_rises_onto_its_toes(landmarks: Landmarks) -> None:
    result, _ = analyse(landmarks(clip("squat_incorrect_002")), "squat")
    assert "heels-up" in form_faults(result)
    assert result.reps == 1


def test_the_incorrect_push_ups_drop_the_head_also_held_as_a_plank(landmarks: Landmarks) -> None:
    frames = landmarks(clip("pushup_incorrect_001"))
    push_ups, _ = analyse(frames, "push-up")
    assert "head-dropped" in form_faults(push_ups)
    assert push_ups.reps == 2
    plank, _ = analyse(frames, "plank")
    assert "head-dropped" in form_faults(plank)
    correct_plank, _ = analyse(landmarks(clip("pushup_correct_001")), "plank")
    assert form_faults(correct_plank) == set()


@pytest.mark.parametrize(
    "label",
    [c for c in clips() if c.exercise in MINE and c.view is not None and c.is_video],
    ids=lambda label: label.name,
)
def test_each_clip_is_seen_from_its_labelled_view(landmarks: Landmarks, label: ClipLabel) -> None:
    _, feedback = analyse(landmarks(label), label.exercise)
    views = Counter(f.view for f in feedback if f.view is not None)
    assert views.most_common(1)[0][0] == label.view, views


@pytest.mark.parametrize("name", ["push-up_12", "push-up_13"])
def test_push_ups_filmed_from_the_front_say_the_back_is_not_judged(
    landmarks: Landmarks, name: str
) -> None:
    result, feedback = analyse(landmarks(clip(name)), "push-up")
    assert result.reps == 2
    assert form_faults(result) == set()
    assert any(f.hint and "can't judge your back" in f.hint for f in feedback)
