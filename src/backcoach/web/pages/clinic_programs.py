"""``/clinic/programs``: a clinician's program templates, the editor, versions, diff and assigning.

The same services as ``/api/v1/clinic/programs``. The editor posts the whole
draft (``web.presenters.program_editor``): step buttons change the draft
without saving; "Save" makes a new version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from backcoach.content import Catalog
from backcoach.i18n import _
from backcoach.services import clinic_programs
from backcoach.services.clinic_programs import TemplateInfo, VersionDiff
from backcoach.services.program_definition import ProgramError
from backcoach.web.api.clinic_programs import NOT_FOUND
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.ids import RowId
from backcoach.web.presenters.program_editor import (
    apply_action,
    draft_from_form,
    draft_of,
    editor_rows,
    exercise_choices,
)
from backcoach.web.templating import render

router = APIRouter(prefix="/clinic/programs", tags=["pages"], include_in_schema=False)

Text = Annotated[str, Form(max_length=100)]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, _(NOT_FOUND))


@router.get("")
def templates_page(request: Request, db: DbDep, user: UserDep, catalog: CatalogDep) -> Response:
    rows = clinic_programs.list_templates(db, clinician_id=user.id)
    bases = [(p.id, p.name) for p in catalog.programs.values()]
    context = {"templates": rows, "bases": bases, "base_names": dict(bases)}
    return render(request, "clinic_programs/index.html", context)


@router.post("")
def create(
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    base: Text = clinic_programs.DEFAULT_BASE,
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    info = clinic_programs.create_template(
        db,
        clinician_id=user.id,
        catalog=catalog,
        now=datetime.now(UTC),
        base_program_id=base,
        name=name.strip() or None,
    )
    return RedirectResponse(f"/clinic/programs/{info.id}?saved=1", status_code=303)


def _template_page(
    request: Request,
    db: Session,
    user_id: int,
    info: TemplateInfo,
    catalog: Catalog,
    *,
    draft: dict[str, Any] | None = None,
    note: str = "",
    message: str = "",
    error: str = "",
    compare: VersionDiff | None = None,
    status_code: int = 200,
) -> Response:
    draft = draft if draft is not None else draft_of(info.newest.definition)
    catalog = _usable(db, user_id, info, catalog)
    patients = clinic_programs.patients_for_assignment(db, clinician_id=user_id)
    following = {p.id for p in info.patients}
    context = {
        "template": info,
        "draft": draft,
        "lengths": editor_rows(draft, catalog),
        "choices": exercise_choices(catalog),
        "note": note,
        "message": message,
        "error": error,
        "compare": compare,
        "can_assign": [p for p in patients if p.id not in following],
    }
    return render(request, "clinic_programs/template.html", context, status_code=status_code)


def _info(db: Session, user_id: int, template_id: int) -> TemplateInfo:
    try:
        return clinic_programs.get_template(db, clinician_id=user_id, template_id=template_id)
    except LookupError:
        raise _not_found() from None


def _usable(db: Session, user_id: int, info: TemplateInfo, catalog: Catalog) -> Catalog:
    """The exercises the template's steps may use (built-in and its owner's own)."""
    return clinic_programs.editing_catalog(
        db, clinician_id=user_id, template_id=info.id, catalog=catalog
    )


@router.get("/{template_id}")
def template_page(
    request: Request,
    template_id: RowId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    saved: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    compare_from: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None,
    compare_to: Annotated[int | None, Query(alias="to", ge=1, le=2**31 - 1)] = None,
) -> Response:
    info = _info(db, user.id, template_id)
    message = _("Version {number} saved.").format(number=saved) if saved is not None else ""
    compare = None
    if compare_from is not None and compare_to is not None:
        try:
            compare = clinic_programs.diff_versions(
                db,
                clinician_id=user.id,
                template_id=info.id,
                from_number=compare_from,
                to_number=compare_to,
                catalog=catalog,
            )
        except LookupError:
            raise _not_found() from None
    elif len(info.versions) > 1:
        compare = clinic_programs.diff_versions(
            db,
            clinician_id=user.id,
            template_id=info.id,
            from_number=info.versions[1].number,
            to_number=info.newest.number,
            catalog=catalog,
        )
    return _template_page(request, db, user.id, info, catalog, message=message, compare=compare)


@router.post("/{template_id}")
async def edit(
    request: Request, template_id: RowId, db: DbDep, user: UserDep, catalog: CatalogDep
) -> Response:
    """A step button changes the draft (not saved); "Save" saves it as a new version."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    info = _info(db, user.id, template_id)
    draft = draft_from_form(form)
    note = form.get("note", "")[:500]
    action = form.get("action", "save")
    if action != "save":
        done = apply_action(draft, action, form, _usable(db, user.id, info, catalog))
        message = (
            _("{done} Not saved yet: press Save to make a new version.").format(done=done)
            if done
            else ""
        )
        return _template_page(
            request, db, user.id, info, catalog, draft=draft, note=note, message=message
        )
    try:
        version = clinic_programs.save_version(
            db,
            clinician_id=user.id,
            template_id=info.id,
            catalog=catalog,
            now=datetime.now(UTC),
            definition=draft,
            note=note,
        )
    except ProgramError as refused:
        return _template_page(
            request, db, user.id, info, catalog, draft=draft, note=note, error=str(refused),
            status_code=refused.http_status,
        )  # fmt: skip
    return RedirectResponse(
        f"/clinic/programs/{info.id}?saved={version.number}#versions", status_code=303
    )


@router.post("/{template_id}/assign")
def assign(
    template_id: RowId,
    db: DbDep,
    user: UserDep,
    patient_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    try:
        clinic_programs.assign(
            db,
            clinician_id=user.id,
            patient_id=patient_id,
            template_id=template_id,
            now=datetime.now(UTC),
        )
    except LookupError:
        raise _not_found() from None
    return RedirectResponse(f"/clinic/programs/{template_id}#patients", status_code=303)


@router.post("/{template_id}/unassign")
def unassign(
    template_id: RowId,
    db: DbDep,
    user: UserDep,
    patient_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    info = _info(db, user.id, template_id)
    if patient_id not in {p.id for p in info.patients}:
        raise _not_found()
    try:
        clinic_programs.unassign(
            db, clinician_id=user.id, patient_id=patient_id, now=datetime.now(UTC)
        )
    except LookupError:
        raise _not_found() from None
    return RedirectResponse(f"/clinic/programs/{template_id}#patients", status_code=303)
