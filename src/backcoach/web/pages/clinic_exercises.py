"""``/clinic/exercises``: a clinician writes their own exercises; patients see them in the library.

The clinician's pages: the list, a form to write or change an exercise (errors
next to the fields, in plain words), its picture (a file upload whose CSRF token
travels in the action URL, see ``web.security.csrf``) and a preview of the page
the patients see. The patient's side is in the exercise library (``/exercises``):
``library_section`` lists their clinician's exercises under "From your
clinician" and ``clinic_detail`` is such an exercise's own page. The rules and the
scope (whose exercises who sees) are ``services.clinic_exercises``'.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from backcoach.content import Exercise, Kind, Stage, View
from backcoach.i18n import N_, _
from backcoach.services import clinic_exercises as service
from backcoach.services.clinic_exercises import (
    POSITION_LABELS,
    ClinicExerciseIn,
    ClinicExerciseInfo,
    ExerciseIdTaken,
    ExerciseInUse,
    ExerciseInvalid,
    Position,
)
from backcoach.services.clinic_images import MAX_IMAGE_BYTES, ImageRefused
from backcoach.services.safety import exercise_block
from backcoach.store import User
from backcoach.vision.analyzers import available
from backcoach.web.api.clinic_exercises import ExerciseId, image_response
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.figures import keyframe_figure, thumbnail
from backcoach.web.image_upload import IMAGE_FIELD, read_image_form
from backcoach.web.templating import render

router = APIRouter(prefix="/clinic/exercises", tags=["pages"], include_in_schema=False)

MESSAGES = {
    "created": N_("Exercise saved. Your patients see it in their exercise library."),
    "saved": N_("Changes saved."),
    "deleted": N_("Exercise deleted."),
    "image": N_("Picture saved: it shows instead of the figure."),
    "image-removed": N_("Picture removed: the figure shows again."),
}
#: The form's choices (``Stage``, ``Kind`` and ``View`` values) as people read them.
STAGE_LABELS = {
    Stage.WARM_UP: N_("Warm-up"),
    Stage.WORKOUT: N_("Workout"),
    Stage.COOL_DOWN: N_("Cool-down"),
}
KIND_LABELS = {
    Kind.REPS: N_("Reps"),
    Kind.HOLD: N_("Hold"),
    Kind.TIMED: N_("Timed"),
    Kind.BREATHING: N_("Breathing"),
}
VIEW_LABELS = {View.SIDE: N_("Side view"), View.FRONT: N_("Front view")}
#: The form's value for "keep the figure given through the API" (not a ``Position``).
OWN_FIGURE = "own-figure"
LIST_FIELDS = ("muscles", "steps", "mistakes", "safety", "avoid_if")
AMOUNTS = ("sets", "reps", "hold_s", "duration_s")
TEXT_FIELDS = (
    "name",
    "stage",
    "kind",
    "purpose",
    "start_position",
    "breathing",
    "camera_view",
    "position",
    "voice_setup",
    "voice_cue",
    "notes",
    "rest_s",
)


def _message(done: str) -> str | None:
    """What a ``?done=`` after a change says, in the language in use."""
    message = MESSAGES.get(done)
    return None if message is None else _(message)


def _not_found(exercise_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, _("You have no exercise '{id}'.").format(id=exercise_id)
    )


# --- the form's values <-> the service's input ------------------------------------------


def _lines(text: str, *, commas: bool = False) -> list[str]:
    parts = text.replace(",", "\n").splitlines() if commas else text.splitlines()
    return [part.strip() for part in parts if part.strip()]


def _number(text: str) -> str | None:
    return text.strip() or None


def form_values(form: FormData) -> dict[str, str]:
    """The submitted form as strings, to show again as typed."""
    values = {name: str(form.get(name) or "") for name in (*TEXT_FIELDS, *LIST_FIELDS)}
    for amount in AMOUNTS:
        for suffix in ("", "_min", "_max"):
            values[amount + suffix] = str(form.get(amount + suffix) or "")
    for name in ("easier_name", "easier_how", "harder_name", "harder_how"):
        values[name] = str(form.get(name) or "")
    for box in ("per_side", "count_with_camera"):
        values[box] = "on" if form.get(box) else ""
    return values


def _variant(values: dict[str, str], which: str) -> dict[str, str] | None:
    name, how = values[f"{which}_name"].strip(), values[f"{which}_how"].strip()
    return {"name": name, "how": how} if name or how else None


def _amount(values: dict[str, str], name: str) -> dict[str, str | None] | None:
    given = {
        "default": _number(values[name]),
        "min": _number(values[name + "_min"]),
        "max": _number(values[name + "_max"]),
    }
    if not any(given.values()):
        return None
    return {key: value for key, value in given.items() if value is not None}


def raw_input(values: dict[str, str], own_figure: list[Any] | None) -> dict[str, Any]:
    """The form's values as ``ClinicExerciseIn`` data (not yet checked)."""
    dosage: dict[str, Any] = {
        name: amount for name in AMOUNTS if (amount := _amount(values, name)) is not None
    }
    dosage["per_side"] = values["per_side"] == "on"
    if values["rest_s"].strip():
        dosage["rest_s"] = values["rest_s"].strip()
    raw: dict[str, Any] = {
        name: values[name].strip()
        for name in ("name", "purpose", "start_position", "breathing", "voice_setup", "voice_cue")
    }
    raw.update(
        stage=values["stage"] or Stage.WORKOUT.value,
        kind=values["kind"] or Kind.REPS.value,
        notes=values["notes"].strip(),
        muscles=_lines(values["muscles"], commas=True),
        steps=_lines(values["steps"]),
        mistakes=_lines(values["mistakes"]),
        safety=_lines(values["safety"]),
        avoid_if=_lines(values["avoid_if"]),
        dosage=dosage,
        easier=_variant(values, "easier"),
        harder=_variant(values, "harder"),
        count_with_camera=values["count_with_camera"] == "on",
        camera_view=values["camera_view"] or View.SIDE.value,
    )
    if values["position"] == OWN_FIGURE and own_figure:
        raw["keyframes"] = own_figure
    else:
        raw["position"] = values["position"] or Position.STANDING.value
    return raw


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def values_of(data: ClinicExerciseIn) -> dict[str, str]:
    """An exercise's input as the form's strings."""
    values = dict.fromkeys((*TEXT_FIELDS, *LIST_FIELDS), "")
    values.update(
        name=data.name,
        stage=data.stage.value,
        kind=data.kind.value,
        purpose=data.purpose,
        start_position=data.start_position,
        breathing=data.breathing,
        camera_view=data.camera_view.value,
        position=OWN_FIGURE if data.keyframes else data.position.value,
        voice_setup=data.voice_setup,
        voice_cue=data.voice_cue,
        notes=data.notes,
        rest_s=str(data.dosage.rest_s),
        per_side="on" if data.dosage.per_side else "",
        count_with_camera="on" if data.count_with_camera else "",
    )
    for name in LIST_FIELDS:
        values[name] = "\n".join(getattr(data, name))
    for name in AMOUNTS:
        amount = getattr(data.dosage, name)
        values[name] = "" if amount is None else _shown(amount.default)
        values[name + "_min"] = "" if amount is None else _shown(amount.min)
        values[name + "_max"] = "" if amount is None else _shown(amount.max)
    for which in ("easier", "harder"):
        variant = getattr(data, which)
        values[f"{which}_name"] = "" if variant is None else variant.name
        values[f"{which}_how"] = "" if variant is None else variant.how
    return values


