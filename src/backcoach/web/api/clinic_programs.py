"""``/api/v1/clinic/programs``: a clinician's program templates, their versions and assignments.

Thin: ``services.clinic_programs`` owns the rules (safe ranges, versions, scope,
audit). Another clinician's template or patient answers 404, like one that
does not exist; a definition or edit that cannot be saved answers 400 with
the step and field in plain words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

from backcoach.i18n import N_, _
from backcoach.services import clinic_programs
from backcoach.services.clinic_programs import TemplateInfo, VersionInfo
from backcoach.services.program_definition import Change, Edit, ProgramDefinition
from backcoach.web.api.auth import ACCOUNT_ANSWERS
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.ids import RowId

NOT_FOUND = N_("No such program template, version or patient of yours.")

ANSWERS: dict[int | str, dict[str, Any]] = {
    **ACCOUNT_ANSWERS,
    400: {"description": "Not saved: the reason in plain words (e.g. a dose outside its range)"},
    404: {"description": "Local mode, or no such template, version or patient of yours"},
}

# In local mode the app itself answers 404 (web.security.signin.clinic_routes_need_clinic_mode).
router = APIRouter(prefix="/clinic", tags=["clinic"], responses=ANSWERS)


class NewTemplateIn(BaseModel):
    base_program_id: str = Field(default=clinic_programs.DEFAULT_BASE, max_length=64)
    name: str | None = Field(default=None, max_length=100)


class NewVersionIn(BaseModel):
    """Either a whole ``definition``, or ``edits`` to the newest version (or both: edits after)."""

    definition: ProgramDefinition | None = None
    edits: list[Edit] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=500)


class VersionOut(BaseModel):
    id: int
    number: int
    created_at: datetime
    note: str
    author: str | None
    definition: ProgramDefinition


class PatientRefOut(BaseModel):
    id: int
    email: str


class TemplateOut(BaseModel):
    id: int
    name: str
    base_program_id: str
    created_at: datetime
    versions: list[VersionOut] = Field(description="Newest first.")
    patients: list[PatientRefOut] = Field(description="Patients following this template.")


class TemplateSummaryOut(BaseModel):
    id: int
    name: str
    base_program_id: str
    newest_number: int
    patients: int


class ChangeOut(BaseModel):
    kind: str
    text: str
    length: str | None
    exercise: str | None
    field: str | None
    before: str | float | None
    after: str | float | None


class DiffOut(BaseModel):
    from_number: int
    to_number: int
    sentences: list[str]
    changes: list[ChangeOut]


class AssignIn(BaseModel):
    template_id: int


class AssignmentOut(BaseModel):
    patient_id: int
    template_id: int
    name: str
    version_number: int
    assigned_at: datetime


def _version(version: VersionInfo) -> VersionOut:
    return VersionOut(
        id=version.id,
        number=version.number,
        created_at=version.created_at,
        note=version.note,
        author=version.author,
        definition=version.definition,
    )


def _template(info: TemplateInfo) -> TemplateOut:
    return TemplateOut(
        id=info.id,
        name=info.name,
        base_program_id=info.base_program_id,
        created_at=info.created_at,
        versions=[_version(v) for v in info.versions],
        patients=[PatientRefOut(id=p.id, email=p.email) for p in info.patients],
    )


def _change(change: Change) -> ChangeOut:
    return ChangeOut(
        kind=change.kind,
        text=change.text,
        length=str(change.length) if change.length else None,
        exercise=change.exercise,
        field=change.field,
        before=change.before,
        after=change.after,
    )


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, _(NOT_FOUND))


@router.get("/programs")
def list_templates(db: DbDep, user: UserDep) -> list[TemplateSummaryOut]:
    """This clinician's program templates, by name."""
    try:
        found = clinic_programs.list_templates(db, clinician_id=user.id)
    except LookupError:
        raise _not_found() from None
    return [
        TemplateSummaryOut(
            id=t.id,
            name=t.name,
            base_program_id=t.base_program_id,
            newest_number=t.newest_number,
            patients=t.patients,
        )
        for t in found
    ]


