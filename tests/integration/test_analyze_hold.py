"""``backcoach analyze --hold S``: a rep counts only when its hold met the dose, as in a session.

On the real PhysioPlus bridge clip (one bridge, held a little over 2 s), through
the real pose model and the command line: without ``--hold`` the bridge counts,
with ``--hold 1`` too, and with ``--hold 4`` it does not, and the JSON says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.vision.landmarks import write_jsonl
from tests.support.clip_labels import clip
from tests.support.clip_landmarks import video_landmarks

pytestmark = pytest.mark.vision
runner = CliRunner()


@pytest.fixture(scope="module")
def bridge_file(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hold") / "bridging.jsonl"
    write_jsonl(path, video_landmarks(clip("bridging").file(shared_data)))
    return path


def analyse(path: Path, *extra: str) -> dict[str, object]:
    said = runner.invoke(
        app, ["analyze", "--exercise", "glute-bridge", "--landmarks", str(path), "--json", *extra]
    )
    assert said.exit_code == 0, said.output
    answer = json.loads(said.stdout)
    assert isinstance(answer, dict)
    return answer


@pytest.mark.parametrize(("hold", "reps"), [((), 1), (("--hold", "1"), 1), (("--hold", "4"), 0)])
def test_a_bridge_counts_only_when_held_as_long_as_the_dose(
    bridge_file: Path, hold: tuple[str, ...], reps: int
) -> None:
    assert analyse(bridge_file, *hold)["reps"] == reps


def test_a_hold_that_is_too_short_is_said(bridge_file: Path) -> None:
    answer = analyse(bridge_file, "--hold", "4")
    holds = answer["holds"]
    assert isinstance(holds, list) and holds, answer  # the hold was seen and timed
    assert all(1.0 < h["duration_s"] < 4.0 for h in holds)


def test_a_hold_outside_the_allowed_range_is_refused(bridge_file: Path) -> None:
    said = runner.invoke(
        app, ["analyze", "-e", "glute-bridge", "--landmarks", str(bridge_file), "--hold", "0"]
    )
    assert said.exit_code != 0
    assert "--hold" in said.output
