"""``/clinic``: the clinician's dashboard and patient pages (clinic mode; clinicians only).

- ``/clinic``: every patient with adherence, pain trend, last activity and flags
  (a red flag first, in red, with its date), and "Invite a patient";
- ``/clinic/patients/{id}``: one patient's history, pain chart, check-ins,
  questionnaire scores, camera-counted reps, notes and questionnaire schedules;
- ``/clinic/patients/{id}/report.pdf``: their progress report (``documents.report``).

The services scope every read and change to the clinician's own patients and
log each patient page view and change in the audit log; another clinician's
patient is "not found". In local mode every clinic route answers 404
(``web.security.signin``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from starlette.responses import RedirectResponse, Response

from backcoach.coach.questionnaires import NAMES, QUESTIONNAIRES, RiskGroup, risk_label
from backcoach.documents.report import patient_report, report_filename, report_period
from backcoach.errors import UsageError
from backcoach.i18n import N_, _
from backcoach.services import clinician_notes, invites, questionnaire_schedules
from backcoach.services.clinic_dashboard import dashboard, patient_detail
from backcoach.services.clock import local_today, local_tz
from backcoach.store import User
from backcoach.vision.wording import shown
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.downloads import ReportFrom, ReportTo, pdf_attachment
from backcoach.web.ids import RowId
from backcoach.web.presenters.history import chart_data
from backcoach.web.presenters.program_editor import VARIANT_WORDS
from backcoach.web.templating import render

router = APIRouter(prefix="/clinic", tags=["pages"], include_in_schema=False)

NOT_YOUR_PATIENT = N_("We could not find that patient among yours.")
SCHEDULE_CHOICES = tuple((name, QUESTIONNAIRES[name].title) for name in NAMES)
#: The flags' badges (the full message is beside or under them).
FLAG_LABELS = {
    "red-flag": N_("Red flag"),
    "pain-rising": N_("Pain rising"),
    "start-back-high": N_("STarT Back high risk"),
    "inactive": N_("Inactive"),
    "questionnaire-due": N_("Questionnaire due"),
}


#: Words the patient page shows for stored values (check-in phase and place, a step's
#: source).
PHASE_WORDS = {"before": N_("before"), "during": N_("during"), "after": N_("after")}
LOCATION_WORDS = {"low-back": N_("low back"), "neck": N_("neck"), "other": N_("other")}
SOURCE_WORDS = {"camera": N_("camera"), "manual": N_("manual")}


def _translated(words: dict[str, str]) -> dict[str, str]:
    return {value: _(word) for value, word in words.items()}


def flag_labels() -> dict[str, str]:
    """The flags' badges in the language in use."""
    return _translated(FLAG_LABELS)


def _not_your_patient() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, _(NOT_YOUR_PATIENT))


def _dashboard_page(
    request: Request, db: DbDep, user: User, *, invite: dict[str, Any] | None = None
) -> Response:
    now, tz = datetime.now(UTC), local_tz()
    rows = dashboard(db, clinician_id=user.id, now=now, tz=tz)
    context = {"rows": rows, "invite": invite, "flag_labels": flag_labels()}
    return render(request, "clinic/index.html", context)


@router.get("")
def clinic_home(request: Request, db: DbDep, user: UserDep) -> Response:
    return _dashboard_page(request, db, user)


@router.post("/invites")
def invite_patient(request: Request, db: DbDep, user: UserDep) -> Response:
    """A new single-use invite; the page shows its link to copy."""
    made = invites.create_invite(db, clinician_id=user.id, now=datetime.now(UTC))
    url = str(request.url_for("register_page").include_query_params(code=made.code))
    return _dashboard_page(
        request, db, user, invite={"url": url, "expires_at": made.expires_at.astimezone()}
    )


