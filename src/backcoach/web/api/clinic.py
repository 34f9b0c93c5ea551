"""``/api/v1/clinic``: a clinician's invites and patients (clinic mode; clinicians only).

The sign-in gate lets only clinicians and admins reach these routes; the
services scope every answer to the clinician's own patients (another
clinician's patient is "not found", like an id that does not exist) and write
each view of a patient and each change to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field
from starlette.responses import Response

from backcoach.i18n import N_, _
from backcoach.services import clinician_notes, invites, questionnaire_schedules
from backcoach.services.clinic_dashboard import PatientDetail, PatientRow, dashboard, patient_detail
from backcoach.services.clock import local_tz
from backcoach.web.api.auth import ACCOUNT_ANSWERS
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.ids import RowId

router = APIRouter(prefix="/clinic", tags=["clinic"], responses=ACCOUNT_ANSWERS)


class InviteIn(BaseModel):
    days: int = Field(default=invites.INVITE_LIFETIME.days, ge=1, le=invites.MAX_INVITE_DAYS)


class InviteOut(BaseModel):
    code: str
    url: str
    expires_at: datetime


NOT_YOUR_PATIENT = N_("There is no such patient among yours.")
NO_SUCH_SCHEDULE = N_("That questionnaire is not scheduled for this patient.")
PATIENT_ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not one of your patients, no such schedule, or local mode"}
}
ScheduleName = Annotated[str, Path(max_length=64)]


class AdherenceOut(BaseModel):
    done: int = Field(description="Completed sessions started in the window")
    prescribed: int = Field(description="Sessions prescribed in the window")


class AdherenceWindows(BaseModel):
    days_7: AdherenceOut
    days_28: AdherenceOut


class PainSessionOut(BaseModel):
    day: date
    before: int
    after: int


class PainOut(BaseModel):
    sessions: list[PainSessionOut] = Field(description="The latest sessions, oldest first")
    average_change: float | None = Field(description="After minus before; below 0 is better")


class FlagOut(BaseModel):
    code: str
    message: str
    since: date


class PatientOut(BaseModel):
    id: int
    email: str
    linked_at: datetime
    disabled: bool
    last_activity: datetime | None
    sessions_per_week: int
    adherence: AdherenceWindows
    pain: PainOut
    flags: list[FlagOut] = Field(description="Most severe first")

    @classmethod
    def of(cls, row: PatientRow) -> PatientOut:
        return cls(**_patient_fields(row))


def _patient_fields(row: PatientRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "email": row.email,
        "linked_at": row.linked_at,
        "disabled": row.disabled,
        "last_activity": row.last_activity,
        "sessions_per_week": row.sessions_per_week,
        "adherence": AdherenceWindows(
            days_7=AdherenceOut(done=row.days_7.done, prescribed=row.days_7.prescribed),
            days_28=AdherenceOut(done=row.days_28.done, prescribed=row.days_28.prescribed),
        ),
        "pain": PainOut(
            sessions=[
                PainSessionOut(day=p.day, before=p.before, after=p.after) for p in row.pain.sessions
            ],
            average_change=row.pain.average_change,
        ),
        "flags": [FlagOut(code=f.code, message=f.message, since=f.since) for f in row.flags],
    }


class FormNoteOut(BaseModel):
    code: str
    message: str
    count: int


class StepOut(BaseModel):
    step_index: int
    exercise_id: str
    variant: str
    status: str
    reps: int | None
    hold_s: float | None
    duration_s: float | None
    source: str = Field(description="camera: counted by the camera coach; manual: ticked off")
    pain: int | None
    form_notes: list[FormNoteOut] = Field(description="form faults the camera saw, per kind")


class SessionOut(BaseModel):
    id: int
    started_at: datetime
    program_id: str
    program_version: str | None = Field(
        description="the clinician's program version it followed, e.g. 'Back basics, version 2'"
    )
    length: str
    status: str
    result: str
    steps_done: int
    steps_total: int
    minutes: float
    pain_before: int | None
    pain_after: int | None
    effort: int | None
    camera_reps: int
    steps: list[StepOut]


class CheckinOut(BaseModel):
    at: datetime
    phase: str
    pain: int
    location: str
    effort: int | None
    exercise_id: str | None
    session_id: int | None


class ScoreOut(BaseModel):
    name: str
    title: str
    taken_at: datetime
    total: float | None
    risk_group: str | None
    summary: str


class NoteOut(BaseModel):
    id: int
    at: datetime
    author: str
    text: str


class ScheduleOut(BaseModel):
    name: str
    title: str
    every_days: int
    first_due: date
    next_due: date
    due_since: date | None


class ProgramOut(BaseModel):
    template_id: int
    name: str
    version: int


class PatientDetailOut(PatientOut):
    program: ProgramOut | None = Field(description="the clinician's program followed now")
    sessions: list[SessionOut]
    checkins: list[CheckinOut]
    questionnaires: list[ScoreOut]
    notes: list[NoteOut]
    schedules: list[ScheduleOut]

    @classmethod
    def of_detail(cls, detail: PatientDetail) -> PatientDetailOut:
        return cls(
            **_patient_fields(detail.row),
            program=None if detail.program is None else ProgramOut(**vars(detail.program)),
            sessions=[
                SessionOut(
                    id=s.line.id,
                    started_at=s.line.started_at,
                    program_id=s.line.program_id,
                    program_version=s.program,
                    length=s.line.length,
                    status=s.line.status.value,
                    result=s.line.result,
                    steps_done=s.line.steps_done,
                    steps_total=s.line.steps_total,
                    minutes=round(s.line.minutes, 1),
                    pain_before=s.line.pain_before,
                    pain_after=s.line.pain_after,
                    effort=s.line.effort,
                    camera_reps=s.camera_reps,
                    steps=[
                        StepOut(**{**vars(step), "form_notes": [vars(n) for n in step.form_notes]})
                        for step in s.steps
                    ],
                )
                for s in detail.sessions
            ],
            checkins=[CheckinOut(**vars(c)) for c in detail.checkins],
            questionnaires=[ScoreOut(**vars(q)) for q in detail.questionnaires],
            notes=[NoteOut(**vars(n)) for n in detail.notes],
            schedules=[ScheduleOut(**vars(v)) for v in detail.schedules],
        )


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=clinician_notes.MAX_NOTE_LENGTH)


class ScheduleIn(BaseModel):
    every_days: int = Field(
        ge=questionnaire_schedules.MIN_EVERY_DAYS, le=questionnaire_schedules.MAX_EVERY_DAYS
    )
    first_due: date | None = Field(default=None, description="Default: today")


@router.post("/invites", status_code=status.HTTP_201_CREATED)
def create_invite(
    request: Request, db: DbDep, user: UserDep, body: InviteIn | None = None
) -> InviteOut:
    """A single-use invite for a new patient: give them the link (or the code)."""
    days = (body or InviteIn()).days
    invite = invites.create_invite(
        db, clinician_id=user.id, now=datetime.now(UTC), lifetime=timedelta(days=days)
    )
    url = str(request.url_for("register_page").include_query_params(code=invite.code))
    return InviteOut(code=invite.code, url=url, expires_at=invite.expires_at)


@contextmanager
def _your_patient() -> Iterator[None]:
    """A patient the services did not find among the clinician's: 404 in plain words."""
    try:
        yield
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _(NOT_YOUR_PATIENT)) from None


