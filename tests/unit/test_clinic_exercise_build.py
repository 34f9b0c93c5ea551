"""A clinician's exercise becomes a content ``Exercise``: checked by the content's model,
with what a clinician need not write filled in."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from backcoach.content import Exercise, Kind, default_catalog
from backcoach.services.clinic_exercises import (
    CAMERA_NOTES,
    DEFAULT_CUE,
    DEFAULT_EASIER,
    DEFAULT_HARDER,
    DEFAULT_MISTAKES,
    POSITION_SOURCES,
    ClinicExerciseIn,
    ExerciseInvalid,
    Position,
    build_exercise,
    field_problems,
    figure_for,
    input_of,
    position_of,
    slug,
)


def sample_input(**changes: Any) -> ClinicExerciseIn:
    """A valid exercise as a clinician would write it in the form (only the needed fields)."""
    data: dict[str, Any] = {
        "name": "Hip hinge with a stick",
        "purpose": "Teaches bending at the hips with a long, steady back.",
        "muscles": ["hamstrings", "gluteus maximus", "back extensors"],
        "start_position": "Stand tall holding a broomstick along your back.",
        "steps": [
            "Keep the stick touching your head, upper back and tailbone.",
            "Push the hips back and lean forward until you feel the back of your thighs.",
            "Stand up tall again by squeezing your buttocks.",
        ],
        "breathing": "Breathe in as you lean forward and out as you stand up.",
        "safety": ["Stop if the pain in your back increases."],
        "avoid_if": ["Bending forward brings pain down a leg."],
        "dosage": {
            "sets": {"default": 2, "min": 1, "max": 3},
            "reps": {"default": 8, "min": 5, "max": 12},
        },
    }
    data.update(changes)
    return ClinicExerciseIn.model_validate(data)


def build(data: ClinicExerciseIn) -> Exercise:
    return build_exercise(default_catalog(), data, exercise_id="clinic-hip-hinge-with-a-stick")


def test_the_form_fields_make_a_content_exercise_with_defaults() -> None:
    exercise = build(sample_input())
    assert exercise.id == "clinic-hip-hinge-with-a-stick"
    assert not exercise.core
    assert exercise.mistakes == list(DEFAULT_MISTAKES)
    assert (exercise.easier, exercise.harder) == (DEFAULT_EASIER, DEFAULT_HARDER)
    assert exercise.voice.setup == POSITION_SOURCES[Position.STANDING][1]
    assert exercise.voice.cue == DEFAULT_CUE
    assert not exercise.camera.supported
    assert exercise.keyframes == figure_for(default_catalog(), Position.STANDING)
    # The same model as the built-in content: the stored definition validates again.
    assert Exercise.model_validate(exercise.model_dump(mode="json")) == exercise


def test_counting_with_the_camera_uses_the_generic_counter_notes() -> None:
    exercise = build(sample_input(count_with_camera=True, camera_view="front"))
    assert exercise.camera.supported
    assert exercise.camera.view.value == "front"
    assert exercise.camera.notes == CAMERA_NOTES


@pytest.mark.parametrize("position", list(Position))
def test_every_position_has_a_figure_and_a_spoken_set_up_line(position: Position) -> None:
    exercise = build(sample_input(position=position))
    assert position_of(default_catalog(), exercise) is position
    assert exercise.voice.setup == POSITION_SOURCES[position][1]


def test_a_figure_of_its_own_is_kept() -> None:
    keyframes = [k.model_dump() for k in default_catalog().exercise("glute-bridge").keyframes]
    exercise = build(sample_input(keyframes=keyframes))
    assert position_of(default_catalog(), exercise) is None
    assert input_of(default_catalog(), exercise).keyframes == exercise.keyframes


def test_defaults_stay_empty_in_the_form_so_they_follow_the_position() -> None:
    again = input_of(default_catalog(), build(sample_input()))
    assert (again.mistakes, again.easier, again.harder) == ([], None, None)
    assert (again.voice_setup, again.voice_cue) == ("", "")
    lying = build(again.model_copy(update={"position": Position.LYING_ON_BACK}))
    assert lying.voice.setup == POSITION_SOURCES[Position.LYING_ON_BACK][1]


def test_what_a_clinician_wrote_instead_of_a_default_is_kept() -> None:
    written = sample_input(voice_setup="Stand sideways to a wall with one hand resting on it.")
    again = input_of(default_catalog(), build(written))
    assert again.voice_setup == written.voice_setup


def test_input_of_gives_back_what_was_written() -> None:
    written = sample_input(position="all-fours", count_with_camera=True, notes="Go gently.")
    again = input_of(default_catalog(), build(written))
    assert again.position is Position.ALL_FOURS
    assert again.keyframes is None
    assert again.count_with_camera
    assert (again.name, again.steps, again.dosage) == (written.name, written.steps, written.dosage)
    assert build(again) == build(written)


def problems(data: ClinicExerciseIn) -> dict[str, str]:
    with pytest.raises(ExerciseInvalid) as refused:
        build(data)
    return refused.value.problems


def input_problems(**changes: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        sample_input(**changes)
    return field_problems(refused.value.errors())


def test_a_dose_out_of_its_safe_range_is_named_in_plain_words() -> None:
    dosage = {
        "sets": {"default": 2, "min": 1, "max": 3},
        "reps": {"default": 20, "min": 5, "max": 12},
    }
    assert input_problems(dosage=dosage) == {
        "reps": "The usual amount must lie in the safe range: smallest, usual, largest in order."
    }


def test_form_problems_name_the_field_in_plain_words() -> None:
    dosage = {"sets": {"default": "two", "min": 1, "max": 3}, "reps": {"default": 5}}
    assert input_problems(name="", steps=["One."], dosage=dosage) == {
        "name": "Fill this in.",
        "steps": "Write at least 2 (one per line).",
        "sets": "Enter a number.",
        "reps": "Fill this in.",
    }


def test_a_hold_exercise_needs_a_hold_time() -> None:
    found = problems(sample_input(kind=Kind.HOLD))
    assert found == {"hold_s": "A 'hold' exercise needs a hold time with its safe range."}


def test_the_camera_counts_only_repetitions() -> None:
    dosage = {
        "sets": {"default": 1, "min": 1, "max": 2},
        "hold_s": {"default": 20, "min": 10, "max": 30},
    }
    found = problems(sample_input(kind=Kind.HOLD, dosage=dosage, count_with_camera=True))
    assert list(found) == ["count_with_camera"]


def test_a_voice_line_the_content_refuses_is_named_by_its_form_field() -> None:
    found = problems(sample_input(voice_setup="Stand up (tall).", voice_cue="Keep / breathing"))
    assert set(found) == {"voice_setup", "voice_cue"}
    assert "without brackets" in found["voice_setup"]


def test_blank_text_in_a_list_is_refused() -> None:
    assert problems(sample_input(safety=["   "])) == {"safety": "Fill this in."}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hip hinge with a stick", "hip-hinge-with-a-stick"),
        ("  Übung für den Rücken!  ", "ubung-fur-den-rucken"),
        ("!!!", "exercise"),
        ("x" * 200, "x" * 53),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected
