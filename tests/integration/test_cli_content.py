"""``backcoach exercises`` and ``backcoach show`` through the real Typer app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.content import Stage, default_catalog

CATALOG = default_catalog()


def ids(stage: Stage | None = None, *, core: bool | None = None) -> set[str]:
    """Exercise ids from the shipped catalog, by stage and by core/extra."""
    return {
        e.id
        for e in CATALOG.exercises.values()
        if (stage is None or e.stage is stage) and (core is None or e.core is core)
    }


FIELDS = {
    "id",
    "name",
    "stage",
    "kind",
    "core",
    "purpose",
    "muscles",
    "start_position",
    "steps",
    "breathing",
    "mistakes",
    "safety",
    "avoid_if",
    "dosage",
    "easier",
    "harder",
    "camera",
    "keyframes",
    "notes",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _exercises_json(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["exercises", "--json", *args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_exercises_json_lists_every_exercise_with_every_field(runner: CliRunner) -> None:
    data = _exercises_json(runner)
    assert len(data) == len(CATALOG.exercises)
    assert {item["id"] for item in data} == ids()
    assert {item["id"] for item in data if item["core"]} == ids(core=True)
    for item in data:
        assert set(item) >= FIELDS, item["id"]
        for field in FIELDS - {"core"}:
            assert item[field] not in ("", [], {}, None), f"{item['id']}.{field}"
        assert item["dosage"]["sets"]["default"] >= 1
        assert set(item["camera"]) >= {"supported", "view"}
        assert len(item["steps"]) >= 3


@pytest.mark.parametrize("stage", list(Stage))
def test_exercises_stage_filter(runner: CliRunner, stage: Stage) -> None:
    expected = ids(stage)
    assert expected, f"the catalog has exercises in {stage.value}"
    data = _exercises_json(runner, "--stage", stage.value)
    assert {item["id"] for item in data} == expected
    assert {item["stage"] for item in data} == {stage.value}


def test_exercises_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["exercises", "--stage", "cool-down"])
    assert result.exit_code == 0, result.output
    assert "jog-to-walk" in result.stdout
    assert "relaxation" in result.stdout
    assert "bird-dog" not in result.stdout


def test_exercises_invalid_stage(runner: CliRunner) -> None:
    result = runner.invoke(app, ["exercises", "--stage", "warmup"])
    assert result.exit_code == 2
    assert "unknown stage 'warmup'" in result.stderr
    assert "warm-up" in result.stderr
    assert "Traceback" not in result.output


def test_show_prints_the_whole_exercise(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "bird-dog"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in (
        "Bird-dog",
        "Start position",
        "Steps",
        "Breathing",
        "Dose",
        "Common mistakes",
        "Safety",
        "Do not do it if",
        "Easier:",
        "Harder: Same-side arm and leg",
        "Notes",
    ):
        assert heading in out
    assert "1. " in out and "5. " in out
    assert "hold: 5 s (safe range 3-10)" in out
    assert "McGill" in out


def test_show_marks_an_extra(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "side-plank"])
    assert result.exit_code == 0, result.output
    assert "extra, not from the core program" in result.stdout
    assert "on each side" in result.stdout


def test_show_unknown_id_suggests_close_matches(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "bird-dgo"])
    assert result.exit_code == 2
    assert "unknown exercise 'bird-dgo'" in result.stderr
    assert "Did you mean: bird-dog" in result.stderr
    assert "Traceback" not in result.output


def test_show_unknown_id_without_close_match(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "xyzzy"])
    assert result.exit_code == 2
    assert "backcoach exercises" in result.stderr
