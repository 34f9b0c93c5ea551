"""Exercises a clinician writes for their patients (clinic mode).

Rules, in plain words:

- Only clinicians (and admins) write exercises; a clinician changes and deletes
  only their own, an admin anyone's. Someone else's exercise is "not found".
- Who sees an exercise: its author; an admin; and the author's patients (the
  clinician they are linked to). ``clinic_exercises_for`` applies that scope, here
  in the service, for every page and socket that shows exercises.
- An exercise is checked with the very model the built-in content uses
  (``content.Exercise``) and stored as the content YAML would hold it. The form
  asks only what a clinician knows (``ClinicExerciseIn``); the rest is filled in:
  a still figure from an existing exercise in the chosen start position, the
  voice's lines, an easier and a harder way, and camera counting with the
  generic counter when it is ticked (repetitions only).
- Its id is ``clinic-`` and the name as a slug (``clinic-hip-hinge``), a number
  added when taken; it never changes (program templates keep it), and an id of
  the built-in catalog is refused.
- An exercise a program version names is never deleted (versions are kept as
  given, so a patient's history always finds its exercises).
- Exercises are not patient data: nothing here writes to the audit log.

Every function commits what it changes.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import ColumnElement, Text, cast, delete, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backcoach.content import Catalog, Dosage, Exercise, Keyframe, Kind, Stage, Variant, View
from backcoach.errors import BackcoachError, NotAllowed
from backcoach.i18n import N_, _
from backcoach.services.clinic_images import check_image
from backcoach.services.library import find_exercises
from backcoach.store import (
    CareLink,
    ClinicExercise,
    ProgramAssignment,
    ProgramTemplate,
    ProgramVersion,
    Role,
    User,
)
from backcoach.store.revision import mark_changed

logger = logging.getLogger(__name__)

ID_PREFIX = "clinic-"
MAX_ID = 64
AUTHORS = (Role.CLINICIAN, Role.ADMIN)
AUTHORS_ONLY = N_("Only clinicians can write exercises.")
#: The analyzer that counts a clinic exercise when camera counting is on (``vision.generic``).
CAMERA_COUNTER = "generic"
CAMERA_NOTES = N_(
    "The camera counts the repetitions with its general counter; it does not check form."
)

# The defaults are stored in English, as written here, and translated where shown.
DEFAULT_MISTAKES = (N_("Moving quickly or holding the breath."),)
DEFAULT_EASIER = Variant(
    name=N_("Smaller and slower"),
    how=N_("Move through a smaller range and do fewer repetitions, staying comfortable."),
)
DEFAULT_HARDER = Variant(
    name=N_("Ask your clinician"),
    how=N_("Your clinician will tell you when and how to make it harder."),
)
DEFAULT_CUE = N_("Move slowly and breathe steadily.")


class Position(StrEnum):
    """The start position a figure is borrowed for (see ``POSITION_SOURCES``)."""

    STANDING = "standing"
    LYING_ON_BACK = "lying-on-back"
    ALL_FOURS = "all-fours"
    LYING_FACE_DOWN = "lying-face-down"


#: Position -> the built-in exercise whose first key position shows it, and the voice's
#: set-up line for it.
POSITION_SOURCES: dict[Position, tuple[str, str]] = {
    Position.STANDING: (
        "squat",
        N_("Stand tall with your feet hip width apart and your arms relaxed by your sides."),
    ),
    Position.LYING_ON_BACK: (
        "glute-bridge",
        N_("Lie on your back on a mat with your knees bent and your feet flat."),
    ),
    Position.ALL_FOURS: (
        "bird-dog",
        N_("Kneel on all fours with your hands under your shoulders and knees under your hips."),
    ),
    Position.LYING_FACE_DOWN: (
        "superman",
        N_("Lie face down on a mat with your forehead resting and your body long."),
    ),
}
POSITION_LABELS = {
    Position.STANDING: N_("Standing"),
    Position.LYING_ON_BACK: N_("Lying on the back"),
    Position.ALL_FOURS: N_("On all fours"),
    Position.LYING_FACE_DOWN: N_("Lying face down"),
}


class ExerciseInvalid(BackcoachError):
    """The exercise does not pass the content's checks; ``problems`` says why, per field."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        reasons = "; ".join(f"{field}: {text}" for field, text in problems.items())
        super().__init__(_("The exercise was not saved: {reasons}").format(reasons=reasons))


