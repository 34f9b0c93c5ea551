"""``analyze --reference``: count one real clip's exercise from another clip's first reps.

The demonstration is cut from a shared clip by frame range (its first rep);
the recordings are other clips of the same exercise, by other people and
cameras, and a clip of another exercise, which must count nothing. Each clip
runs through the real pose model once per module.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.vision.landmarks import LandmarkFrame, write_jsonl
from backcoach.vision.reference import Template, count, learn
from tests.support.clip_landmarks import video_landmarks

pytest.importorskip("mediapipe")

pytestmark = pytest.mark.vision

WORKOUT = "calimiro-ai__WorkoutTracker/data"
PUSH_UP_12 = f"{WORKOUT}/raw/push-ups/push-up_12.mp4"  # rep starts at frames 14, 69, 127 of 150
PUSH_UP_13 = f"{WORKOUT}/raw/push-ups/push-up_13.mp4"  # two push-ups (see test_vision_real)
BRIDGES = "seed-clips/lenagalanova_glute_bridge.mp4"  # 3 bridges
BRIDGE = "pankajmaurya__PhysioPlus/physiocore/tests/bridging.mp4"  # 1 bridge
BIRD_DOG = "seed-clips/gymnai_bird_dog_AIgen.mp4"  # 1 bird-dog, reaching with the right arm
BIRD_DOGS = "seed-clips/polybag_bird_dog.mp4"  # 2 bird-dogs, one to each side
FIRST_PUSH_UP = slice(0, 60)  # frames 0-59: the first push-up, from the top and back
FIRST_BRIDGE = slice(0, 160)  # frames 0-159: the first bridge, from the mat and back

Landmarks = Callable[[str], list[LandmarkFrame]]
runner = CliRunner()


@pytest.fixture(scope="module")
def clip(shared_data: Path) -> Landmarks:
    return lambda relative: video_landmarks(shared_data / relative)


@pytest.fixture(scope="module")
def push_up(clip: Landmarks) -> Template:
    return learn(clip(PUSH_UP_12)[FIRST_PUSH_UP])


@pytest.fixture(scope="module")
def bridge(clip: Landmarks) -> Template:
    return learn(clip(BRIDGES)[FIRST_BRIDGE])


def test_push_ups_counted_from_the_first_push_up_of_another_clip(
    clip: Landmarks, push_up: Template, shared_data: Path
) -> None:
    assert push_up.demo_reps == 1
    other = count(push_up, clip(PUSH_UP_13)).analysis
    assert other.reps == 2
    assert all(0.6 <= e.quality <= 1.0 for e in other.rep_events)
    own = count(push_up, clip(PUSH_UP_12)).analysis
    with (shared_data / WORKOUT / "labels/push-ups/push-up_12.csv").open() as handle:
        starts = [int(row["frame"]) for row in csv.DictReader(handle) if float(row["label"]) == 1]
    # Three push-ups start in the clip; it ends 23 frames into the third: two complete ones.
    assert len(starts) == 3 and starts[-1] > 120
    assert own.reps == 2
    assert own.rep_events[0].quality >= 0.95  # the demonstrated push-up itself


def test_bridges_counted_from_the_first_bridge_of_another_clip(
    clip: Landmarks, bridge: Template
) -> None:
    assert bridge.demo_reps == 1
    assert count(bridge, clip(BRIDGE)).analysis.reps == 1
    own = count(bridge, clip(BRIDGES)).analysis
    assert own.reps == 3
    assert own.rep_events[0].quality >= 0.95


def test_a_bird_dog_to_one_side_counts_reaches_to_both_sides(clip: Landmarks) -> None:
    template = learn(clip(BIRD_DOG))
    result = count(template, clip(BIRD_DOGS)).analysis
    assert result.reps == 2
    sides = [event.side for event in result.rep_events]
    assert set(sides) == {"left", "right"}


def test_another_exercise_counts_nothing(
    clip: Landmarks, push_up: Template, bridge: Template
) -> None:
    assert count(push_up, clip(BRIDGES)).analysis.reps == 0
    assert count(push_up, clip(BRIDGE)).analysis.reps == 0
    assert count(bridge, clip(PUSH_UP_13)).analysis.reps == 0


def _invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_with_a_demonstration_video_cut_from_a_clip(
    tmp_path: Path, shared_data: Path, clip: Landmarks
) -> None:
    cv2 = pytest.importorskip("cv2")
    source = cv2.VideoCapture(str(shared_data / BRIDGES))
    size = (int(source.get(cv2.CAP_PROP_FRAME_WIDTH)), int(source.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    demo = tmp_path / "demo.mp4"
    writer = cv2.VideoWriter(str(demo), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, size)
    for _ in range(FIRST_BRIDGE.stop):
        ok, image = source.read()
        assert ok
        writer.write(image)
    writer.release()
    source.release()
    recording = tmp_path / "bridge.jsonl"
    write_jsonl(recording, clip(BRIDGE))
    code, out, err = _invoke("analyze", "--reference", demo, "--landmarks", recording, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["exercise"] == "reference" and result["reps"] == 1
    assert 0.0 < result["rep_events"][0]["similarity"] <= 1.0
    assert result["reference"]["demo_reps"] == 1 and result["reference"]["signals"]


def test_cli_with_a_demonstration_landmark_file_and_a_video(
    tmp_path: Path, shared_data: Path, clip: Landmarks
) -> None:
    demo = tmp_path / "demo.jsonl"
    write_jsonl(demo, clip(PUSH_UP_12)[FIRST_PUSH_UP])
    code, out, err = _invoke("analyze", shared_data / PUSH_UP_13, "--reference", demo)
    assert code == 0, err
    assert "similarity" in out and "reference" in out
    assert re.search(r"Reps\s+│\s+2\s", out)  # two reps in the summary table


def test_cli_reference_usage_errors(tmp_path: Path) -> None:
    demo = tmp_path / "demo.jsonl"
    demo.write_text("".join(f'{{"t_s": {i / 30}, "landmarks": null}}\n' for i in range(30)))
    cases = [
        (["--landmarks", demo, "--reference", demo, "--exercise", "squat"], 2, "exactly one"),
        (["--landmarks", demo], 2, "--exercise ID or --reference DEMO"),
        (["v.mp4", "--reference", demo, "--annotate", tmp_path / "o.mp4"], 2, "--annotate"),
        (["--landmarks", demo, "--reference", demo], 1, "Nobody was seen in the demonstration"),
    ]
    for args, exit_code, message in cases:
        code, out, err = _invoke("analyze", *args)
        assert code == exit_code, err
        assert message in " ".join(err.split())
        assert out == "" and "Traceback" not in err
