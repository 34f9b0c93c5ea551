"""Invites: how a patient joins a clinic and is linked to the clinician who invited them.

A clinician makes an invite; its code is random (``secrets``), works once and
expires (14 days by default); only its digest is stored. The patient registers
with the code, an e-mail and a password, and is linked to that clinician.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from backcoach.errors import NotAllowed, UsageError
from backcoach.i18n import N_, _
from backcoach.services.accounts import (
    add_account,
    digest,
    new_secret,
    start_session,
    usable_token,
)
from backcoach.store import AccountToken, CareLink, Role, TokenPurpose, User

logger = logging.getLogger(__name__)

INVITE_LIFETIME = timedelta(days=14)
MAX_INVITE_DAYS = 90
CLINIC_ROLES = (Role.CLINICIAN, Role.ADMIN)
INVITE_GONE = N_(
    "This invite has expired or was used already. Ask your clinician for a new invite."
)


@dataclass(frozen=True)
class Invite:
    code: str
    expires_at: datetime


def create_invite(
    db: Session, *, clinician_id: int, now: datetime, lifetime: timedelta = INVITE_LIFETIME
) -> Invite:
    """A single-use invite that links whoever registers with it to ``clinician_id``."""
    clinician = db.get(User, clinician_id)
    if clinician is None or clinician.role not in CLINIC_ROLES:
        raise NotAllowed(_("Only clinicians can invite patients."))
    if not timedelta(0) < lifetime <= timedelta(days=MAX_INVITE_DAYS):
        raise UsageError(
            _("An invite lasts between 1 and {days} days.").format(days=MAX_INVITE_DAYS)
        )
    code = new_secret()
    expires_at = now + lifetime
    db.add(
        AccountToken(
            token_hash=digest(code),
            purpose=TokenPurpose.INVITE,
            issued_by=clinician_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    db.commit()
    logger.info("invite created by %s, expires %s", clinician.email, expires_at.isoformat())
    return Invite(code=code, expires_at=expires_at)


def invite_valid(db: Session, *, code: str, now: datetime) -> bool:
    """Whether an invite code can still be used (the page says so before the form)."""
    found = usable_token(db, secret=code, purpose=TokenPurpose.INVITE, now=now) is not None
    db.rollback()
    return found


def register(
    db: Session, *, code: str, email: str, password: str, address: str, now: datetime
) -> tuple[User, str]:
    """A new patient account from an invite, linked to the inviting clinician and signed
    in: ``(patient, session token)``, in one transaction.

    The invite is locked while it is used, so two registrations with one code
    cannot both succeed.
    """
    token = usable_token(db, secret=code, purpose=TokenPurpose.INVITE, now=now)
    if token is None or token.issued_by is None:
        db.rollback()
        raise UsageError(_(INVITE_GONE))
    try:
        patient = add_account(db, email=email, password=password, role=Role.PATIENT, now=now)
    except UsageError:
        db.rollback()
        raise
    token.used_at = now
    token.user_id = patient.id
    db.add(CareLink(patient_id=patient.id, clinician_id=token.issued_by, linked_at=now))
    session_token = start_session(db, user=patient, address=address, now=now)
    db.commit()
    logger.info("patient %s registered with an invite", patient.email)
    return patient, session_token
