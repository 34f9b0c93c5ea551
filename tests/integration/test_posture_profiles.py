"""Desk profiles: ``backcoach posture --calibrate --profile NAME`` saves the upright
posture, ``--profile NAME`` uses it; ``--sensitivity`` scales the thresholds."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.config import Settings
from backcoach.content import View
from backcoach.errors import UsageError
from backcoach.services.posture_profiles import (
    load_profile,
    profile_names,
    save_profile,
)
from backcoach.services.preferences import PreferencesUpdate, save_preferences
from backcoach.store import local_user, open_database
from backcoach.store.user_settings import set_setting
from backcoach.vision.landmarks import write_jsonl
from backcoach.vision.posture import Baseline, Sensitivity
from tests.support import synthetic as syn
from tests.unit.test_posture import UPRIGHT, desk_render, film
from tests.unit.test_posture_cues import BELOW_THE_FACE, face_size, sinking

runner = CliRunner()


@pytest.fixture
def upright_file(tmp_path: Path) -> Path:
    path = tmp_path / "upright.jsonl"
    write_jsonl(path, film([(UPRIGHT, 8, desk_render(View.FRONT, noise=0.001, seed=1))]))
    return path


@pytest.fixture
def sunk_file(tmp_path: Path) -> Path:
    """12 s sunk a quarter face size into the chair (the head 0.375 lower), from the start."""
    frames = film([(UPRIGHT, 12, desk_render(View.FRONT, noise=0.001, seed=2))])
    sinking(frames, 0, 12, dy=0.25 * face_size(frames[0]))
    path = tmp_path / "sunk.jsonl"
    write_jsonl(path, frames)
    return path


def states(args: list[str]) -> list[str]:
    result = runner.invoke(app, ["posture", *args, "--json", "--fps", "5"])
    assert result.exit_code == 0, result.output
    return [s["state"] for s in json.loads(result.stdout)["states"]]


def test_calibrate_saves_a_profile_and_monitoring_uses_it(
    upright_file: Path, sunk_file: Path, settings: Settings
) -> None:
    result = runner.invoke(
        app, ["posture", str(upright_file), "--calibrate", "--profile", "Laptop", "--json"]
    )
    assert result.exit_code == 0, result.output
    saved = json.loads(result.stdout)
    assert saved["profile"] == "laptop" and saved["baseline"]["face_size"] > 0
    with open_database(settings) as db:
        assert profile_names(db, user_id=local_user(db).id) == ["laptop"]
    # sunk from the first frame: without the profile that is learned as "upright"
    assert states([str(sunk_file)]) == ["upright"]
    assert states([str(sunk_file), "--profile", "laptop"]) == ["slouched"]
    assert states([str(sunk_file), "--profile", "laptop", "--sensitivity", "low"]) == ["upright"]


def test_an_unsaved_profile_calibrates_on_the_first_seconds(upright_file: Path) -> None:
    result = runner.invoke(
        app, ["posture", str(upright_file), "--profile", "monitor", "--json", "--fps", "5"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["calibrated"]
    assert "monitor" in result.stderr


def test_calibrate_needs_a_profile_and_a_person(upright_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["posture", str(upright_file), "--calibrate"])
    assert result.exit_code == 2 and "--profile" in result.output
    empty = tmp_path / "empty.jsonl"
    write_jsonl(
        empty,
        [
            dataclasses.replace(f, landmarks=None)
            for f in film([(UPRIGHT, 8, desk_render(View.FRONT))])
        ],
    )
    result = runner.invoke(app, ["posture", str(empty), "--calibrate", "--profile", "laptop"])
    assert result.exit_code == 2 and "nothing was" in result.output


def test_profile_names_are_checked(upright_file: Path) -> None:
    result = runner.invoke(
        app, ["posture", str(upright_file), "--calibrate", "--profile", "my desk!"]
    )
    assert result.exit_code == 2 and "letters, digits or dashes" in result.output


def test_profiles_are_per_user_and_unreadable_ones_are_ignored(settings: Settings) -> None:
    baseline = Baseline(None, None, 0.4, 1.4, face_size=0.2, ear_y=0.3, pitch=0.1)
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    with open_database(settings) as db:
        user = local_user(db).id
        save_profile(db, user_id=user, name="monitor", baseline=baseline, now=now)
        set_setting(db, user_id=user, key="posture.profile.broken", value={"baseline": [1]})
        assert load_profile(db, user_id=user, name="monitor") == baseline
        assert load_profile(db, user_id=user + 1, name="monitor") is None
        assert load_profile(db, user_id=user, name="broken") is None
        assert profile_names(db, user_id=user) == ["monitor"]
        with pytest.raises(UsageError):
            load_profile(db, user_id=user, name="")


def test_the_sensitivity_preference_is_the_default_and_the_option_overrides_it(
    upright_file: Path, sunk_file: Path, settings: Settings
) -> None:
    runner.invoke(app, ["posture", str(upright_file), "--calibrate", "--profile", "laptop"])
    assert states([str(sunk_file), "--profile", "laptop"]) == ["slouched"]
    with open_database(settings) as db:
        user = local_user(db).id
        update = PreferencesUpdate(posture_sensitivity=Sensitivity.LOW)
        assert save_preferences(db, user_id=user, update=update).posture_sensitivity == "low"
    assert states([str(sunk_file), "--profile", "laptop"]) == ["upright"]
    assert states([str(sunk_file), "--profile", "laptop", "--sensitivity", "normal"]) == [
        "slouched"
    ]


def test_the_summary_marks_spans_read_from_the_face_alone(tmp_path: Path) -> None:
    hidden = syn.Occlusion(BELOW_THE_FACE, start_s=0.0)
    path = tmp_path / "face.jsonl"
    write_jsonl(path, film([(UPRIGHT, 8, desk_render(View.FRONT, occlusions=(hidden,)))]))
    result = runner.invoke(app, ["posture", str(path)])
    assert result.exit_code == 0, result.output
    assert "upright *" in result.stdout
    assert "Shoulders out of view: read from the face alone" in " ".join(result.stdout.split())
    out = json.loads(runner.invoke(app, ["posture", str(path), "--json"]).stdout)
    assert out["states"][0]["confidence"] == "low" and "face-only" in out["states"][0]["cues"]