@router.post("/programs", status_code=status.HTTP_201_CREATED)
def create_template(
    db: DbDep, user: UserDep, catalog: CatalogDep, body: NewTemplateIn | None = None
) -> TemplateOut:
    """A new template copied from a built-in program (default ``back-basics``): version 1."""
    wanted = body or NewTemplateIn()
    try:
        info = clinic_programs.create_template(
            db,
            clinician_id=user.id,
            catalog=catalog,
            now=datetime.now(UTC),
            base_program_id=wanted.base_program_id,
            name=wanted.name,
        )
    except LookupError:
        raise _not_found() from None
    return _template(info)


@router.get("/programs/{template_id}")
def get_template(template_id: RowId, db: DbDep, user: UserDep) -> TemplateOut:
    """One template with every version (newest first) and who follows it."""
    try:
        return _template(
            clinic_programs.get_template(db, clinician_id=user.id, template_id=template_id)
        )
    except LookupError:
        raise _not_found() from None


@router.post("/programs/{template_id}/versions", status_code=status.HTTP_201_CREATED)
def save_version(
    template_id: RowId, body: NewVersionIn, db: DbDep, user: UserDep, catalog: CatalogDep
) -> VersionOut:
    """Save a new version: a whole definition, or edits to the newest one.

    Edits (applied in order; steps are numbered from 1): ``{"op": "add", "length",
    "exercise", "at"?, "dose"?, "variant"?}``, ``{"op": "remove", "length", "step"}``,
    ``{"op": "move", "length", "step", "to"}``, ``{"op": "dose", "length", "step",
    "dose"}``, ``{"op": "variant", "length", "step", "variant"}``, ``{"op":
    "details", "name"?, "description"?, "sessions_per_week"?}``. Patients following
    the template get the new version from their next session.
    """
    try:
        version = clinic_programs.save_version(
            db,
            clinician_id=user.id,
            template_id=template_id,
            catalog=catalog,
            now=datetime.now(UTC),
            definition=body.definition.model_dump(mode="json") if body.definition else None,
            edits=body.edits,
            note=body.note,
        )
    except LookupError:
        raise _not_found() from None
    return _version(version)


@router.get("/programs/{template_id}/diff")
def diff_versions(
    template_id: RowId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    from_number: int = Query(alias="from", ge=1),
    to_number: int = Query(alias="to", ge=1),
) -> DiffOut:
    """What changed from version ``from`` to version ``to``, as sentences and as data."""
    try:
        found = clinic_programs.diff_versions(
            db,
            clinician_id=user.id,
            template_id=template_id,
            from_number=from_number,
            to_number=to_number,
            catalog=catalog,
        )
    except LookupError:
        raise _not_found() from None
    return DiffOut(
        from_number=found.from_number,
        to_number=found.to_number,
        sentences=[c.text for c in found.changes],
        changes=[_change(c) for c in found.changes],
    )


@router.get("/patients/{patient_id}/program")
def get_assignment(patient_id: RowId, db: DbDep, user: UserDep) -> AssignmentOut:
    """The program template one of this clinician's patients follows (404: none)."""
    try:
        found = clinic_programs.assignment_of(db, clinician_id=user.id, patient_id=patient_id)
    except LookupError:
        raise _not_found() from None
    if found is None:
        raise _not_found()
    return AssignmentOut.model_validate(found, from_attributes=True)


@router.post("/patients/{patient_id}/program")
def assign(patient_id: RowId, body: AssignIn, db: DbDep, user: UserDep) -> AssignmentOut:
    """Give one of this clinician's patients a template (replacing any other)."""
    try:
        found = clinic_programs.assign(
            db,
            clinician_id=user.id,
            patient_id=patient_id,
            template_id=body.template_id,
            now=datetime.now(UTC),
        )
    except LookupError:
        raise _not_found() from None
    return AssignmentOut.model_validate(found, from_attributes=True)


@router.delete("/patients/{patient_id}/program", status_code=status.HTTP_204_NO_CONTENT)
def unassign(patient_id: RowId, db: DbDep, user: UserDep) -> Response:
    """The patient goes back to the built-in program (also when they had none assigned)."""
    try:
        clinic_programs.unassign(
            db, clinician_id=user.id, patient_id=patient_id, now=datetime.now(UTC)
        )
    except LookupError:
        raise _not_found() from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
