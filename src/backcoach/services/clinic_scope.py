"""A clinician and one of their patients, both loaded, for a call that logs what it does.

``services.clinic.patient_of`` decides whether the clinician may see the patient;
the audit log needs the clinician's row too (``services.audit.record``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backcoach.services.clinic import patient_of
from backcoach.store import User


def scoped_patient(db: Session, *, clinician_id: int, patient_id: int) -> tuple[User, User]:
    """(patient, clinician) when the clinician looks after the patient (an admin: anyone).

    Raises:
        NotAllowed: ``clinician_id`` is not a clinician or admin.
        LookupError: not this clinician's patient, or no such patient.
    """
    patient = patient_of(db, clinician_id=clinician_id, patient_id=patient_id)
    clinician = db.get(User, clinician_id)  # loaded by patient_of's check: no query
    assert clinician is not None
    return patient, clinician
