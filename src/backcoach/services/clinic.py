"""The clinician's side: whose data a clinician may see, and the patient list.

Every function takes the signed-in clinician's id and reads only the patients
linked to them (``care_links``): the scope is applied here, in the service, not
only in the routes. An admin sees every patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.errors import NotAllowed
from backcoach.i18n import _
from backcoach.store import CareLink, Role, User


@dataclass(frozen=True)
class PatientSummary:
    id: int
    email: str
    linked_at: datetime
    disabled: bool


def _clinician(db: Session, clinician_id: int) -> User:
    user = db.get(User, clinician_id)
    if user is None or user.role not in (Role.CLINICIAN, Role.ADMIN):
        raise NotAllowed(_("Only clinicians can see patients."))
    return user


def patients_of(db: Session, *, clinician_id: int) -> list[PatientSummary]:
    """The patients this clinician looks after (every patient, for an admin), by e-mail."""
    clinician = _clinician(db, clinician_id)
    query = select(User, CareLink.linked_at).join(CareLink, CareLink.patient_id == User.id)
    if clinician.role is not Role.ADMIN:
        query = query.where(CareLink.clinician_id == clinician_id)
    rows = db.execute(query.order_by(User.email)).all()
    return [
        PatientSummary(
            id=user.id,
            email=str(user.email),
            linked_at=linked_at,
            disabled=user.disabled_at is not None,
        )
        for user, linked_at in rows
    ]


def patient_of(db: Session, *, clinician_id: int, patient_id: int) -> User:
    """The patient, if this clinician looks after them; otherwise 'not found' (no hint)."""
    clinician = _clinician(db, clinician_id)
    query = select(User).join(CareLink, CareLink.patient_id == User.id)
    query = query.where(User.id == patient_id)
    if clinician.role is not Role.ADMIN:
        query = query.where(CareLink.clinician_id == clinician_id)
    patient = db.scalar(query)
    if patient is None:
        raise LookupError(patient_id)
    return patient