class ExerciseIdTaken(BackcoachError):
    """The exercise's id is a built-in exercise's (or was taken a moment ago)."""

    http_status = 409


class ExerciseInUse(BackcoachError):
    """A program version uses the exercise, so it stays (versions are never changed)."""

    http_status = 409


class ClinicExerciseIn(BaseModel):
    """What a clinician writes; everything else of a content ``Exercise`` is filled in.

    ``keyframes`` (a figure of their own, as in the content YAML) replaces the still
    figure of ``position`` when given.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    stage: Stage = Stage.WORKOUT
    kind: Kind = Kind.REPS
    purpose: str = Field(min_length=1, max_length=600)
    muscles: list[str] = Field(min_length=1, max_length=12)
    start_position: str = Field(min_length=1, max_length=800)
    steps: list[str] = Field(min_length=2, max_length=12)
    breathing: str = Field(min_length=1, max_length=400)
    mistakes: list[str] = Field(default_factory=list, max_length=10)
    safety: list[str] = Field(min_length=1, max_length=10)
    avoid_if: list[str] = Field(min_length=1, max_length=10)
    dosage: Dosage
    easier: Variant | None = None
    harder: Variant | None = None
    count_with_camera: bool = False
    camera_view: View = View.SIDE
    position: Position = Position.STANDING
    keyframes: list[Keyframe] | None = Field(default=None, min_length=2, max_length=12)
    voice_setup: str = Field(default="", max_length=200)
    voice_cue: str = Field(default="", max_length=120)
    notes: str = Field(default="", max_length=800)


@dataclass(frozen=True)
class ClinicExerciseInfo:
    """A clinic exercise with what the pages need besides the exercise itself."""

    exercise: Exercise
    owner_id: int
    image_type: str | None
    updated_at: datetime

    @property
    def has_image(self) -> bool:
        return self.image_type is not None


def _user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotAllowed(_(AUTHORS_ONLY))
    return user


def _author(db: Session, user_id: int) -> User:
    user = _user(db, user_id)
    if user.role not in AUTHORS:
        raise NotAllowed(_(AUTHORS_ONLY))
    return user


def _written_by(user: User) -> ColumnElement[bool]:
    """The rows ``user`` may change: their own, or every row for an admin."""
    return true() if user.role is Role.ADMIN else ClinicExercise.owner_id == user.id


def _seen_by(db: Session, user: User) -> ColumnElement[bool] | None:
    """The rows ``user`` may see, or None when they see none."""
    if user.role in AUTHORS:
        return _written_by(user)
    if user.role is Role.PATIENT:
        clinician = db.scalar(select(CareLink.clinician_id).where(CareLink.patient_id == user.id))
        return None if clinician is None else ClinicExercise.owner_id == clinician
    return None


def _info(row: ClinicExercise) -> ClinicExerciseInfo:
    return ClinicExerciseInfo(
        exercise=Exercise.model_validate(row.definition),
        owner_id=row.owner_id,
        image_type=row.image_type,
        updated_at=row.updated_at,
    )


def _rows(db: Session, scope: ColumnElement[bool]) -> list[ClinicExerciseInfo]:
    found: list[ClinicExerciseInfo] = []
    for row in db.scalars(select(ClinicExercise).where(scope).order_by(ClinicExercise.id)):
        try:
            found.append(_info(row))
        except ValidationError:  # written under older content rules: keep it, but skip it
            logger.warning("clinic exercise %s no longer passes the content checks", row.id)
    return sorted(found, key=lambda info: info.exercise.name.casefold())


def list_exercises(db: Session, *, user_id: int) -> list[ClinicExerciseInfo]:
    """The exercises this clinician wrote (every clinic exercise, for an admin), by name."""
    return _rows(db, _written_by(_author(db, user_id)))


def clinic_exercises_for(db: Session, *, user_id: int) -> list[Exercise]:
    """The clinic exercises ``user_id`` may see, by name.

    A patient sees their clinician's, a clinician their own, an admin all; the local
    user of a local install none.
    """
    return [info.exercise for info in visible_exercises(db, user_id=user_id)]


def visible_exercises(db: Session, *, user_id: int) -> list[ClinicExerciseInfo]:
    """``clinic_exercises_for`` with whether each has a picture."""
    user = db.get(User, user_id)
    scope = None if user is None else _seen_by(db, user)
    return [] if scope is None else _rows(db, scope)


def visible_exercise(db: Session, *, user_id: int, exercise_id: str) -> ClinicExerciseInfo:
    """One exercise ``user_id`` may see.

    Raises:
        LookupError: there is none with that id, or it is not theirs to see.
    """
    row = _visible_row(db, user_id=user_id, exercise_id=exercise_id)
    return _info(row)


def find_visible(
    db: Session, *, user_id: int, stage: Stage | None = None, query: str = ""
) -> list[ClinicExerciseInfo]:
    """The clinic exercises ``user_id`` may see that match the library's filter
    (``services.library.find_exercises``: a stage, every word of ``query``)."""
    infos = {info.exercise.id: info for info in visible_exercises(db, user_id=user_id)}
    if not infos:
        return []
    theirs = Catalog(
        exercises={i: info.exercise for i, info in infos.items()}, programs={}, tips=()
    )
    return [infos[e.id] for e in find_exercises(theirs, stage=stage, query=query)]


def _visible_row(db: Session, *, user_id: int, exercise_id: str) -> ClinicExercise:
    user = db.get(User, user_id)
    scope = None if user is None else _seen_by(db, user)
    row = None
    if scope is not None and exercise_id.startswith(ID_PREFIX):
        row = db.scalar(
            select(ClinicExercise).where(ClinicExercise.exercise_id == exercise_id, scope)
        )
    if row is None:
        raise LookupError(exercise_id)
    return row


def exercise_image(db: Session, *, user_id: int, exercise_id: str) -> tuple[bytes, str]:
    """The picture of an exercise ``user_id`` may see, and its media type.

    Raises:
        LookupError: no such exercise for this user, or it has no picture.
    """
    row = _visible_row(db, user_id=user_id, exercise_id=exercise_id)
    if row.image is None or row.image_type is None:
        raise LookupError(exercise_id)
    return row.image, row.image_type


def _owned_row(db: Session, *, user_id: int, exercise_id: str) -> ClinicExercise:
    user = _author(db, user_id)
    row = db.scalar(
        select(ClinicExercise).where(ClinicExercise.exercise_id == exercise_id, _written_by(user))
    )
    if row is None:
        raise LookupError(exercise_id)
    return row


def get_exercise(db: Session, *, user_id: int, exercise_id: str) -> ClinicExerciseInfo:
    """One exercise this clinician may change (their own; any, for an admin).

    Raises:
        LookupError: no such exercise, or someone else's.
    """
    return _info(_owned_row(db, user_id=user_id, exercise_id=exercise_id))


def slug(name: str) -> str:
    """``name`` as lower-case ASCII words joined by hyphens ("Hip hinge!" -> "hip-hinge")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.casefold())
    text = "-".join(words)[: MAX_ID - len(ID_PREFIX) - 4].strip("-")
    return text or "exercise"