@router.get("/patients")
def list_patients(db: DbDep, user: UserDep) -> list[PatientOut]:
    """This clinician's patients with adherence, pain trend, last activity and flags;
    flagged patients first (a red flag at the top)."""
    rows = dashboard(db, clinician_id=user.id, now=datetime.now(UTC), tz=local_tz())
    return [PatientOut.of(row) for row in rows]


@router.get("/patients/{patient_id}", responses=PATIENT_ANSWERS)
def get_patient(patient_id: RowId, db: DbDep, user: UserDep) -> PatientDetailOut:
    """One patient: figures and flags, sessions (steps with camera-counted reps),
    check-ins, questionnaire scores, notes and schedules. The view is audited."""
    with _your_patient():
        detail = patient_detail(
            db,
            clinician_id=user.id,
            patient_id=patient_id,
            now=datetime.now(UTC),
            tz=local_tz(),
            what="patient detail (API)",
        )
    return PatientDetailOut.of_detail(detail)


@router.post(
    "/patients/{patient_id}/notes", status_code=status.HTTP_201_CREATED, responses=PATIENT_ANSWERS
)
def add_note(patient_id: RowId, body: NoteIn, db: DbDep, user: UserDep) -> NoteOut:
    """Add a note on the patient; they see it on their Today page."""
    with _your_patient():
        note = clinician_notes.add_note(
            db, clinician_id=user.id, patient_id=patient_id, text=body.text, now=datetime.now(UTC)
        )
    return NoteOut(**vars(note))


@router.put("/patients/{patient_id}/schedules/{name}", responses=PATIENT_ANSWERS)
def set_schedule(
    patient_id: RowId,
    name: ScheduleName,
    body: ScheduleIn,
    db: DbDep,
    user: UserDep,
) -> ScheduleOut:
    """Ask the patient to fill in a questionnaire (pain-function, psfs or startback)
    every ``every_days`` days (7-90); replaces the questionnaire's earlier schedule."""
    with _your_patient():
        view = questionnaire_schedules.set_schedule(
            db,
            clinician_id=user.id,
            patient_id=patient_id,
            name=name,
            every_days=body.every_days,
            first_due=body.first_due,
            now=datetime.now(UTC),
            tz=local_tz(),
        )
    return ScheduleOut(**vars(view))


@router.delete(
    "/patients/{patient_id}/schedules/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=PATIENT_ANSWERS,
)
def remove_schedule(patient_id: RowId, name: ScheduleName, db: DbDep, user: UserDep) -> Response:
    """Stop asking the patient for a questionnaire."""
    with _your_patient():
        removed = questionnaire_schedules.remove_schedule(
            db, clinician_id=user.id, patient_id=patient_id, name=name, now=datetime.now(UTC)
        )
    if not removed:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _(NO_SUCH_SCHEDULE))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