def blank_values() -> dict[str, str]:
    values = dict.fromkeys((*TEXT_FIELDS, *LIST_FIELDS), "")
    for amount in AMOUNTS:
        for suffix in ("", "_min", "_max"):
            values[amount + suffix] = ""
    values.update(
        stage=Stage.WORKOUT.value,
        kind=Kind.REPS.value,
        camera_view=View.SIDE.value,
        position=Position.STANDING.value,
        rest_s="20",
        sets="2",
        sets_min="1",
        sets_max="3",
        easier_name="",
        easier_how="",
        harder_name="",
        harder_how="",
        per_side="",
        count_with_camera="",
    )
    return values


# --- the clinician's pages ---------------------------------------------------------------


def _form_page(
    request: Request,
    *,
    values: dict[str, str],
    info: ClinicExerciseInfo | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    image_error: str | None = None,
    delete_error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "info": info,
        "errors": errors or {},
        "message": message,
        "image_error": image_error,
        "delete_error": delete_error,
        "stages": [(s.value, _(STAGE_LABELS[s])) for s in Stage],
        "kinds": [(k.value, _(KIND_LABELS[k])) for k in Kind],
        "views": [(v.value, _(VIEW_LABELS[v])) for v in View],
        "positions": [(p.value, _(POSITION_LABELS[p])) for p in Position],
        "own_figure": OWN_FIGURE,
        "max_image_mb": MAX_IMAGE_BYTES // (1024 * 1024),
        "image_field": IMAGE_FIELD,
    }
    return render(request, "clinic_exercises/form.html", context, status_code=status_code)