def _new_id(db: Session, catalog: Catalog, name: str) -> str:
    base = ID_PREFIX + slug(name)
    if base in catalog.exercises:
        raise ExerciseIdTaken(
            _("The id '{id}' belongs to a built-in exercise; give yours another name.").format(
                id=base
            )
        )
    taken = set(
        db.scalars(
            select(ClinicExercise.exercise_id).where(
                ClinicExercise.exercise_id.startswith(base, autoescape=True)
            )
        )
    )
    candidate, number = base, 1
    while candidate in taken or candidate in catalog.exercises:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def figure_for(catalog: Catalog, position: Position) -> list[Keyframe]:
    """A still figure in ``position``: a built-in exercise's first key position, twice."""
    source = catalog.exercise(POSITION_SOURCES[position][0]).keyframes[0]
    # The name is said in the language of the catalog, as the first position's is.
    back = source.model_copy(update={"name": _("back to the start"), "hold_s": 0})
    return [source, back]


def position_of(catalog: Catalog, exercise: Exercise) -> Position | None:
    """The position whose still figure the exercise shows; None for a figure of its own."""
    for position in Position:
        if exercise.keyframes == figure_for(catalog, position):
            return position
    return None


def build_exercise(catalog: Catalog, data: ClinicExerciseIn, *, exercise_id: str) -> Exercise:
    """The content ``Exercise`` for what the clinician wrote, checked by the content's model.

    Raises:
        ExerciseInvalid: the content's checks refuse it; the problems name the form's fields.
    """
    problems = _missing_dose(data)
    if data.count_with_camera and data.kind is not Kind.REPS:
        problems["count_with_camera"] = _(
            "The camera can only count repetitions: choose the kind 'reps', "
            "or untick camera counting."
        )
    if problems:
        raise ExerciseInvalid(problems)
    default_setup = POSITION_SOURCES[data.position][1]
    definition: dict[str, Any] = {
        "id": exercise_id,
        "name": data.name,
        "stage": data.stage,
        "kind": data.kind,
        "core": False,
        "purpose": data.purpose,
        "muscles": data.muscles,
        "start_position": data.start_position,
        "steps": data.steps,
        "breathing": data.breathing,
        "mistakes": data.mistakes or list(DEFAULT_MISTAKES),
        "safety": data.safety,
        "avoid_if": data.avoid_if,
        "dosage": data.dosage,
        "easier": data.easier or DEFAULT_EASIER,
        "harder": data.harder or DEFAULT_HARDER,
        "camera": {
            "supported": data.count_with_camera,
            "view": data.camera_view,
            "notes": CAMERA_NOTES if data.count_with_camera else "",
        },
        "keyframes": data.keyframes or figure_for(catalog, data.position),
        "notes": data.notes,
        "voice": {
            "setup": data.voice_setup.strip() or default_setup,
            "cue": data.voice_cue.strip() or DEFAULT_CUE,
        },
    }
    try:
        return Exercise.model_validate(definition)
    except ValidationError as exc:
        raise ExerciseInvalid(field_problems(exc.errors())) from None


