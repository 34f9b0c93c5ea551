"""``/api/v1/clinic/exercises``: a clinician's own exercises and their pictures (clinic mode).

The sign-in gate lets only clinicians and admins reach these routes; the
service (``services.clinic_exercises``) limits each to the clinician's own
exercises (every one, for an admin). Patients see their clinician's exercises
in the exercise library pages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from backcoach.content import Exercise
from backcoach.i18n import _
from backcoach.services import clinic_exercises as service
from backcoach.services.clinic_exercises import ClinicExerciseIn, ClinicExerciseInfo
from backcoach.services.clinic_images import IMAGE_TYPES, MAX_IMAGE_BYTES
from backcoach.web.api.auth import ACCOUNT_ANSWERS
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.image_upload import IMAGE_REQUEST_BODY, read_image_body

#: What these routes may answer besides success (documented once for the router).
EXERCISE_ANSWERS: dict[int | str, dict[str, Any]] = {
    **ACCOUNT_ANSWERS,
    400: {"description": "The exercise does not pass the content checks (reasons per field)"},
    404: {"description": "No such exercise of yours, or local mode (no clinic)"},
    409: {"description": "The id would be a built-in exercise's, or a program uses it"},
}
IMAGE_ANSWERS: dict[int | str, dict[str, Any]] = {
    413: {"description": f"The picture is over {MAX_IMAGE_BYTES} bytes"},
    415: {"description": "Not a PNG, JPEG or WebP picture (by its bytes), or a bad size"},
}

router = APIRouter(prefix="/clinic/exercises", tags=["clinic"], responses=EXERCISE_ANSWERS)


ExerciseId = Annotated[str, Path(max_length=service.MAX_ID)]


class ClinicExerciseOut(BaseModel):
    id: str
    owner_id: int
    updated_at: datetime
    image_url: str | None
    exercise: Exercise

    @classmethod
    def of(cls, info: ClinicExerciseInfo) -> ClinicExerciseOut:
        exercise_id = info.exercise.id
        return cls(
            id=exercise_id,
            owner_id=info.owner_id,
            updated_at=info.updated_at,
            image_url=f"/api/v1/clinic/exercises/{exercise_id}/image" if info.has_image else None,
            exercise=info.exercise,
        )


def _not_found(exercise_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, _("You have no exercise '{id}'.").format(id=exercise_id)
    )


@router.get("")
def list_exercises(db: DbDep, user: UserDep) -> list[ClinicExerciseOut]:
    """Your exercises (every clinician's, for an admin), by name."""
    return [ClinicExerciseOut.of(info) for info in service.list_exercises(db, user_id=user.id)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_exercise(
    body: ClinicExerciseIn, db: DbDep, user: UserDep, catalog: CatalogDep
) -> ClinicExerciseOut:
    """Write a new exercise; its id (``clinic-`` and the name) is in the answer.

    Fields a clinician need not write are filled in: a still figure in ``position``
    (unless ``keyframes`` are given), the voice's lines, the easier and harder ways,
    and camera counting with the generic counter when ``count_with_camera`` is true.
    """
    info = service.create_exercise(db, catalog, user_id=user.id, data=body, now=datetime.now(UTC))
    return ClinicExerciseOut.of(info)


@router.get("/{exercise_id}")
def get_exercise(exercise_id: ExerciseId, db: DbDep, user: UserDep) -> ClinicExerciseOut:
    """One of your exercises."""
    try:
        info = service.get_exercise(db, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        raise _not_found(exercise_id) from None
    return ClinicExerciseOut.of(info)


@router.put("/{exercise_id}")
def update_exercise(
    exercise_id: ExerciseId,
    body: ClinicExerciseIn,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
) -> ClinicExerciseOut:
    """Replace what one of your exercises says; its id stays the same."""
    try:
        info = service.update_exercise(
            db, catalog, user_id=user.id, exercise_id=exercise_id, data=body, now=datetime.now(UTC)
        )
    except LookupError:
        raise _not_found(exercise_id) from None
    return ClinicExerciseOut.of(info)


@router.delete("/{exercise_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_exercise(exercise_id: ExerciseId, db: DbDep, user: UserDep) -> Response:
    """Delete one of your exercises and its picture (409 while a program version uses it)."""
    try:
        service.delete_exercise(db, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        raise _not_found(exercise_id) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/{exercise_id}/image",
    openapi_extra={"requestBody": IMAGE_REQUEST_BODY},
    responses=IMAGE_ANSWERS,
)
async def put_image(
    exercise_id: ExerciseId, request: Request, db: DbDep, user: UserDep
) -> ClinicExerciseOut:
    """Set the exercise's picture: the request body is a PNG, JPEG or WebP file.

    The type is read from the file's bytes (not its name or Content-Type); the
    picture shows instead of the figure.
    """
    data = await read_image_body(request)
    try:
        info = await run_in_threadpool(
            lambda: service.set_image(
                db, user_id=user.id, exercise_id=exercise_id, data=data, now=datetime.now(UTC)
            )
        )
    except LookupError:
        raise _not_found(exercise_id) from None
    return ClinicExerciseOut.of(info)


@router.get(
    "/{exercise_id}/image",
    response_class=Response,
    responses={
        200: {
            "description": "The picture",
            "content": {media_type: {} for media_type in IMAGE_TYPES},
        }
    },
)
def get_image(exercise_id: ExerciseId, db: DbDep, user: UserDep) -> Response:
    """The exercise's picture, with its media type."""
    try:
        data, media_type = service.exercise_image(db, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("This exercise has no picture.")) from None
    return image_response(data, media_type)


@router.delete("/{exercise_id}/image", status_code=status.HTTP_204_NO_CONTENT)
def delete_image(exercise_id: ExerciseId, db: DbDep, user: UserDep) -> Response:
    """Take the picture off the exercise (the figure shows again)."""
    try:
        service.remove_image(db, user_id=user.id, exercise_id=exercise_id, now=datetime.now(UTC))
    except LookupError:
        raise _not_found(exercise_id) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def image_response(data: bytes, media_type: str) -> Response:
    """A stored picture as an answer: its own type, never sniffed, kept private."""
    headers = {
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    }
    return Response(data, media_type=media_type, headers=headers)
