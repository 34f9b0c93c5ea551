"""``/api/v1/exercises``: the exercise library (in clinic mode with the clinician's own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from backcoach.content import Dosage, Exercise, Kind, Stage
from backcoach.i18n import _
from backcoach.services.clinic_exercises import find_visible, visible_exercise
from backcoach.services.library import find_exercises
from backcoach.web.deps import CatalogDep, DbDep, UserDep

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
    db: DbDep,
    user: UserDep,
    stage: Stage | None = None,
    q: Annotated[str, Query(max_length=100, description="Words to search for")] = "",
) -> list[ExerciseSummary]:
    """Exercises, optionally of one stage and matching every word of ``q``: the built-in
    ones, then (clinic mode) those the user's clinician wrote."""
    found = find_exercises(catalog, stage=stage, query=q)
    theirs = find_visible(db, user_id=user.id, stage=stage, query=q)
    return [ExerciseSummary.of(e) for e in (*found, *(info.exercise for info in theirs))]


@router.get("/{exercise_id}", responses={404: {"description": "No exercise with this id"}})
def get_exercise(exercise_id: str, catalog: CatalogDep, db: DbDep, user: UserDep) -> Exercise:
    """One exercise with everything: steps, mistakes, safety, dosing, variants, keyframes
    (a built-in one, or one the user's clinician wrote)."""
    try:
        return catalog.exercise(exercise_id)
    except KeyError:
        pass
    try:
        return visible_exercise(db, user_id=user.id, exercise_id=exercise_id).exercise
    except LookupError:
        message = _("No exercise with id '{id}'.").format(id=exercise_id)
        raise HTTPException(404, message) from None
