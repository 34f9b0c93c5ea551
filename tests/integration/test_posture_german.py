"""``backcoach posture``'s desk profiles and sensitivity, in German."""

from __future__ import annotations

from pathlib import Path

import pytest

from backcoach.content import View
from backcoach.vision.landmarks import write_jsonl
from tests.integration.test_german_cli import german_output
from tests.support import synthetic as syn
from tests.unit.test_posture import UPRIGHT, desk_render, film
from tests.unit.test_posture_cues import BELOW_THE_FACE


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def upright_file(tmp_path: Path) -> Path:
    path = tmp_path / "upright.jsonl"
    write_jsonl(path, film([(UPRIGHT, 8, desk_render(View.FRONT, noise=0.001, seed=1))]))
    return path


def test_the_posture_help_is_german(data_dir: Path) -> None:
    text = german_output(data_dir, "posture", "--help")
    assert "Schreibtisch-Profil" in text and "Wie früh eine Veränderung" in text


def test_calibrating_a_desk_profile_speaks_german(data_dir: Path, upright_file: Path) -> None:
    text = german_output(
        data_dir, "posture", str(upright_file), "--calibrate", "--profile", "laptop"
    )
    assert "Das wird Ihre aufrechte Haltung" in text
    assert "Schreibtisch-Profil laptop gespeichert" in text
    text = german_output(data_dir, "posture", str(upright_file), "--profile", "monitor")
    assert "Noch kein Schreibtisch-Profil monitor gespeichert" in text


def test_refusals_are_german(data_dir: Path, upright_file: Path) -> None:
    text = german_output(data_dir, "posture", str(upright_file), "--calibrate", exit_code=2)
    assert "--calibrate braucht --profile" in text
    text = german_output(
        data_dir, "posture", str(upright_file), "--calibrate", "--profile", "a b", exit_code=2
    )
    assert "Buchstaben, Ziffern oder Bindestrichen" in text


def test_a_face_alone_is_marked_in_german(data_dir: Path, tmp_path: Path) -> None:
    hidden = syn.Occlusion(BELOW_THE_FACE, start_s=0.0)
    path = tmp_path / "face.jsonl"
    write_jsonl(path, film([(UPRIGHT, 8, desk_render(View.FRONT, occlusions=(hidden,)))]))
    text = german_output(data_dir, "posture", str(path))
    assert "aufrecht *" in text and "Schultern nicht im Bild" in text
