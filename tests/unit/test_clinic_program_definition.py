"""A clinician's program definition: the safe-range check, edits and the diff of two versions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backcoach.coach.history import ExerciseRecord, SessionRecord
from backcoach.content import Catalog, DoseOverride, Length, default_catalog
from backcoach.services.clinic_programs import AssignedProgram
from backcoach.services.program_definition import (
    AddStep,
    MoveStep,
    ProgramDefinition,
    ProgramError,
    RemoveStep,
    SetDetails,
    SetDose,
    SetVariant,
    apply_edits,
    check_definition,
    diff,
    from_program,
    prescription,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def basics(catalog: Catalog) -> dict[str, Any]:
    return from_program(catalog.program("back-basics"), catalog, sessions_per_week=3)


def test_the_built_in_program_becomes_a_valid_definition_with_every_dose_written_out(
    catalog: Catalog,
) -> None:
    definition = check_definition(basics(catalog), catalog)
    bridge = definition.steps(Length.FULL)[8]
    assert bridge.exercise == "glute-bridge"
    assert bridge.dose == DoseOverride(sets=3, reps=8, hold_s=4.0)
    assert bridge.variant == "standard"
    assert [s.exercise for s in definition.steps(Length.SHORT)] == [
        s.exercise for s in catalog.program("back-basics").lengths[Length.SHORT]
    ]


def test_a_dose_outside_the_exercises_safe_range_is_refused_naming_step_and_field(
    catalog: Catalog,
) -> None:
    raw = basics(catalog)
    raw["lengths"]["short"][8]["dose"]["reps"] = 20  # the glute bridge allows 5 to 12
    with pytest.raises(ProgramError) as caught:
        check_definition(raw, catalog)
    message = str(caught.value)
    assert "Short session, step 9 (Glute bridge)" in message
    assert "repetitions 20 is outside this exercise's safe range (5 to 12)" in message


def test_a_dose_field_the_exercise_is_not_dosed_by_is_refused(catalog: Catalog) -> None:
    raw = basics(catalog)
    raw["lengths"]["full"][1]["dose"]["duration_s"] = 30  # neck nods are counted, not timed
    with pytest.raises(ProgramError, match=r"Full session, step 2 \(Neck nods\): duration"):
        check_definition(raw, catalog)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.update(sessions_per_week=9), "sessions_per_week: Input should be less"),
        (lambda r: r["lengths"].update(short=[]), "Short session: add at least one exercise"),
        (
            lambda r: r["lengths"]["short"][0].update(exercise="cartwheel"),
            "Short session, step 1: there is no exercise 'cartwheel'",
        ),
        (
            lambda r: r["lengths"]["full"][3]["dose"].update(sets=0),
            "Full session, step 4, sets: Input should be greater than or equal to 1",
        ),
        (
            lambda r: r["lengths"]["full"][3].update(variant="hardest"),
            "Full session, step 4, variant: Input should be 'easier', 'standard' or 'harder'",
        ),
    ],
)
def test_other_mistakes_are_named_in_plain_words(
    catalog: Catalog, change: Any, expected: str
) -> None:
    raw = basics(catalog)
    change(raw)
    with pytest.raises(ProgramError) as caught:
        check_definition(raw, catalog)
    assert expected in str(caught.value)
    assert str(caught.value).startswith("The program was not saved.")


def test_edits_add_remove_move_dose_variant_and_details(catalog: Catalog) -> None:
    v1 = check_definition(basics(catalog), catalog)
    v2 = apply_edits(
        v1,
        [
            AddStep(op="add", length=Length.FULL, exercise="plank", at=9),
            RemoveStep(op="remove", length=Length.FULL, step=12),  # the superman, moved on by one
            MoveStep(op="move", length=Length.FULL, step=11, to=1),  # the bird-dog first
            SetDose(op="dose", length=Length.FULL, step=11, dose=DoseOverride(reps=10)),
            SetVariant(op="variant", length=Length.FULL, step=1, variant="harder"),
            SetDetails(op="details", sessions_per_week=4),
        ],
        catalog,
    )
    full = [s.exercise for s in v2.steps(Length.FULL)]
    assert full[0] == "bird-dog" and v2.steps(Length.FULL)[0].variant == "harder"
    assert full[9:12] == ["plank", "glute-bridge", "pike-to-arch"]
    assert "superman" not in full
    bridge = next(s for s in v2.steps(Length.FULL) if s.exercise == "glute-bridge")
    assert bridge.dose == DoseOverride(sets=3, reps=10, hold_s=4.0)  # unset fields: kept
    plank = next(s for s in v2.steps(Length.FULL) if s.exercise == "plank")
    assert plank.dose == DoseOverride(sets=2, hold_s=15.0)
    assert v2.sessions_per_week == 4
    assert v1.steps(Length.FULL)[0].exercise == "deep-breathing"  # the old one is untouched


def test_an_edit_naming_a_step_that_is_not_there_says_how_many_there_are(
    catalog: Catalog,
) -> None:
    v1 = check_definition(basics(catalog), catalog)
    with pytest.raises(ProgramError, match="Short session has no step 40 \\(it has 14 steps\\)"):
        apply_edits(v1, [RemoveStep(op="remove", length=Length.SHORT, step=40)], catalog)
    with pytest.raises(ProgramError, match="safe range"):
        apply_edits(
            v1,
            [SetDose(op="dose", length=Length.SHORT, step=9, dose=DoseOverride(hold_s=30))],
            catalog,
        )


def test_the_diff_lists_each_change_as_a_sentence_and_as_data(catalog: Catalog) -> None:
    v1 = check_definition(basics(catalog), catalog)
    v2 = apply_edits(
        v1,
        [
            SetDetails(op="details", sessions_per_week=5, name="Anna's back"),
            AddStep(op="add", length=Length.SHORT, exercise="side-plank"),
            RemoveStep(op="remove", length=Length.SHORT, step=2),
            MoveStep(op="move", length=Length.FULL, step=10, to=9),  # bird-dog before the bridge
            SetDose(op="dose", length=Length.FULL, step=10, dose=DoseOverride(sets=3, reps=12)),
            SetVariant(op="variant", length=Length.SHORT, step=9, variant="easier"),
        ],
        catalog,
    )
    changes = diff(v1, v2, catalog)
    texts = [c.text for c in changes]
    assert "Sessions per week from 5 to 5." not in texts
    assert "Renamed from “Back basics” to “Anna's back”." in texts
    assert "Short session: removed Neck nods (was step 2)." in texts
    assert "Short session: added Side plank as step 14." in texts
    assert "Short session: Bird-dog easier version instead of standard." in texts
    moved = [c for c in changes if c.kind == "moved"]
    assert len(moved) == 1, texts  # one move, not every step after it
    assert moved[0].text == "Full session: moved Bird-dog from step 10 to step 9."
    dose = [c for c in changes if c.kind == "dose"]
    assert [(c.exercise, c.field, c.before, c.after) for c in dose] == [
        ("glute-bridge", "reps", 8, 12)
    ]
    assert dose[0].text == "Full session: Glute bridge repetitions from 8 to 12."
    assert diff(v2, v2, catalog) == []
    back = [c.kind for c in diff(v2, v1, catalog)]
    assert back.count("added") == 1 and back.count("removed") == 1


def test_sessions_per_week_change_is_one_sentence(catalog: Catalog) -> None:
    v1 = check_definition(basics(catalog), catalog)
    v2 = apply_edits(v1, [SetDetails(op="details", sessions_per_week=2)], catalog)
    assert [c.text for c in diff(v1, v2, catalog)] == ["Sessions per week from 3 to 2."]


def test_prescription_compares_an_exercises_steps_across_versions(catalog: Catalog) -> None:
    v1 = check_definition(basics(catalog), catalog)
    v2 = apply_edits(
        v1,
        [SetDose(op="dose", length=Length.FULL, step=9, dose=DoseOverride(reps=10))],
        catalog,
    )
    assert prescription(v1, "bird-dog") == prescription(v2, "bird-dog")
    assert prescription(v1, "glute-bridge") != prescription(v2, "glute-bridge")
    assert isinstance(v2, ProgramDefinition)


def test_a_changed_prescription_starts_afresh_but_pain_keeps_the_history(
    catalog: Catalog,
) -> None:
    done = SessionRecord(
        day=date(2026, 3, 2),
        completed=True,
        exercises=(
            ExerciseRecord("glute-bridge", reps=12),  # prescription changed since
            ExerciseRecord("bird-dog", reps=6),  # same prescription: carries on
            ExerciseRecord("superman", reps=6, hurt=True),  # changed, but it hurt
        ),
        program_version_id=1,
    )
    assigned = AssignedProgram(
        template_id=1,
        version_id=2,
        number=2,
        name="Anna's back",
        sessions_per_week=3,
        program_id="clinic-1",
        catalog=catalog,
        same_as_now={
            "glute-bridge": frozenset({2}),
            "bird-dog": frozenset({1, 2}),
            "superman": frozenset({2}),
        },
    )
    (seen,) = assigned.history([done])
    assert [r.exercise_id for r in seen.exercises] == ["bird-dog", "superman"]
    assert (seen.day, seen.completed) == (done.day, done.completed)  # the session still counts
    assert assigned.label == "Anna's back (version 2)"