def _patient_page(
    request: Request,
    db: DbDep,
    user: User,
    catalog: CatalogDep,
    patient_id: RowId,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    now, tz = datetime.now(UTC), local_tz()
    try:
        detail = patient_detail(
            db, clinician_id=user.id, patient_id=patient_id, now=now, tz=tz, what="patient page"
        )
    except LookupError:
        raise _not_your_patient() from None
    names = {ex_id: ex.name for ex_id, ex in catalog.exercises.items()}
    context = {
        "detail": detail,
        "row": detail.row,
        "charts": chart_data(detail.history),
        "names": names,
        "flag_labels": flag_labels(),
        "phase_words": _translated(PHASE_WORDS),
        "location_words": _translated(LOCATION_WORDS),
        "source_words": _translated(SOURCE_WORDS),
        "variant_words": _translated(VARIANT_WORDS),
        "coach_words": shown,  # the camera's form notes, stored in English
        "risk_words": {group.value: risk_label(group) for group in RiskGroup},
        # (name, title, the title's language when it is kept in its original: STarT Back)
        "choices": [
            (name, _(title), None if QUESTIONNAIRES[name].translated else "en")
            for name, title in SCHEDULE_CHOICES
        ],
        "errors": errors or {},
        "typed": typed or {},
        "min_every": questionnaire_schedules.MIN_EVERY_DAYS,
        "max_every": questionnaire_schedules.MAX_EVERY_DAYS,
        "max_note": clinician_notes.MAX_NOTE_LENGTH,
    }
    return render(request, "clinic/patient.html", context, status_code=status_code)


@router.get("/patients/{patient_id}")
def patient_page(
    request: Request,
    patient_id: RowId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
) -> Response:
    return _patient_page(request, db, user, catalog, patient_id)


@router.get("/patients/{patient_id}/report.pdf")
def patient_report_pdf(
    patient_id: RowId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
    start: ReportFrom = None,
    end: ReportTo = None,
) -> Response:
    """The patient's progress report as a PDF (default: the last 4 weeks); audited."""
    first, last = report_period(start, end, today=local_today())
    try:
        pdf = patient_report(
            db,
            clinician_id=user.id,
            patient_id=patient_id,
            start=first,
            end=last,
            tz=local_tz(),
            catalog=catalog,
            now=datetime.now(UTC),
        )
    except LookupError:
        raise _not_your_patient() from None
    return pdf_attachment(pdf, report_filename(first, last))


def _back_to(patient_id: int, section: str) -> RedirectResponse:
    return RedirectResponse(f"/clinic/patients/{patient_id}#{section}", status_code=303)


@router.post("/patients/{patient_id}/notes")
async def add_note(
    request: Request,
    patient_id: RowId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
) -> Response:
    text = (await request.form()).get("text")
    text = text if isinstance(text, str) else ""
    try:
        clinician_notes.add_note(
            db, clinician_id=user.id, patient_id=patient_id, text=text, now=datetime.now(UTC)
        )
    except LookupError:
        raise _not_your_patient() from None
    except UsageError as refused:
        db.rollback()
        return _patient_page(
            request,
            db,
            user,
            catalog,
            patient_id,
            errors={"text": str(refused)},
            typed={"text": text[: clinician_notes.MAX_NOTE_LENGTH + 100]},
            status_code=422,
        )
    return _back_to(patient_id, "notes")


def _schedule_form(form: dict[str, str]) -> tuple[str, int | None, date | None, dict[str, str]]:
    """The schedule form's questionnaire, interval and first date, and what is wrong."""
    errors: dict[str, str] = {}
    name = form.get("name", "")
    if name not in QUESTIONNAIRES:
        errors["name"] = _("Choose one of the questionnaires.")
    every_text = form.get("every_days", "").strip()
    low, high = questionnaire_schedules.MIN_EVERY_DAYS, questionnaire_schedules.MAX_EVERY_DAYS
    digits = every_text.isascii() and every_text.isdecimal() and len(every_text) <= 3
    every = int(every_text) if digits else None
    if every is None or not low <= every <= high:
        errors["every_days"] = _("Choose a whole number of days from {low} to {high}.").format(
            low=low, high=high
        )
    first: date | None = None
    if form.get("first_due", "").strip():
        try:
            first = date.fromisoformat(form["first_due"].strip()[:10])
        except ValueError:
            errors["first_due"] = _("Choose a date, or leave it empty for today.")
    return name, every, first, errors


@router.post("/patients/{patient_id}/schedules")
async def set_schedule(
    request: Request,
    patient_id: RowId,
    db: DbDep,
    user: UserDep,
    catalog: CatalogDep,
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    name, every, first, errors = _schedule_form(form)
    if errors or every is None:
        return _patient_page(
            request, db, user, catalog, patient_id, errors=errors, typed=form, status_code=422
        )
    try:
        questionnaire_schedules.set_schedule(
            db,
            clinician_id=user.id,
            patient_id=patient_id,
            name=name,
            every_days=every,
            first_due=first,
            now=datetime.now(UTC),
            tz=local_tz(),
        )
    except LookupError:
        raise _not_your_patient() from None
    return _back_to(patient_id, "schedules")


@router.post("/patients/{patient_id}/schedules/{name}/delete")
def remove_schedule(patient_id: RowId, name: str, db: DbDep, user: UserDep) -> Response:
    try:
        questionnaire_schedules.remove_schedule(
            db, clinician_id=user.id, patient_id=patient_id, name=name, now=datetime.now(UTC)
        )
    except LookupError:
        raise _not_your_patient() from None
    return _back_to(patient_id, "schedules")
