"""``/api/v1/exercises``: the exercise library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from backcoach.content import Dosage, Exercise, Kind, Stage
from backcoach.services.library import find_exercises
from backcoach.web.deps import CatalogDep

router = APIRouter(prefix="/exercises", tags=["exercises"])


class ExerciseSummary(BaseModel):
    id: str
    name: str
    stage: Stage
    kind: Kind
    core: bool
    purpose: str
    dosage: Dosage
    camera_supported: bool

    @classmethod
    def of(cls, exercise: Exercise) -> ExerciseSummary:
        return cls(
            id=exercise.id,
            name=exercise.name,
            stage=exercise.stage,
            kind=exercise.kind,
            core=exercise.core,
            purpose=exercise.purpose,
            dosage=exercise.dosage,
            camera_supported=exercise.camera.supported,
        )


@router.get("")
def list_exercises(
    catalog: CatalogDep,
    stage: Stage | None = None,
    q: Annotated[str, Query(max_length=100, description="Words to search for")] = "",
) -> list[ExerciseSummary]:
    """Exercises, optionally of one stage and matching every word of ``q``."""
    return [ExerciseSummary.of(e) for e in find_exercises(catalog, stage=stage, query=q)]


@router.get("/{exercise_id}", responses={404: {"description": "No exercise with this id"}})
def get_exercise(exercise_id: str, catalog: CatalogDep) -> Exercise:
    """One exercise with everything: steps, mistakes, safety, dosing, variants, keyframes."""
    try:
        return catalog.exercise(exercise_id)
    except KeyError:
        raise HTTPException(404, f"No exercise with id '{exercise_id}'.") from None