_NEEDED_DOSE = {
    Kind.REPS: ("reps", N_("A 'reps' exercise needs a number of repetitions with its safe range.")),
    Kind.BREATHING: (
        "reps",
        N_("A 'breathing' exercise needs a number of breaths with its safe range."),
    ),
    Kind.HOLD: ("hold_s", N_("A 'hold' exercise needs a hold time with its safe range.")),
    Kind.TIMED: ("duration_s", N_("A 'timed' exercise needs a duration with its safe range.")),
}


def _missing_dose(data: ClinicExerciseIn) -> dict[str, str]:
    field, problem = _NEEDED_DOSE[data.kind]
    if getattr(data.dosage, field) is None:
        return {field: _(problem)}
    return {}


def input_of(catalog: Catalog, exercise: Exercise) -> ClinicExerciseIn:
    """What the form shows to edit ``exercise``: a figure of its own stays as it is, and
    parts left to their defaults are left empty again (so they follow the position)."""
    position = position_of(catalog, exercise)
    setup = POSITION_SOURCES[position][1] if position is not None else None
    return ClinicExerciseIn(
        name=exercise.name,
        stage=exercise.stage,
        kind=exercise.kind,
        purpose=exercise.purpose,
        muscles=exercise.muscles,
        start_position=exercise.start_position,
        steps=exercise.steps,
        breathing=exercise.breathing,
        mistakes=[] if tuple(exercise.mistakes) == DEFAULT_MISTAKES else exercise.mistakes,
        safety=exercise.safety,
        avoid_if=exercise.avoid_if,
        dosage=exercise.dosage,
        easier=None if exercise.easier == DEFAULT_EASIER else exercise.easier,
        harder=None if exercise.harder == DEFAULT_HARDER else exercise.harder,
        count_with_camera=exercise.camera.supported,
        camera_view=exercise.camera.view,
        position=position or Position.STANDING,
        keyframes=None if position is not None else exercise.keyframes,
        voice_setup="" if exercise.voice.setup == setup else exercise.voice.setup,
        voice_cue="" if exercise.voice.cue == DEFAULT_CUE else exercise.voice.cue,
        notes=exercise.notes,
    )