@router.get("")
def list_page(request: Request, db: DbDep, user: UserDep, done: str = "") -> Response:
    infos = service.list_exercises(db, user_id=user.id)
    context = {
        "infos": infos,
        "thumbnails": {info.exercise.id: thumbnail(info.exercise) for info in infos},
        "message": _message(done),
    }
    return render(request, "clinic_exercises/index.html", context)


@router.get("/new")
def new_page(request: Request) -> Response:
    return _form_page(request, values=blank_values())


@router.post("/new")
async def create(request: Request, db: DbDep, user: UserDep, catalog: CatalogDep) -> Response:
    values = form_values(await request.form())

    def work() -> ClinicExerciseInfo:
        data = _checked(values, None)
        return service.create_exercise(
            db, catalog, user_id=user.id, data=data, now=datetime.now(UTC)
        )

    try:
        info = await run_in_threadpool(work)
    except ExerciseInvalid as invalid:
        return _form_page(request, values=values, errors=invalid.problems, status_code=422)
    except ExerciseIdTaken as taken:
        return _form_page(request, values=values, errors={"name": str(taken)}, status_code=409)
    return RedirectResponse(f"/clinic/exercises/{info.exercise.id}?done=created", 303)


def _checked(values: dict[str, str], own_figure: list[Any] | None) -> ClinicExerciseIn:
    try:
        return ClinicExerciseIn.model_validate(raw_input(values, own_figure))
    except ValidationError as exc:
        raise ExerciseInvalid(service.field_problems(exc.errors())) from None


