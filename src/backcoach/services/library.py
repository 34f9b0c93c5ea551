"""Finding exercises in the catalog: the one filter the library page and the API share."""

from __future__ import annotations

from backcoach.content import Catalog, Exercise, Stage

STAGE_ORDER = {stage: i for i, stage in enumerate(Stage)}


def find_exercises(
    catalog: Catalog, *, stage: Stage | None = None, query: str = ""
) -> list[Exercise]:
    """Exercises of ``stage`` (all when None) whose text mentions every word of ``query``.

    Ordered as a session runs: warm-up, workout, cool-down; core program before extras.
    """
    words = query.casefold().split()
    found = [
        exercise
        for exercise in catalog.exercises.values()
        if (stage is None or exercise.stage is stage)
        and all(word in _haystack(exercise) for word in words)
    ]
    return sorted(found, key=lambda e: (STAGE_ORDER[e.stage], not e.core))


def _haystack(exercise: Exercise) -> str:
    return " ".join(
        [exercise.id, exercise.name, exercise.purpose, *exercise.muscles, exercise.stage.value]
    ).casefold()