# The form's field for a problem at a place in the content ``Exercise`` (or the input).
_FORM_FIELD = {"voice": {"setup": "voice_setup", "cue": "voice_cue"}}
_TOP_FIELD = {"camera": "count_with_camera"}


def _form_field(loc: tuple[int | str, ...]) -> str:
    head = str(loc[0]) if loc else "name"
    if head == "dosage" and len(loc) > 1:
        return str(loc[1])
    if head in _FORM_FIELD and len(loc) > 1:
        return _FORM_FIELD[head].get(str(loc[1]), head)
    return _TOP_FIELD.get(head, head)


def _plain(error: ErrorDetails) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("Fill this in.")
    if kind == "too_short" and error["loc"] and error["loc"][-1] != "name":
        least = context.get("min_length", 1)
        return _("Write at least {count} (one per line).").format(count=least)
    if kind in ("string_too_short", "too_short"):
        return _("Fill this in.")
    if kind in ("string_too_long", "too_long"):
        return _("Too long: at most {count}.").format(count=context.get("max_length"))
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "int_from_float"):
        return _("Enter a number.")
    if kind in ("greater_than_equal", "greater_than"):
        least = context.get("ge", context.get("gt"))
        return _("Enter a number of at least {least}.").format(least=least)
    if kind == "less_than_equal":
        return _("Enter a number of at most {most}.").format(most=context.get("le"))
    if kind == "enum":
        return _("Choose one of: {choices}.").format(choices=context.get("expected"))
    message = str(error["msg"]).removeprefix("Value error, ")
    if message.startswith("need min <= default <= max"):
        return _("The usual amount must lie in the safe range: smallest, usual, largest in order.")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def field_problems(errors: list[ErrorDetails]) -> dict[str, str]:
    """Validation errors as one plain sentence per form field (the first error of each)."""
    problems: dict[str, str] = {}
    for error in errors:
        problems.setdefault(_form_field(tuple(error["loc"])), _plain(error))
    return problems


