"""The content's ``camera`` block and the analyzer registry tell the same story.

``camera.supported`` in an exercise's YAML is what the pages and the CLI use
to offer camera coaching; the registry (``vision.analyzers.available()``) is
what can actually count it. They must agree exercise by exercise, and an
analyzer that insists on a camera view must insist on the one the content
tells people to film from.
"""

from __future__ import annotations

import pytest

from backcoach.content import default_catalog
from backcoach.vision.analyzers import available, get_analyzer
from backcoach.vision.generic import GenericAnalyzer
from backcoach.vision.view import SetupCheck

CATALOG = default_catalog()
#: The exercise-agnostic counter is registered too, under an id that is no exercise.
GENERIC = GenericAnalyzer.exercise_id


def test_the_generic_counter_is_registered_under_a_non_exercise_id() -> None:
    assert GENERIC in available()
    assert GENERIC not in CATALOG.exercises


def test_camera_supported_exactly_for_exercises_with_a_registered_analyzer() -> None:
    supported = {e.id for e in CATALOG.exercises.values() if e.camera.supported}
    registered = set(available()) - {GENERIC}
    assert sorted(supported - registered) == [], "camera.supported: true but no analyzer"
    assert sorted(registered - supported) == [], "an analyzer, but camera.supported is not true"
    assert supported  # the comparison is about something


def test_some_exercises_have_no_camera_support() -> None:
    # Both sides of the rule are exercised by the shipped content.
    assert any(not e.camera.supported for e in CATALOG.exercises.values())


@pytest.mark.parametrize(
    "exercise_id", sorted(e.id for e in CATALOG.exercises.values() if e.camera.supported)
)
def test_an_analyzer_that_expects_a_view_expects_the_content_view(exercise_id: str) -> None:
    setup = getattr(get_analyzer(exercise_id), "setup", None)
    assert isinstance(setup, SetupCheck), "every exercise analyzer checks the camera setup"
    if setup.expected_view is not None:
        assert setup.expected_view == CATALOG.exercise(exercise_id).camera.view.value
