"""Clinicians' notes on their patients (clinic mode).

A clinician adds notes only for their own patients (scoped by ``services.clinic``),
and each note is written to the audit log in the same transaction. The patient
reads them on Today under "From your clinician"; adding one bumps the patient's
revision, so that page (kept per revision) shows it at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.services import audit, page_cache
from backcoach.services.clinic_scope import scoped_patient
from backcoach.store import ClinicianNote, User
from backcoach.store.revision import mark_changed

MAX_NOTE_LENGTH = 4000
#: How many of the newest notes the patient sees on Today.
PATIENT_NOTES = 3


@dataclass(frozen=True)
class Note:
    id: int
    at: datetime
    author: str  # the clinician's e-mail ("" when their account was deleted)
    text: str


def add_note(db: Session, *, clinician_id: int, patient_id: int, text: str, now: datetime) -> Note:
    """Add a note on the patient. Commits.

    Raises:
        LookupError: not this clinician's patient.
        UsageError: an empty or too long note.
    """
    patient, clinician = scoped_patient(db, clinician_id=clinician_id, patient_id=patient_id)
    clean = text.strip()
    if not clean:
        raise UsageError(_("The note is empty: write something first."))
    if len(clean) > MAX_NOTE_LENGTH:
        raise UsageError(
            _("A note can be at most {limit} characters long.").format(limit=MAX_NOTE_LENGTH)
        )
    row = ClinicianNote(patient_id=patient.id, author_id=clinician.id, at=now, text=clean)
    db.add(row)
    audit.record(
        db,
        actor=clinician,
        patient=patient,
        action=audit.CHANGED,
        detail=f"added a note ({len(clean)} characters)",
        now=now,
    )
    mark_changed(db, user_id=patient.id)
    db.commit()
    return Note(id=row.id, at=row.at, author=str(clinician.email or ""), text=row.text)


def notes_of(db: Session, *, patient_ids: Iterable[int], limit: int | None = None) -> list[Note]:
    """Notes on these patients, newest first (the caller has checked who may read them)."""
    ids = list(patient_ids)
    if not ids:
        return []
    query = (
        select(ClinicianNote, User.email)
        .outerjoin(User, User.id == ClinicianNote.author_id)
        .where(ClinicianNote.patient_id.in_(ids))
        .order_by(ClinicianNote.at.desc(), ClinicianNote.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        Note(id=note.id, at=note.at, author=email or "", text=note.text)
        for note, email in db.execute(query)
    ]


def notes_for_patient(db: Session, *, patient_id: int) -> list[Note]:
    """The newest notes for the patient themselves (Today; kept per revision)."""
    return list(
        page_cache.cached(
            db,
            name="clinician-notes",
            user_id=patient_id,
            key=PATIENT_NOTES,
            compute=lambda: tuple(notes_of(db, patient_ids=[patient_id], limit=PATIENT_NOTES)),
        )
    )