def create_exercise(
    db: Session, catalog: Catalog, *, user_id: int, data: ClinicExerciseIn, now: datetime
) -> ClinicExerciseInfo:
    """Check and save a new exercise by ``user_id`` (a clinician or admin).

    Raises:
        NotAllowed: the user is not a clinician or admin.
        ExerciseInvalid: the content's checks refuse it.
        ExerciseIdTaken: its id would be a built-in exercise's.
    """
    _author(db, user_id)
    exercise_id = _new_id(db, catalog, data.name)
    exercise = build_exercise(catalog, data, exercise_id=exercise_id)
    row = ClinicExercise(
        owner_id=user_id,
        exercise_id=exercise_id,
        definition=exercise.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    try:
        db.commit()
    except IntegrityError:  # another request took the same id between our read and write
        db.rollback()
        raise ExerciseIdTaken(
            _("Another exercise was just saved as '{id}'; save yours again.").format(id=exercise_id)
        ) from None
    return ClinicExerciseInfo(exercise, user_id, None, now)


def update_exercise(
    db: Session,
    catalog: Catalog,
    *,
    user_id: int,
    exercise_id: str,
    data: ClinicExerciseIn,
    now: datetime,
) -> ClinicExerciseInfo:
    """Replace what an exercise says (its id stays, so programs keep pointing at it).

    Raises:
        LookupError: no such exercise, or someone else's.
        ExerciseInvalid: the content's checks refuse it.
    """
    row = _owned_row(db, user_id=user_id, exercise_id=exercise_id)
    exercise = build_exercise(catalog, data, exercise_id=exercise_id)
    row.definition = exercise.model_dump(mode="json")
    row.updated_at = now
    info = ClinicExerciseInfo(exercise, row.owner_id, row.image_type, now)
    _refresh_patients_of(db, row.owner_id)
    db.commit()
    return info


def _refresh_patients_of(db: Session, owner_id: int) -> None:
    """Bump, at the commit, the revision of every patient who may meet the owner's
    exercises (the owner's patients, and whoever follows one of the owner's programs):
    their cached plans and pages were built with the exercise as it was."""
    linked = select(CareLink.patient_id).where(CareLink.clinician_id == owner_id)
    following = (
        select(ProgramAssignment.patient_id)
        .join(ProgramTemplate, ProgramTemplate.id == ProgramAssignment.template_id)
        .where(ProgramTemplate.owner_id == owner_id)
    )
    for patient_id in set(db.scalars(linked)) | set(db.scalars(following)):
        mark_changed(db, user_id=patient_id)


def _programs_using(db: Session, exercise_id: str) -> list[str]:
    """The program versions whose steps name the exercise, as "name (version n)"."""
    # Ids are slugs (no LIKE wildcards); quoted, the id matches only itself.
    uses = cast(ProgramVersion.definition, Text).like(f'%"{exercise_id}"%')
    rows = db.execute(
        select(ProgramTemplate.name, ProgramVersion.number)
        .join(ProgramTemplate, ProgramTemplate.id == ProgramVersion.template_id)
        .where(uses)
        .order_by(ProgramTemplate.name, ProgramVersion.number)
    ).all()
    return [
        _("'{name}' (version {number})").format(name=name, number=number) for name, number in rows
    ]


def delete_exercise(db: Session, *, user_id: int, exercise_id: str) -> None:
    """Delete an exercise and its picture, unless a program version uses it: programs keep
    every version as it was given, so the exercises they name stay too.

    Raises:
        LookupError: no such exercise, or someone else's.
        ExerciseInUse: a program version names it.
    """
    row = _owned_row(db, user_id=user_id, exercise_id=exercise_id)
    programs = _programs_using(db, exercise_id)
    if programs:
        listed = ", ".join(programs[:3])
        raise ExerciseInUse(
            (
                _(
                    "This exercise is in the program {programs} and others. Programs keep every "
                    "version as it was given, so it cannot be deleted; change its text instead, "
                    "and leave it out of new versions."
                )
                if len(programs) > 3
                else _(
                    "This exercise is in the program {programs}. Programs keep every version as "
                    "it was given, so it cannot be deleted; change its text instead, and leave it "
                    "out of new versions."
                )
            ).format(programs=listed)
        )
    db.execute(delete(ClinicExercise).where(ClinicExercise.id == row.id))
    db.commit()


def set_image(
    db: Session, *, user_id: int, exercise_id: str, data: bytes, now: datetime
) -> ClinicExerciseInfo:
    """Check and store the exercise's picture (replacing any before).

    Raises:
        LookupError: no such exercise, or someone else's.
        ImageRefused: not a PNG, JPEG or WebP of a sane size (``clinic_images``).
    """
    row = _owned_row(db, user_id=user_id, exercise_id=exercise_id)
    info = check_image(data)
    row.image = data
    row.image_type = info.media_type
    row.updated_at = now
    result = _info(row)
    db.commit()
    return result


def remove_image(db: Session, *, user_id: int, exercise_id: str, now: datetime) -> None:
    """Take the picture off an exercise (the figure shows again).

    Raises:
        LookupError: no such exercise, or someone else's.
    """
    row = _owned_row(db, user_id=user_id, exercise_id=exercise_id)
    row.image = None
    row.image_type = None
    row.updated_at = now
    db.commit()
