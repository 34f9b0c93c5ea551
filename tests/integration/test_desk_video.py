"""The posture monitor on the real desk clip, end to end through the real pose model."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backcoach.cli import app

pytestmark = pytest.mark.vision

ALLOWED = {"upright", "slouched", "forward-head", "absent"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "desk-posture"


def test_real_desk_clip_gives_a_plausible_timeline(shared_data: Path) -> None:
    clip = shared_data / "IvanGael__Posture-Analysis-Mediapipe" / "video.mp4"
    duration_s = 333 / 23.976
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    # PNG frames (skeleton + state) are kept under test-artifacts/ for people to look at
    result = CliRunner().invoke(
        app, ["posture", str(clip), "--json", "--fps", "3", "--annotate", str(ARTIFACTS)]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    states = out["states"]
    assert states, out
    assert {s["state"] for s in states} <= ALLOWED
    assert states[0]["start_s"] == 0
    assert states[-1]["end_s"] == pytest.approx(duration_s, abs=0.5)
    for before, after in itertools.pairwise(states):
        assert before["end_s"] == after["start_s"]  # no gaps, no overlaps
        assert before["state"] != after["state"]
    assert out["frames"] == pytest.approx(duration_s * 3, abs=2)
    assert out["person_frames"] >= 1
    assert out["calibrated"]  # she sits in view from the start: 5 s of calibration
    assert sum(out["seconds"].values()) == pytest.approx(states[-1]["end_s"], abs=0.01)
    assert len(list(ARTIFACTS.glob("frame_*.png"))) >= out["frames"]