def _owned(db: DbDep, user: User, exercise_id: str) -> ClinicExerciseInfo:
    try:
        return service.get_exercise(db, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        raise _not_found(exercise_id) from None


@router.get("/{exercise_id}")
def edit_page(
    request: Request,
    exercise_id: ExerciseId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    done: str = "",
) -> Response:
    info = _owned(db, user, exercise_id)
    values = values_of(service.input_of(catalog, info.exercise))
    return _form_page(request, values=values, info=info, message=_message(done))


@router.post("/{exercise_id}")
async def update(
    request: Request,
    exercise_id: ExerciseId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
) -> Response:
    values = form_values(await request.form())
    info = await run_in_threadpool(_owned, db, user, exercise_id)

    def work() -> ClinicExerciseInfo:
        own = [k.model_dump() for k in info.exercise.keyframes]
        data = _checked(values, own)
        return service.update_exercise(
            db, catalog, user_id=user.id, exercise_id=exercise_id, data=data, now=datetime.now(UTC)
        )

    try:
        await run_in_threadpool(work)
    except ExerciseInvalid as invalid:
        return _form_page(
            request, values=values, info=info, errors=invalid.problems, status_code=422
        )
    except LookupError:
        raise _not_found(exercise_id) from None
    return RedirectResponse(f"/clinic/exercises/{exercise_id}?done=saved", 303)


@router.post("/{exercise_id}/delete")
def delete(
    request: Request,
    exercise_id: ExerciseId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
) -> Response:
    info = _owned(db, user, exercise_id)
    try:
        service.delete_exercise(db, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        raise _not_found(exercise_id) from None
    except ExerciseInUse as in_use:
        values = values_of(service.input_of(catalog, info.exercise))
        return _form_page(
            request, values=values, info=info, delete_error=str(in_use), status_code=409
        )
    return RedirectResponse("/clinic/exercises?done=deleted", 303)


@router.post("/{exercise_id}/image")
async def upload_image(
    request: Request,
    exercise_id: ExerciseId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
) -> Response:
    """The picture from the form (multipart; the CSRF token is in the action URL)."""
    info = await run_in_threadpool(_owned, db, user, exercise_id)
    try:
        data = await read_image_form(request)
        await run_in_threadpool(
            lambda: service.set_image(
                db, user_id=user.id, exercise_id=exercise_id, data=data, now=datetime.now(UTC)
            )
        )
    except ImageRefused as refused:
        values = values_of(service.input_of(catalog, info.exercise))
        return _form_page(
            request,
            values=values,
            info=info,
            image_error=str(refused),
            status_code=refused.http_status,
        )
    return RedirectResponse(f"/clinic/exercises/{exercise_id}?done=image", 303)


@router.post("/{exercise_id}/image/delete")
def remove_image(exercise_id: ExerciseId, db: DbDep, user: UserDep) -> Response:
    try:
        service.remove_image(db, user_id=user.id, exercise_id=exercise_id, now=datetime.now(UTC))
    except LookupError:
        raise _not_found(exercise_id) from None
    return RedirectResponse(f"/clinic/exercises/{exercise_id}?done=image-removed", 303)


@router.get("/{exercise_id}/preview")
def preview(request: Request, exercise_id: ExerciseId, db: DbDep, user: UserDep) -> Response:
    """The page a patient sees for this exercise, marked as a preview."""
    info = _owned(db, user, exercise_id)
    return _detail(request, info, block=None, preview=True)


# --- the patient's side: the exercise library ----------------------------------------------


def library_section(
    db: DbDep, *, user_id: int, stage: Stage | None, query: str
) -> tuple[list[Exercise], dict[str, Any], set[str]]:
    """The user's clinic exercises matching the library's filter, their thumbnails, and
    which of them have a picture."""
    infos = service.find_visible(db, user_id=user_id, stage=stage, query=query)
    found = [i.exercise for i in infos]
    pictures = {i.exercise.id for i in infos if i.has_image}
    return found, {e.id: thumbnail(e) for e in found}, pictures


def clinic_detail(request: Request, db: DbDep, user: User, exercise_id: str) -> Response:
    """The library page of a clinic exercise the user may see (404 otherwise)."""
    try:
        info = service.visible_exercise(db, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        raise HTTPException(
            404, _("There is no exercise called '{id}'.").format(id=exercise_id)
        ) from None
    return _detail(request, info, block=exercise_block(db, user_id=user.id), preview=False)


def _detail(request: Request, info: ClinicExerciseInfo, *, block: Any, preview: bool) -> Response:
    exercise = info.exercise
    context = {
        "exercise": exercise,
        "camera_practice": block is None and clinic_camera(exercise),
        "figure": None if info.has_image else keyframe_figure(exercise),
        "image_url": f"/exercises/{exercise.id}/image" if info.has_image else None,
        "block": block,
        "preview": preview,
    }
    return render(request, "clinic_exercises/detail.html", context)


def clinic_camera(exercise: Exercise) -> bool:
    """The page offers camera practice: counting is on and the generic counter is installed."""
    return exercise.camera.supported and service.CAMERA_COUNTER in available()


library_router = APIRouter(prefix="/exercises", tags=["pages"], include_in_schema=False)


@library_router.get("/{exercise_id}/image")
def library_image(exercise_id: ExerciseId, db: DbDep, user: UserDep) -> Response:
    """A clinic exercise's picture, for anyone who may see the exercise."""
    try:
        data, media_type = service.exercise_image(db, user_id=user.id, exercise_id=exercise_id)
    except LookupError:
        raise HTTPException(404, _("This exercise has no picture.")) from None
    return image_response(data, media_type)
