"""``/api/v1/clinic``: a clinician's invites and patients (clinic mode; clinicians only).

The sign-in gate lets only clinicians and admins reach these routes; the
services scope every answer to the clinician's own patients.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from backcoach.services import clinic, invites
from backcoach.web.api.auth import ACCOUNT_ANSWERS
from backcoach.web.deps import DbDep, SettingsDep, UserDep

router = APIRouter(prefix="/clinic", tags=["clinic"], responses=ACCOUNT_ANSWERS)

LOCAL_ONLY = "There is no clinic in local mode (BACKCOACH_MODE=clinic turns it on)."


class InviteIn(BaseModel):
    days: int = Field(default=invites.INVITE_LIFETIME.days, ge=1, le=invites.MAX_INVITE_DAYS)


class InviteOut(BaseModel):
    code: str
    url: str
    expires_at: datetime


class PatientOut(BaseModel):
    id: int
    email: str
    linked_at: datetime
    disabled: bool


def _clinic_only(settings: SettingsDep) -> None:
    if not settings.clinic:
        raise HTTPException(status.HTTP_404_NOT_FOUND, LOCAL_ONLY)


@router.post("/invites", status_code=status.HTTP_201_CREATED)
def create_invite(
    request: Request, db: DbDep, user: UserDep, settings: SettingsDep, body: InviteIn | None = None
) -> InviteOut:
    """A single-use invite for a new patient: give them the link (or the code)."""
    _clinic_only(settings)
    days = (body or InviteIn()).days
    invite = invites.create_invite(
        db, clinician_id=user.id, now=datetime.now(UTC), lifetime=timedelta(days=days)
    )
    url = str(request.url_for("register_page").include_query_params(code=invite.code))
    return InviteOut(code=invite.code, url=url, expires_at=invite.expires_at)


@router.get("/patients")
def list_patients(db: DbDep, user: UserDep, settings: SettingsDep) -> list[PatientOut]:
    """This clinician's patients."""
    _clinic_only(settings)
    return [
        PatientOut(id=p.id, email=p.email, linked_at=p.linked_at, disabled=p.disabled)
        for p in clinic.patients_of(db, clinician_id=user.id)
    ]
