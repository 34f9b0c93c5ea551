"""The camera check groups exercises by where the camera goes, derived from the content."""

from __future__ import annotations

from backcoach.content import View, default_catalog
from backcoach.web.pages.camera import camera_practice, placements, stands


def test_every_checked_exercise_has_exactly_one_placement() -> None:
    checked = [e for e in default_catalog().exercises.values() if camera_practice(e)]
    groups = placements(checked)
    named = [name for group in groups for name in group.names]
    assert sorted(named) == sorted(e.name for e in checked)
    by_key = {group.key: group for group in groups}
    for exercise in checked:
        where = "standing" if stands(exercise) else "floor"
        assert exercise.name in by_key[f"{where}-{exercise.camera.view.value}"].names


def test_the_start_keyframe_agrees_with_the_start_position_text() -> None:
    """Standing exercises say "Stand ..." in their start position; nothing else does."""
    for exercise in default_catalog().exercises.values():
        says_stand = exercise.start_position.lstrip().startswith("Stand")
        assert stands(exercise) == says_stand, exercise.id


def test_the_cases_the_issue_names() -> None:
    catalog = default_catalog()
    by_key = {g.key: g.names for g in placements(list(catalog.exercises.values()))}
    for exercise_id in (
        "squat",
        "high-knee-march",
        "standing-forward-bend",
        "neck-nods",
        "shoulder-circles",
    ):
        exercise = catalog.exercise(exercise_id)
        assert exercise.camera.view is View.SIDE
        assert exercise.name in by_key["standing-side"], exercise_id
    assert catalog.exercise("side-plank").name in by_key["floor-front"]
    assert catalog.exercise("glute-bridge").name in by_key["floor-side"]
    assert catalog.exercise("bird-dog").name in by_key["floor-side"]
    titles = [g.title for g in placements(list(catalog.exercises.values()))]
    assert titles[0] == "Floor exercises: side view"
