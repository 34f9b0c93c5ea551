"""The shared clips' label file agrees with the clips and the sources' label files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import pytest

from backcoach.vision.analyzers import available
from tests.support.clip_labels import ClipLabel, all_clips, clip, clips

LABEL_CSVS = "calimiro-ai__WorkoutTracker/data/labels"


def _label_csv_count(shared_data: Path, clip: ClipLabel) -> int:
    kind, name = Path(clip.path).parent.name, Path(clip.path).stem
    with (shared_data / LABEL_CSVS / kind / f"{name}.csv").open() as handle:
        return sum(float(row["label"]) == 1 for row in csv.DictReader(handle))


def _frame_count(path: Path) -> int:
    if path.suffix == ".json":
        return len(json.loads(path.read_text())["positions"])
    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()


def test_names_are_unique_and_exercises_canonical() -> None:
    names = [label.name for label in all_clips()]
    assert len(names) == len(set(names))
    assert {label.exercise for label in all_clips()} <= set(available())


@pytest.mark.parametrize("label", all_clips(), ids=lambda label: label.name)
def test_clip_file_exists_with_the_labelled_frame_count(
    shared_data: Path, label: ClipLabel
) -> None:
    path = label.file(shared_data)
    assert path.is_file(), path
    assert label.frames is not None
    assert _frame_count(path) == label.frames


WITH_LABEL_CSV = tuple(label for label in all_clips() if label.path.startswith("calimiro-ai"))


@pytest.mark.parametrize("label", WITH_LABEL_CSV, ids=lambda label: label.name)
def test_counts_match_the_label_csvs(shared_data: Path, label: ClipLabel) -> None:
    from_csv = _label_csv_count(shared_data, label)
    if label.name == "push-up_13":  # its CSV marks no rep start; the count is by eye
        assert from_csv == 0 and label.reps == 2
    else:
        assert label.reps == from_csv


def test_lookup_by_name_and_exercise() -> None:
    assert clip("squat_24").reps == 2
    assert {label.name for label in clips(exercise="plank")} == {
        "plank_correct_001",
        "plank_correct_004",
    }
    with pytest.raises(KeyError):
        clip("no-such-clip")
