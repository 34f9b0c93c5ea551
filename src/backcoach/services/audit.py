"""The audit log: who viewed or changed which patient's data, and when.

Clinician-side services call ``record`` in the same transaction as the read or
change they log, so a view is logged exactly when its answer is produced and a
change together with the change. Entries copy the e-mails, so the log still
reads after an account is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.services.accounts import find_account
from backcoach.store import AuditEntry, User

#: Actions (a short verb phrase; the detail says what exactly).
VIEWED = "viewed"
CHANGED = "changed"
EXPORTED = "exported"


def record(
    db: Session, *, actor: User, patient: User, action: str, detail: str, now: datetime
) -> None:
    """Add an entry to ``db``'s transaction (the caller's commit writes it)."""
    db.add(
        AuditEntry(
            at=now,
            actor_id=actor.id,
            actor_email=actor.email,
            patient_id=patient.id,
            patient_email=patient.email,
            action=action[:32],
            detail=detail[:200],
        )
    )


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    patient: str
    action: str
    detail: str


def entries_for(db: Session, *, patient_email: str, limit: int = 1000) -> list[AuditLine]:
    """The newest entries about one patient (by their e-mail), newest first."""
    patient = find_account(db, patient_email)
    rows = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.patient_id == patient.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [
        AuditLine(
            at=row.at,
            actor=row.actor_email or f"user {row.actor_id}",
            patient=row.patient_email or f"user {row.patient_id}",
            action=row.action,
            detail=row.detail,
        )
        for row in rows
    ]
